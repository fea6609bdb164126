from text2table.training.data import ChatExample
from text2table.training.sanity import score_pi1, summary_line

GOLD = '{"structure":"kv_single","fields":[{"name":"name"},{"name":"area"}]}'


def example(answer=GOLD):
    return ChatExample("a", "pi1", ({"role": "user", "content": "doc"}, {"role": "assistant", "content": answer}))


def test_pi1_outputs_are_scored_against_the_gold_schema():
    result = score_pi1([example(), example()], [GOLD, "not json"])
    assert result["examples"] == 2 and result["json_valid_rate"] == 0.5 and result["schema_f1"] == 0.5


def test_summary_line_says_what_ran():
    assert summary_line({}) == "no sanity examples"
    line = summary_line({"pi1": score_pi1([example()], [GOLD])})
    assert line.startswith("pi1 (n=1): json_valid 1.000") and "schema_f1 1.000" in line
