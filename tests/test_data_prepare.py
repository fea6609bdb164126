import json
from collections import Counter

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from text2table.cli import app
from text2table.data.prepare import prepare
from text2table.core.records import read_gold
from text2table.core.table import parse_ndjson_strict
from tests.conftest import FLAT_RECORD, KV_RECORD

FILES = ["pi1.jsonl", "pi2.jsonl", "pi1_sft.parquet", "pi2_sft.parquet", "pi1_rl.parquet", "pi2_rl.parquet",
         "stats.json"]


@pytest.fixture
def gold_file(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(KV_RECORD) + "\n" + json.dumps(FLAT_RECORD) + "\n", encoding="utf-8")
    return path


def test_outputs_are_byte_identical_across_runs(gold_file, tmp_path):
    prepare(read_gold(gold_file), tmp_path / "a")
    prepare(read_gold(gold_file), tmp_path / "b", config=None)
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert not list((tmp_path / "a").glob(".*tmp"))


def test_chat_records_and_targets(gold_file, tmp_path):
    stats = prepare(read_gold(gold_file), tmp_path)
    assert stats["records"] == 2 and stats["structures"] == {"flat_single_row": 1, "kv_single": 1}
    assert stats["pi1_form"] == "full"  # training reads it to write the adapter's card (adapters/card.py)
    pi1 = [json.loads(line) for line in (tmp_path / "pi1.jsonl").read_text().splitlines()]
    assert [m["role"] for m in pi1[0]["messages"]] == ["system", "user", "assistant"]
    answer = json.loads(pi1[0]["messages"][2]["content"])
    assert [f["name"] for f in answer["fields"]] == ["name", "eat_type", "near", "area", "price_range"]
    assert "schema_id" not in answer
    pi2 = [json.loads(line) for line in (tmp_path / "pi2.jsonl").read_text().splitlines()]
    rows = parse_ndjson_strict(pi2[1]["messages"][2]["content"], ["player", "points", "rebounds"])
    assert rows == [{"player": "Smith", "points": "20", "rebounds": "5"},
                    {"player": "Jones", "points": "12", "rebounds": None}]


def test_rl_layout(gold_file, tmp_path):
    prepare(read_gold(gold_file), tmp_path)
    table = pq.read_table(tmp_path / "pi2_rl.parquet").to_pylist()
    first = table[0]
    assert first["data_source"] == "text2table/pi2" and first["ability"] == "table_extraction"
    assert [m["role"] for m in first["prompt"]] == ["system", "user"]
    assert first["reward_model"]["style"] == "rule"
    truth = json.loads(first["reward_model"]["ground_truth"])
    assert truth["rows"][0]["eat_type"] == "pub" and truth["schema"]["structure"] == "kv_single"
    assert first["extra_info"]["id"] == "e2e-1" and first["extra_info"]["document"] == KV_RECORD["document"]
    assert pq.read_table(tmp_path / "pi1_rl.parquet")["data_source"].to_pylist() == ["text2table/pi1"] * 2


def test_sft_parquet_loads_in_verl_dataset(gold_file, tmp_path, smollm2_tokenizer_dir):
    pytest.importorskip("verl")
    from omegaconf import OmegaConf
    from transformers import AutoTokenizer
    from verl.utils.dataset.multiturn_sft_dataset import MultiTurnSFTDataset

    prepare(read_gold(gold_file), tmp_path)
    tokenizer = AutoTokenizer.from_pretrained(smollm2_tokenizer_dir)
    config = OmegaConf.create({"messages_key": "messages", "max_length": 1024, "truncation": "error"})
    dataset = MultiTurnSFTDataset(str(tmp_path / "pi2_sft.parquet"), tokenizer, config)
    assert len(dataset) == 2
    item = dataset[1]
    mask = item["loss_mask"].bool()
    trained = tokenizer.decode(item["input_ids"][mask])
    assert '{"player": "Smith", "points": "20", "rebounds": "5"}' in trained
    assert "[DOCUMENT]" not in trained  # only the assistant answer carries loss


