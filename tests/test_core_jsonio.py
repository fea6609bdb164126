import pytest

from text2table.core.jsonio import append_jsonl, atomic_writer, iter_jsonl, read_text, write_json, write_jsonl
from text2table.errors import InputError


def test_a_failed_atomic_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "out.json"
    write_json(path, {"a": 1})
    with pytest.raises(RuntimeError):
        with atomic_writer(path) as handle:
            handle.write("half")
            raise RuntimeError("crash")
    assert path.read_text() == '{\n  "a": 1\n}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_jsonl_round_trip_skips_blank_lines_and_names_the_bad_line(tmp_path):
    path = tmp_path / "x.jsonl"
    assert write_jsonl(path, [{"id": 1}, {"id": "é"}]) == 2
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n")
        append_jsonl(handle, {"id": 3})
    assert list(iter_jsonl(path)) == [(1, {"id": 1}), (2, {"id": "é"}), (4, {"id": 3})]
    path.write_text('{"id": 1}\n{"id": \n')
    with pytest.raises(InputError, match=r"x.jsonl:2: invalid JSON"):
        list(iter_jsonl(path))


def test_read_text_accepts_a_bom_and_names_a_wrong_encoding(tmp_path):
    path = tmp_path / "doc.txt"
    path.write_bytes(b"\xef\xbb\xbfok\n")
    assert read_text(path) == "ok\n"
    path.write_bytes(b"line one\ncaf\xe9\n")
    with pytest.raises(InputError, match=r"doc.txt:2: not valid UTF-8 at byte 12.*iconv"):
        read_text(path)
    with pytest.raises(InputError, match="file not found"):
        read_text(tmp_path / "missing.txt")
