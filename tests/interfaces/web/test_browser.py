"""A reader in a real browser (Debian's chromium through Selenium): the widget on the
newsroom's page (another loopback origin, so CORS is real), the full page, Romanian labels, a
phone, hostile articles and origins, and the editors' insights page. Screenshots are taken and
checked; with WEB_SCREENSHOTS=DIR they are also kept there (docs/ holds two)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from qabot.state.feedback import FeedbackStore
from tests.interfaces.web.browser import start_browser, stop_browser
from tests.interfaces.web.conftest import ADMIN_TOKEN
from tests.interfaces.web.newsroom import XSS_TITLE, article_id

BRIDGE = "What did the Port Aurel council decide about the harbour bridge?"


@pytest.fixture(scope="module")
def browser():
    driver, profile = start_browser()
    yield driver
    stop_browser(driver, profile)


@pytest.fixture(autouse=True)
def _one_window(browser):
    browser.set_window_size(1280, 900)
    yield
    for handle in browser.window_handles[1:]:
        browser.switch_to.window(handle)
        browser.close()
    browser.switch_to.window(browser.window_handles[0])


def shadow(browser):
    host = WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-qabot]"))[0]
    return host, host.shadow_root


def answers(root, count: int, browser, timeout: float = 60):
    return WebDriverWait(browser, timeout).until(
        lambda _d: (found := root.find_elements(By.CSS_SELECTOR, "article.a")) and len(found) >= count and found)


def type_question(root, text: str) -> None:
    box = root.find_element(By.CSS_SELECTOR, "textarea")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


def screenshot(browser, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    assert browser.save_screenshot(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
    keep = os.environ.get("WEB_SCREENSHOTS")
    if keep:
        shutil.copy(path, Path(keep) / name)
    return path


def test_a_reader_asks_follows_a_source_asks_again_and_votes(site, newsroom, browser, tmp_path):
    browser.get(f"{newsroom.url}/")
    host, root = shadow(browser)
    launch = root.find_element(By.CSS_SELECTOR, "button.launch")
    assert "Ask the archive" in launch.text and launch.get_attribute("aria-expanded") == "false"
    launch.click()
    dialog = root.find_element(By.CSS_SELECTOR, "[role=dialog]")
    assert dialog.is_displayed() and dialog.get_attribute("aria-label") == "Ask the archive"
    assert browser.execute_script("return arguments[0].shadowRoot.activeElement.tagName", host) == "TEXTAREA"
    type_question(root, BRIDGE)
    first = answers(root, 1, browser)[0]
    assert "84 million lei" in first.text
    card = first.find_element(By.CSS_SELECTOR, ".card")
    assert "Port Aurel council votes to rebuild the harbour bridge" in card.text and "10 June 2025" in card.text
    link = card.find_element(By.CSS_SELECTOR, "a")
    assert link.get_attribute("href").startswith(f"{newsroom.url}/articles/harbour-bridge.html#:~:text=")
    # the site's CSS (lime, 40px buttons) does not reach into the Shadow DOM
    ask_button = root.find_element(By.CSS_SELECTOR, "form.ask button")
    assert browser.execute_script("return getComputedStyle(arguments[0]).fontSize", ask_button) == "15px"
    screenshot(browser, tmp_path, "web-widget.png")

    link.click()
    WebDriverWait(browser, 10).until(lambda d: len(d.window_handles) == 2)
    browser.switch_to.window(browser.window_handles[1])
    WebDriverWait(browser, 10).until(lambda d: "/articles/harbour-bridge.html" in d.current_url)
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Port Aurel council votes")
    browser.close()
    browser.switch_to.window(browser.window_handles[0])

    host, root = shadow(browser)
    type_question(root, "And who will build it?")
    second = answers(root, 2, browser)[1]
    assert "Constructora Delta" in second.text
    up = second.find_element(By.CSS_SELECTOR, "[data-vote='1']")
    up.click()
    WebDriverWait(browser, 10).until(lambda _d: "Thank you" in second.find_element(By.CSS_SELECTOR, ".note").text)
    assert up.get_attribute("aria-pressed") == "true"
    assert [r["vote"] for r in FeedbackStore(site.service.state).rows()] == [1]
    root.find_element(By.CSS_SELECTOR, "textarea").send_keys(Keys.ESCAPE)
    assert not dialog.is_displayed() and launch.get_attribute("aria-expanded") == "false"


def test_ask_about_this_article(site, newsroom, browser):
    browser.get(f"{newsroom.url}/articles/bridge-contractor.html")
    _host, root = shadow(browser)
    launch = root.find_element(By.CSS_SELECTOR, "button.launch")
    assert "Ask about this article" in launch.text
    launch.click()
    WebDriverWait(browser, 10).until(
        lambda _d: "Constructora Delta wins" in root.find_element(By.CSS_SELECTOR, ".reading").text)
    type_question(root, "When must they finish it?")
    answer = answers(root, 1, browser)[0]
    first_card = answer.find_element(By.CSS_SELECTOR, ".card")
    assert "Constructora Delta wins" in first_card.text and "2 September 2025" in first_card.text
    assert site.service.history.article(next(iter(k for k, _ in site.service.state.scan("focus")))) == \
        article_id("bridge-contractor")


def test_labels_follow_the_page_language_and_the_panel_fills_a_phone(site, newsroom, browser, tmp_path):
    browser.set_window_size(390, 844)
    browser.get(f"{newsroom.url}/ro.html")
    _host, root = shadow(browser)
    launch = root.find_element(By.CSS_SELECTOR, "button.launch")
    assert "Întreabă arhiva" in launch.text
    launch.click()
    box = root.find_element(By.CSS_SELECTOR, ".box")
    width = browser.execute_script("return document.documentElement.clientWidth")
    assert abs(box.size["width"] - width) <= 1
    assert root.find_element(By.CSS_SELECTOR, "textarea").get_attribute("placeholder").startswith("Întreabă despre")
    type_question(root, BRIDGE)
    answer = answers(root, 1, browser)[0]
    text = answer.get_attribute("textContent")
    assert "Surse" in text and "10 iunie 2025" in text
    screenshot(browser, tmp_path, "web-phone-ro.png")


def test_a_hostile_article_renders_as_text_on_the_page(site, browser, tmp_path):
    question = "When does the last Port Aurel ferry leave in winter?"
    browser.get(f"{site.url}/?q={quote(question)}")
    _host, root = shadow(browser)
    answer = answers(root, 1, browser)[0]
    titles = [t.get_attribute("textContent") for t in answer.find_elements(By.CSS_SELECTOR, ".card .t")]
    assert XSS_TITLE in titles
    assert "<img src=x onerror=window.__xss=3>" in answer.get_attribute("textContent")
    assert root.find_elements(By.CSS_SELECTOR, "img, script:not([src])") == []
    assert browser.execute_script("return window.__xss === undefined")
    assert root.find_element(By.CSS_SELECTOR, ".q").text == question  # /?q= asked on load
    screenshot(browser, tmp_path, "web-page.png")


def test_a_site_not_in_the_origins_list_gets_no_answer(site, other_site, browser):
    other_site.qabot = site.url
    browser.get(f"{other_site.url}/")
    _host, root = shadow(browser)
    root.find_element(By.CSS_SELECTOR, "button.launch").click()
    type_question(root, BRIDGE)
    WebDriverWait(browser, 20).until(lambda _d: root.find_elements(By.CSS_SELECTOR, ".err"))
    assert root.find_elements(By.CSS_SELECTOR, "article.a") == []


def test_an_editor_signs_in_and_sees_the_insights(start_server, browser, tmp_path):
    site = start_server(rate_limit_count=100)
    for question in ["Who won the football world cup final?", "Which country won the FIFA world cup?",
                     "Which team won the football world cup?", "How do I bake sourdough bread?",
                     "Who won the Eurovision song contest?", "What is the weather in Tokyo?", BRIDGE,
                     "Who will build the Port Aurel harbour bridge?", "When does the last ferry leave in winter?"]:
        httpx.post(f"{site.url}/api/ask", json={"question": question}, timeout=60)
    site.service.ask("Who is Ioana Preda?", "tg:1")
    down = httpx.post(f"{site.url}/api/ask", json={"question": "When will the harbour bridge open?"}, timeout=60).json()
    httpx.post(f"{site.url}/api/feedback", json={"answer": down["feedback_id"], "vote": -1})
    httpx.post(f"{site.url}/api/feedback", json={"answer": down["feedback_id"], "problem": "It does not say when"})
    browser.set_window_size(1280, 1700)
    browser.get(f"{site.url}/insights")
    browser.find_element(By.ID, "token").send_keys(ADMIN_TOKEN + Keys.ENTER)
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.TAG_NAME, "h1")
                                     and d.find_element(By.TAG_NAME, "h1").text == "What readers asked")
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.chart")) >= 4
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Who won the football world cup final?" in body and "It does not say when" in body
    screenshot(browser, tmp_path, "web-insights.png")