def test_cli_prepare_and_bad_input(gold_file, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["prepare", str(gold_file), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "prepared 2 records" in result.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(KV_RECORD) + "\n{oops\n", encoding="utf-8")
    result = runner.invoke(app, ["prepare", str(bad), "--out", str(tmp_path / "out2")])
    assert result.exit_code == 2
    assert f"{bad}:2: invalid JSON" in result.output
    assert not (tmp_path / "out2" / "pi1.jsonl").exists()  # nothing half-written


def test_cli_oversample_repeats_records_with_new_ids(gold_file, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["prepare", str(gold_file), "--out", str(tmp_path / "o"),
                                 "--oversample", f"{gold_file}=3"])
    assert result.exit_code == 0, result.output
    ids = [json.loads(line)["id"] for line in (tmp_path / "o" / "pi2.jsonl").read_text().splitlines()]
    assert ids == ["e2e-1", "e2e-1#2", "e2e-1#3", "match-7", "match-7#2", "match-7#3"]
    bad = runner.invoke(app, ["prepare", str(gold_file), "--out", str(tmp_path / "p"), "--oversample", "x.jsonl=2"])
    assert bad.exit_code == 2 and "not among the inputs" in bad.output


def test_cli_only_keeps_one_stage_of_an_input(gold_file, tmp_path):
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({**KV_RECORD, "id": "kv-2"}) + "\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["prepare", str(gold_file), str(other), "--out", str(tmp_path / "o"),
                                 "--only", f"{gold_file}=pi1", "--oversample", f"{gold_file}=2"])
    assert result.exit_code == 0, result.output

    def ids(stage: str) -> list[str]:
        return [json.loads(line)["id"] for line in (tmp_path / "o" / f"{stage}.jsonl").read_text().splitlines()]

    assert ids("pi1") == ["e2e-1", "e2e-1#2", "match-7", "match-7#2", "kv-2"]
    assert ids("pi2") == ["kv-2"]  # the pi1-only input gave no pi2 examples
    for bad_arg, message in ((f"{gold_file}=pi3", "bad --only"), ("x.jsonl=pi1", "not among the inputs")):
        bad = runner.invoke(app, ["prepare", str(gold_file), "--out", str(tmp_path / "p"), "--only", bad_arg])
        assert bad.exit_code == 2 and message in bad.output, bad.output


LIST_RECORD = {
    "id": "recipe-1", "document": "Pie (serves six)\n\nYou need:\n- 800 g chicken thighs\n- 4 tbsp soy sauce\n"
                                  "- black pepper\n\nBake for 20 minutes.",
    "metadata": {"language": "en"},
    "table": {"structure": "flat_single_row", "headers": ["Ingredient", "Amount", "Serves"],
              "rows": [["chicken thighs", "800 g", "six"], ["soy sauce", "4 tbsp", None], ["black pepper", None, None]]},
}


def test_item_lists_add_one_pi2_example_per_item(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(LIST_RECORD) + "\n" + json.dumps(KV_RECORD) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["prepare", str(gold), "--out", str(tmp_path / "o"), "--item-lists"])
    assert result.exit_code == 0, result.output
    pi2 = [json.loads(line) for line in (tmp_path / "o" / "pi2.jsonl").read_text().splitlines()]
    assert [r["id"] for r in pi2] == ["recipe-1", "recipe-1#item1", "recipe-1#item2", "recipe-1#item3", "e2e-1"]
    first = pi2[1]["messages"]
    assert "- 800 g" not in first[1]["content"] and "800 g chicken thighs" in first[1]["content"]
    # "six" is in the title, not in the item: the per-item answer leaves it null
    assert parse_ndjson_strict(first[2]["content"]) == [{"ingredient": "chicken thighs", "amount": "800 g",
                                                        "serves": None}]
    plain = CliRunner().invoke(app, ["prepare", str(gold), "--out", str(tmp_path / "p")])
    assert plain.exit_code == 0 and len((tmp_path / "p" / "pi2.jsonl").read_text().splitlines()) == 2


GAME = {
    "id": "game-1-player",
    "document": ("The crowd stayed loud through a long night in Toronto. " * 5 + "Kyle Lowry carried the load with 24 "
                 "points and 8 assists. " + "The visitors never found a rhythm on the road. " * 6
                 + "Terrence Ross scored 22 points off the bench."),
    "metadata": {"language": "en", "table_hint": "player"},
    "table": {"structure": "flat_single_row", "headers": ["Player", "Points", "Assists"],
              "rows": [["Kyle Lowry", "24", "8"], ["Terrence Ross", "22", None]]},
}


def _pi2(out):
    return [json.loads(line) for line in (out / "pi2.jsonl").read_text().splitlines()]


