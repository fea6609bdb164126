import json

import pytest

from text2table.errors import InputError
from text2table.training.data import example_from_dict, load_chat_records, sample_examples

RECORD = {"id": "a", "messages": [{"role": "user", "content": "doc"}, {"role": "assistant", "content": "{}"}]}


def test_a_chat_record_is_validated_and_split_into_prompt_and_answer(tmp_path):
    path = tmp_path / "pi1.jsonl"
    path.write_text(json.dumps(RECORD) + "\n" + json.dumps({**RECORD, "id": "b"}) + "\n")
    examples = load_chat_records(path, "pi1")
    assert [e.id for e in examples] == ["a", "b"] and examples[0].task == "pi1"
    assert examples[0].prompt == [{"role": "user", "content": "doc"}] and examples[0].answer == "{}"
    assert sample_examples(examples, 1, seed=0)[0] in examples


def test_a_bad_record_names_file_line_and_fix():
    bad = {"id": "a", "messages": [RECORD["messages"][1], RECORD["messages"][0]]}
    with pytest.raises(InputError, match=r"pi2.jsonl:4: the last message must be the assistant answer.*prepare"):
        example_from_dict(bad, "pi2", source="pi2.jsonl", line=4)
