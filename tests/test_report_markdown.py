from text2table.report.markdown import render_markdown

from .test_report_write import EVIL, _results


def test_the_markdown_report_has_headline_fields_worst_documents_and_settings():
    metrics, docs = _results()
    text = render_markdown(metrics, docs, worst=1)
    assert text.startswith("# text2table evaluation") and "| Aligned cell F1 (one-to-one rows, micro) |" in text
    assert "## Worst 1 documents" in text and "### e2e-1" in text and "## Settings" in text
    assert "Predictions: `" not in text  # no signature: evaluated without a sidecar
    metrics["signature"] = "backend:rules|hash:0123456789ab"
    assert "Predictions: `backend:rules|hash:0123456789ab`" in render_markdown(metrics, docs)


def test_a_pipe_in_a_cell_cannot_break_the_markdown_table():
    metrics, docs = _results()
    flat = next(d for d in docs if d["id"] == "match-7")
    flat["pred_rows"][0]["player"] = "a|b"
    text = render_markdown(metrics, docs, worst=2)
    assert "a\\|b" in text and "| a|b |" not in text
    assert EVIL in text  # Markdown is not HTML: the pipe is what must be escaped