def test_row_passages_replace_the_whole_document_example(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(GAME) + "\n" + json.dumps(KV_RECORD) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["prepare", str(gold), "--out", str(tmp_path / "o"), "--row-passages", "200"])
    assert result.exit_code == 0, result.output
    pi2 = _pi2(tmp_path / "o")
    ids = [r["id"] for r in pi2]
    assert "game-1-player" not in ids and ids[-1] == "e2e-1"  # the one-entity record is read whole
    passages = [r for r in pi2 if r["id"].startswith("game-1-player#passage")]
    assert len(passages) >= 3
    answers = [parse_ndjson_strict(r["messages"][2]["content"]) for r in passages]
    assert [{"player": "Kyle Lowry", "points": "24", "assists": "8"}] in answers
    assert [{"player": "Terrence Ross", "points": "22", "assists": None}] in answers
    assert [] in answers  # a passage that names no player answers with no rows
    assert all("Kyle Lowry carried" not in r["messages"][1]["content"] for r, a in zip(passages, answers) if not a)
    pi1 = [json.loads(line)["id"] for line in (tmp_path / "o" / "pi1.jsonl").read_text().splitlines()]
    assert pi1 == ["game-1-player", "e2e-1"]  # pi1 still reads the whole document
    stats = json.loads((tmp_path / "o" / "stats.json").read_text())
    assert stats["row_passages"] == 200  # the adapter's card will say so (training.sft.data_card)


def test_sparse_pi2_targets_leave_out_nulls_and_say_so(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(GAME) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["prepare", str(gold), "--out", str(tmp_path / "o"), "--row-passages", "200",
                                      "--pi2-form", "sparse"])
    assert result.exit_code == 0, result.output
    passages = [r for r in _pi2(tmp_path / "o") if "#passage" in r["id"]]
    answers = [r["messages"][2]["content"] for r in passages]
    assert '{"player": "Terrence Ross", "points": "22"}\n' in answers and "" in answers
    assert all("leave out a key if not given" in r["messages"][1]["content"] for r in passages)
    assert json.loads((tmp_path / "o" / "stats.json").read_text())["pi2_form"] == "sparse"
    bad = CliRunner().invoke(app, ["prepare", str(gold), "--out", str(tmp_path / "x"), "--pi2-form", "dense"])
    assert bad.exit_code != 0 and "pi2_form" in bad.output


def test_passage_facts_only_is_passed_on_and_said_in_stats(tmp_path):
    game = {**GAME, "document": "Terrence Ross watched the opening minutes. " + GAME["document"]}
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(game) + "\n", encoding="utf-8")
    answers = {}
    for flag in ((), ("--passage-facts-only",)):
        out = tmp_path / ("facts" if flag else "plain")
        result = CliRunner().invoke(app, ["prepare", str(gold), "--out", str(out), "--row-passages", "200", *flag])
        assert result.exit_code == 0, result.output
        answers[flag] = "".join(r["messages"][2]["content"] for r in _pi2(out))
        assert json.loads((out / "stats.json").read_text()).get("passage_facts_only") is (True if flag else None)
    ross_named = '{"player": "Terrence Ross", "points": null, "assists": null}'
    assert ross_named in answers[()] and ross_named not in answers[("--passage-facts-only",)]
    assert '"Terrence Ross", "points": "22"' in answers[("--passage-facts-only",)]


def test_passage_family_names_is_passed_on_and_said_in_stats(tmp_path):
    game = {**GAME, "document": GAME["document"] + " Lowry also handed out 8 assists."}
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(game) + "\n", encoding="utf-8")
    answers = {}
    for flag in ((), ("--passage-family-names",)):
        out = tmp_path / ("family" if flag else "plain")
        result = CliRunner().invoke(app, ["prepare", str(gold), "--out", str(out), "--row-passages", "200",
                                          "--passage-facts-only", *flag])
        assert result.exit_code == 0, result.output
        answers[flag] = "".join(r["messages"][2]["content"] for r in _pi2(out))
        assert json.loads((out / "stats.json").read_text()).get("passage_family_names") is (True if flag else None)
    lowry = '{"player": "Lowry", "points": null, "assists": "8"}'
    assert lowry in answers[("--passage-family-names",)] and lowry not in answers[()]


