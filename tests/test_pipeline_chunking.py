import pytest
from hypothesis import given, settings, strategies as st

from text2table.pipeline.chunking import row_passages, split_document
from text2table.errors import ConfigError


@settings(max_examples=200, deadline=None)
@given(text=st.lists(st.sampled_from(["ab", "cde ", ". ", "\n", "\n\n", "xyzxyzxyz", " "]), max_size=120).map("".join),
       size=st.integers(10, 80), overlap_frac=st.floats(0, 0.45), whole=st.booleans())
def test_chunks_cover_the_text_in_order_within_the_size(text, size, overlap_frac, whole):
    overlap = int(size * overlap_frac)
    chunks = split_document(text, size, overlap, whole_sentences=whole)
    assert chunks[0].start == 0 and chunks[-1].end == len(text)
    for chunk in chunks:
        assert chunk.text == text[chunk.start:chunk.end] and len(chunk.text) <= size
    for a, b in zip(chunks, chunks[1:]):
        assert a.start < b.start <= a.end  # progress, no gap
        assert a.end - b.start <= overlap
    rebuilt = chunks[0].text + "".join(b.text[a.end - b.start:] for a, b in zip(chunks, chunks[1:]))
    assert rebuilt == text


def test_split_prefers_paragraphs_then_lines_and_overlaps():
    text = "First paragraph is here.\n\nSecond one has two lines\nand the end.\n\nThird."
    chunks = split_document(text, 40, 0)
    assert [c.text for c in chunks] == ["First paragraph is here.\n\n", "Second one has two lines\nand the end.\n\n",
                                        "Third."]
    table = "| a | b |\n" + "".join(f"| {i} | {i * i} |\n" for i in range(20))
    overlapping = split_document(table, 60, 20)
    assert all(c.text.endswith("\n") for c in overlapping[:-1])  # never cut inside a table row
    assert all(overlapping[k + 1].start < overlapping[k].end for k in range(len(overlapping) - 1))


def test_whole_sentences_end_a_chunk_early_rather_than_cut_a_sentence():
    text = ("Kyle Lowry scored 24 points. DeMar DeRozan finished with 14 points, 5 rebounds and 5 assists. "
            "Ross added 22.")
    halves = [c.text for c in split_document(text, 80)]  # no sentence end in the second half: cut at a space
    assert halves[0] == "Kyle Lowry scored 24 points. DeMar DeRozan finished with 14 points, 5 rebounds "
    whole = [c.text for c in split_document(text, 80, whole_sentences=True)]
    assert whole == ["Kyle Lowry scored 24 points. ", "DeMar DeRozan finished with 14 points, 5 rebounds and 5 "
                     "assists. Ross added 22."]
    long_sentence = "word " * 40  # no sentence end at all: cut at a space in the second half, as before
    assert split_document(long_sentence, 50, whole_sentences=True) == split_document(long_sentence, 50)
    chunks = split_document(text, 1000)
    assert row_passages(chunks, "flat_single_row", 80)[0] == "Kyle Lowry scored 24 points. "
    assert row_passages(chunks, "kv_single", 80) == [text]  # one entity: read whole


def test_an_initial_does_not_end_a_sentence():
    text = "Jamal Crawford added 22 points and 5 rebounds. T.J. McConnell had 9 assists. Jos\u00e9 M. Calder\u00f3n."
    size = text.index("McConnell") + 4  # the window ends inside the name: its initials must not end the passage
    assert [c.text for c in split_document(text, size, whole_sentences=True)] == [
        "Jamal Crawford added 22 points and 5 rebounds. ", "T.J. McConnell had 9 assists. Jos\u00e9 M. Calder\u00f3n."]
    size = text.index("Calder") + 3 - text.index("T.J.")
    assert split_document(text[text.index("T.J."):], size, whole_sentences=True)[0].text == (
        "T.J. McConnell had 9 assists. ")
    # ordinary sentence ends still count, a number or a word of two letters before the period included
    assert [c.text for c in split_document("He scored 10. So did we. Then ok.", 15, whole_sentences=True)] == [
        "He scored 10. ", "So did we. ", "Then ok."]


def test_short_text_or_no_chunking_is_one_chunk():
    assert [c.text for c in split_document("short", 100, 10)] == ["short"]
    assert len(split_document("x " * 1000, 0, 0)) == 1
    with pytest.raises(ConfigError):
        split_document("x " * 100, 50, 30)
