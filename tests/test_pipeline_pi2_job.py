from text2table.backends.base import Generation
from text2table.core.schema import Schema
from text2table.pipeline.config import PipelineConfig
from text2table.pipeline.pi2_job import Pi2Job

FLAT = Schema.from_dict({"structure": "flat_single_row", "fields": [{"name": "player"}, {"name": "points"}]})
KV = Schema.from_dict({"structure": "kv_single", "fields": [{"name": "name"}]})


def job(schema=FLAT, **kw):
    return Pi2Job(0, "Smith 20, Jones 12, Lee 3.", schema, None, **kw)


def test_a_cut_last_row_is_dropped_and_the_job_continues_after_the_complete_rows():
    j, config = job(), PipelineConfig(max_continuations=2)
    j.absorb(Generation('{"player": "Smith", "points": 20}\n{"player": "Jo', "length"), config)
    assert j.rows == [{"player": "Smith", "points": 20}] and not j.done and j.continuations == 1
    assert j.texts == ['{"player": "Smith", "points": 20}\n'] and "token budget" in j.dropped[0]["reason"]
    assert j.prompt()[-1] == {"role": "assistant", "content": '{"player": "Smith", "points": 20}\n'}
    j.absorb(Generation('{"player": "Smith", "points": 20}\n{"player": "Jones", "points": 12}\n', "stop"), config)
    assert [r["player"] for r in j.rows] == ["Smith", "Jones"] and j.duplicates == 1 and j.stop == "end"


def test_caps_and_stops():
    config = PipelineConfig(max_rows=5)
    assert job(row_cap=1).cap(config) == 1 and job().cap(config) == 5
    assert job(KV).remaining(config) == 1
    capped = job(row_cap=1)
    capped.absorb(Generation('{"player": "Smith", "points": 20}\n{"player": "Lee", "points": 3}\n', "length"), config)
    assert capped.rows == [{"player": "Smith", "points": 20}] and capped.stop == "max_rows"
    stuck = job()
    stuck.absorb(Generation("no rows here", "length"), config)
    assert stuck.stop == "no_progress"
    failed = job()
    failed.absorb(Generation("", "error", error="server down"), config)
    assert failed.done and failed.error == "server down"


TYPED = Schema.from_dict({"structure": "flat_single_row", "fields": [
    {"name": "player"}, {"name": "points", "type": "integer"}, {"name": "share", "type": "number"}]})


def test_quoted_values_of_numeric_fields_are_read_as_numbers_in_the_documents_language():
    text = ('{"player": "Smith", "points": "20", "share": "0.5"}\n{"player": "Jones", "points": "twelve", "share": 1}\n'
            '{"player": "Lee", "points": "3 points", "share": null}\n')
    english = Pi2Job(0, "Smith 20, Jones twelve, Lee 3.", TYPED, {"language": "en"})
    english.absorb(Generation(text, "stop"), PipelineConfig())
    assert english.rows == [{"player": "Smith", "points": 20, "share": 0.5},
                            {"player": "Jones", "points": 12, "share": 1},
                            {"player": "Lee", "points": None, "share": None}]
    assert english.not_numeric == 1  # "3 points" is no number; a null stays null uncounted
    french = Pi2Job(0, "Smith 20, Jones twelve.", TYPED, {"language": "fr"})
    french.absorb(Generation(text, "stop"), PipelineConfig())
    assert [r["points"] for r in french.rows] == [20, None, None] and french.not_numeric == 2


def test_string_fields_are_never_read_as_numbers():
    j = job()
    j.absorb(Generation('{"player": "seven", "points": "twelve"}\n', "stop"), PipelineConfig())
    assert j.rows == [{"player": "seven", "points": "twelve"}] and j.not_numeric == 0


def test_a_sparse_job_asks_reads_and_continues_in_the_sparse_form():
    j, config = job(form="sparse"), PipelineConfig(max_continuations=2)
    assert "leave out a key if not given" in j.prompt()[1]["content"]
    j.absorb(Generation('{"player": "Smith", "points": 20}\n{"player": "Lee"}\n{"player": "Jo', "length"), config)
    assert j.rows == [{"player": "Smith", "points": 20}, {"player": "Lee", "points": None}]
    assert j.prompt()[-1] == {"role": "assistant",
                              "content": '{"player": "Smith", "points": 20}\n{"player": "Lee"}\n'}
    assert "null if not given" in job().prompt()[1]["content"]