def test_a_table_hint_may_be_cut_at_another_size_and_empty_passages_capped(tmp_path):
    team = {**GAME, "id": "game-1-team", "metadata": {"language": "en", "table_hint": "team"}}
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(GAME) + "\n" + json.dumps(team) + "\n", encoding="utf-8")

    def run(*extra):
        out = tmp_path / "-".join(extra or ("plain",))
        result = CliRunner().invoke(app, ["prepare", str(gold), "--out", str(out), "--row-passages", "200", *extra])
        assert result.exit_code == 0, result.output
        return {r["id"]: r["messages"][2]["content"] for r in _pi2(out)}, json.loads((out / "stats.json").read_text())

    ids, stats = run("--row-passages-hint", "team=0")
    assert "game-1-team" in ids and not any(i.startswith("game-1-team#") for i in ids)  # read whole
    assert sum(i.startswith("game-1-player#passage") for i in ids) >= 3
    assert stats["row_passages_by_hint"] == {"team": 0} and "max_empty_share" not in stats
    plain, _ = run()
    full = [i for i, answer in plain.items() if i.startswith("game-1-player#") and answer.strip()]
    empty = [i for i, answer in plain.items() if i.startswith("game-1-player#") and not answer.strip()]
    assert len(full) == 2 and len(empty) >= 2
    capped, stats = run("--max-empty-passages", "0")
    assert [i for i in capped if i.startswith("game-1-player#")] == full and stats["max_empty_share"] == 0.0
    half, _ = run("--max-empty-passages", "0.5")  # as many empty passages as full ones, spread over the text
    spread = {empty[0], empty[len(empty) // 2]}
    assert [i for i in half if i.startswith("game-1-player#")] == [i for i in plain if i in full or i in spread]
    bad = CliRunner().invoke(app, ["prepare", str(gold), "--out", str(tmp_path / "x"), "--row-passages-hint", "team"])
    assert bad.exit_code != 0 and "HINT=N" in bad.output
    from text2table.data.prepare import PrepareConfig
    from text2table.errors import ConfigError

    for wrong in ({"row_passages_by_hint": {"team": -1}}, {"row_passages_by_hint": {"": 0}}, {"max_empty_share": 1.5},
                  {"multi_row_repeat": 0}):
        with pytest.raises(ConfigError):
            PrepareConfig(**wrong)


def test_passages_of_several_rows_may_be_written_more_than_once(tmp_path):
    both = {**GAME, "document": "Kyle Lowry had 24 points and Terrence Ross scored 22. " + GAME["document"]}
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(both) + "\n", encoding="utf-8")
    counts = {}
    for repeat in ("1", "3"):
        out = tmp_path / repeat
        result = CliRunner().invoke(app, ["prepare", str(gold), "--out", str(out), "--row-passages", "200",
                                          "--multi-row-passages", repeat])
        assert result.exit_code == 0, result.output
        rows = Counter(len(parse_ndjson_strict(r["messages"][2]["content"])) for r in _pi2(out))
        counts[repeat] = rows
        assert json.loads((out / "stats.json").read_text()).get("multi_row_repeat") == (3 if repeat == "3" else None)
    assert counts["1"][2] == 1 and counts["3"][2] == 3  # the first passage names both players
    assert {n: c for n, c in counts["3"].items() if n < 2} == {n: c for n, c in counts["1"].items() if n < 2}


def test_schema_per_table_hint_maps_the_gold_onto_it(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(GAME) + "\n" + json.dumps(KV_RECORD) + "\n", encoding="utf-8")
    schema = tmp_path / "player.json"
    schema.write_text(json.dumps({"structure": "flat_single_row",
                                  "fields": [{"name": "player"}, {"name": "assists"}, {"name": "steals"},
                                             {"name": "points"}]}), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["prepare", str(gold), "--out", str(tmp_path / "o"), "--schema", f"player={schema}"])
    assert result.exit_code == 0, result.output
    pi2 = {r["id"]: r for r in _pi2(tmp_path / "o")}
    assert parse_ndjson_strict(pi2["game-1-player"]["messages"][2]["content"]) == [
        {"player": "Kyle Lowry", "assists": "8", "steals": None, "points": "24"},
        {"player": "Terrence Ross", "assists": None, "steals": None, "points": "22"}]
    assert '"steals"' in pi2["game-1-player"]["messages"][1]["content"]
    pi1 = [json.loads(line)["id"] for line in (tmp_path / "o" / "pi1.jsonl").read_text().splitlines()]
    assert pi1 == ["e2e-1"]  # a record with a given schema has no pi1 target
    for bad, message in (("player", "expected HINT=PATH"), (f"player={tmp_path / 'none.json'}", "none.json")):
        failed = runner.invoke(app, ["prepare", str(gold), "--out", str(tmp_path / "p"), "--schema", bad])
        assert failed.exit_code == 2 and message in failed.output, failed.output
