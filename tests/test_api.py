"""The Python API (text2table.api, re-exported by the package): results, schemas, one table, pandas, import cost."""

import subprocess
import sys

import pytest

import text2table
from text2table.core.schema import Schema
from text2table.errors import ConfigError, InputError, MissingDependencyError

INVOICE = "Invoice number: INV-7\nCustomer: Acme\nTotal: 120 EUR\n"
DOCS = {"a": "Name: Ada\nCity: Paris", "b": "Name: Bo\nCity: Oslo\nAge: 9", "c": "Name: Cy"}


def test_one_text_gives_one_result_with_schema_rows_and_diagnostics():
    result = text2table.extract(INVOICE, backend="rules")
    assert isinstance(result, text2table.Extraction) and result.id == "doc-1"
    assert result.columns == ["invoice_number", "customer", "total"]
    assert result.rows == [{"invoice_number": "INV-7", "customer": "Acme", "total": "120 EUR"}]
    assert result.diagnostics["pi1"]["skipped"] is False and result.error is None
    assert result.to_record()["schema"]["schema_id"] == result.schema.schema_id


def test_a_list_gives_ids_in_order_and_a_dict_keeps_its_ids():
    results = text2table.extract([INVOICE, "Total: 5 EUR"], backend="rules")
    assert [r.id for r in results] == ["doc-1", "doc-2"]
    assert [r.id for r in text2table.extract(DOCS, backend="rules")] == ["a", "b", "c"]


@pytest.mark.parametrize("schema", [["Total", "Customer"],
                                    {"structure": "kv_single", "fields": [{"name": "total"}, {"name": "customer"}]},
                                    Schema.from_dict({"structure": "kv_single",
                                                      "fields": [{"name": "total"}, {"name": "customer"}]})],
                         ids=["names", "dict", "schema"])
def test_a_given_schema_skips_pi1(schema):
    result = text2table.extract(INVOICE, schema, backend="rules")
    assert result.rows == [{"total": "120 EUR", "customer": "Acme"}] and result.diagnostics["pi1"]["skipped"]


def test_a_schema_file_path(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"structure": "kv_single", "fields": [{"name": "total"}]}')
    assert text2table.extract(INVOICE, str(path), backend="rules").rows == [{"total": "120 EUR"}]


def test_one_table_and_pipeline_reuse():
    with text2table.Pipeline(backend="rules") as pipe:
        schema = pipe.induce_schema(DOCS, sample=3)
        assert schema.names == ["name", "city"]
        results = pipe.extract(DOCS, schema=schema)
        assert pipe.extract(DOCS, one_table=True, sample=3)[0].schema == schema
    assert results.columns == ["doc_id", "name", "city"]
    assert results.table_rows() == [["a", "Ada", "Paris"], ["b", "Bo", "Oslo"], ["c", "Cy", None]]


def test_to_pandas_and_a_clear_message_without_pandas(monkeypatch):
    pandas = pytest.importorskip("pandas")
    results = text2table.extract(DOCS, backend="rules", one_table=True)
    frame = results.to_pandas()
    assert isinstance(frame, pandas.DataFrame) and list(frame.columns) == ["doc_id", "name", "city"]
    assert frame.shape == (3, 3) and results[0].to_pandas().iloc[0]["city"] == "Paris"
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(MissingDependencyError, match=r"text2table\[pandas\]"):
        results.to_pandas()


def test_options_are_pipeline_settings_and_bad_input_is_named():
    result = text2table.extract("Name: Ada\nName2: Ada", backend="rules", verify=False)
    assert "verify" not in result.diagnostics
    with pytest.raises(ConfigError, match="unknown options \\['temprature'\\]"):
        text2table.extract(INVOICE, backend="rules", temprature=0.5)
    with pytest.raises(InputError, match="'doc-2' is a int"):
        text2table.extract([INVOICE, 5], backend="rules")
    with pytest.raises(ConfigError, match="list of names"):
        text2table.extract(INVOICE, [1, 2], backend="rules")


def test_import_is_light():
    code = ("import sys, text2table; heavy = [m for m in ('torch', 'llama_cpp', 'transformers', 'pandas', 'pyarrow')"
            " if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
