from xml.etree import ElementTree

from text2table.report.html_page import bar_chart, histogram, render_html

from .test_report_write import EVIL, _results


def test_svg_is_well_formed() -> None:
    for svg in (bar_chart([("a<b", 0.5), ("c", 1.0)], "t&t"), histogram([0.0, 0.5, 1.0, 1.0], "h")):
        root = ElementTree.fromstring(svg)
        assert root.tag.endswith("svg")
    assert len(ElementTree.fromstring(bar_chart([("a", 0.5)], "t")).findall(".//{*}rect")) == 1


def test_the_page_escapes_document_text_and_holds_its_plots():
    metrics, docs = _results()
    page = render_html(metrics, docs, worst=2)
    assert EVIL not in page and "&lt;script&gt;" in page
    assert page.count("<svg") == 4 and page.startswith("<!DOCTYPE html>")
