"""The viewer page in a real headless browser (Debian's chromium + chromedriver through selenium): hovering a
table cell lights up its evidence span in the text. Skipped, with the reason, when either is missing."""

import shutil

import pytest

from text2table.report.viewer import render_view

pytestmark = pytest.mark.slow

DOC = ("Cotto is a coffee shop near The Portland Arms in the city centre.\n"
       "It serves Indian food at a moderate price and is not family-friendly.")


def _at(text):
    start = DOC.index(text)
    return [start, start + len(text)]


RECORD = {"id": "e2e-cotto", "schema": {"structure": "kv_single", "fields": [
    {"name": "name"}, {"name": "near"}, {"name": "area"}, {"name": "food"}, {"name": "price_range"},
    {"name": "family_friendly"}, {"name": "customer_rating"}]},
    "rows": [{"name": "Cotto", "near": "The Portland Arms", "area": "city centre", "food": "Indian",
              "price_range": "moderate", "family_friendly": "no", "customer_rating": None}],
    "diagnostics": {"evidence": [{"name": _at("Cotto"), "near": _at("The Portland Arms"), "area": _at("city centre"),
                                  "food": _at("Indian"), "price_range": _at("moderate"), "family_friendly": None,
                                  "customer_rating": None}],
                    "check_actions": [{"row": 0, "field": "customer_rating", "check": "evidence", "action": "nulled",
                                       "old": "high", "new": None, "reason": "'high' is not in the text"},
                                      {"row": 0, "field": "family_friendly", "check": "polarity",
                                       "action": "corrected", "old": "yes", "new": "no",
                                       "reason": "'not family-friendly'"}]}}


def _browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")
    binary = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
    driver = shutil.which("chromedriver")
    if binary is None or driver is None:
        pytest.skip("no headless browser: apt-get install -y chromium chromium-driver (.ci/run does)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,700"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(driver), options=options)


def test_hovering_a_cell_lights_its_span(tmp_path):
    page = tmp_path / "view.html"
    page.write_text(render_view([RECORD], {"e2e-cotto": DOC}, title="viewer test"), encoding="utf-8")
    browser = _browser()
    try:
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.by import By

        browser.get(page.as_uri())
        cell = browser.find_element(By.CSS_SELECTOR, 'td[data-cells="d0-0-1"]')
        span = browser.find_element(By.CSS_SELECTOR, 'mark[data-cells="d0-0-1"]')
        assert span.text == "The Portland Arms" and "lit" not in span.get_attribute("class")
        ActionChains(browser).move_to_element(cell).perform()
        assert "lit" in span.get_attribute("class") and "lit" in cell.get_attribute("class")
        other = browser.find_element(By.CSS_SELECTOR, 'mark[data-cells="d0-0-0"]')
        assert "lit" not in other.get_attribute("class")
        browser.save_screenshot(str(tmp_path / "viewer.png"))
        ActionChains(browser).move_to_element(browser.find_element(By.TAG_NAME, "h1")).perform()
        assert "lit" not in span.get_attribute("class")
        nulled = browser.find_element(By.CSS_SELECTOR, 'td[data-cells="d0-0-6"]')
        assert "nulled" in nulled.get_attribute("class") and "not in the text" in nulled.get_attribute("title")
    finally:
        browser.quit()
    assert (tmp_path / "viewer.png").stat().st_size > 1000
