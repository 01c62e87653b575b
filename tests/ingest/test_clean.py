"""Cleaning scraped pages: what reaches the index is the headline and the article, not the site."""

from __future__ import annotations

from pathlib import Path

import pytest

from qabot.errors import ConfigError
from qabot.ingest.clean import (
    RawPage,
    clean_page,
    clean_pages,
    find_repeated,
    parse_date,
    tidy_text,
)

DATA = Path(__file__).parents[1] / "data" / "archive"
SITE = DATA / "site"
SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_535ad10f67f4ea4c.txt"
CHROME = (
    "Acasă", "Published on", "Latest articles", "More like this", "Proiectul jurnalistic",
    "Abonează-te", "AGERPRES", "...",
)
TITLES = {
    "senate-budget": "Senate approves the 2026 state budget after an eleven-hour debate",
    "central-bank-rate": "Central bank keeps the key rate at 6.5 percent for the fifth time in a row",
    "constanta-port": "Constanța port traffic rises 12 percent in the first quarter",
    "cluj-metro": "Cluj-Napoca council approves the metro tender, mayor says",
    "it-jobs": "Labour ministry expects 38,000 new jobs in the IT sector by 2027",
}


def site_pages() -> dict[str, RawPage]:
    return {
        p.stem: RawPage(text=p.read_text(encoding="utf-8"), source=str(p))
        for p in sorted(SITE.rglob("*.txt"))
    }


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed page is not present")
def test_real_seed_page_keeps_headline_and_body_only() -> None:
    page = clean_page(SEED.read_text(encoding="utf-8"))
    assert page.title == (
        "Combating human trafficking requires solid partnerships between governments, "
        "NGOs, survivors, US ambassador says"
    )
    assert page.text.startswith("In order to combat human trafficking")
    assert page.text.endswith(
        "Kathleen Kavalec also mentioned some of the activities of the United States in "
        "partnership with Romania in the fight against human trafficking."
    )
    for chrome in ("Latest articles", "More like this", "Proiectul jurnalistic",
                   "trade balance deficit", "Published on", "AGERPRES", "Acasă"):
        assert chrome not in page.text
    assert page.published == ""
    assert page.author == "AGERPRES"


def test_seed_shaped_folder_batch_loses_all_chrome() -> None:
    pages = site_pages()
    cleaned = dict(zip(pages, clean_pages(list(pages.values())), strict=True))
    assert {name: page.title for name, page in cleaned.items()} == TITLES
    for name, page in cleaned.items():
        for chrome in CHROME:
            assert chrome not in page.text, (name, chrome)
        # the teaser lists name the other pages' headlines: none may leak into this body
        for other, title in TITLES.items():
            assert title not in page.text, (name, other)
    assert cleaned["senate-budget"].published == "2025-03-12"
    assert cleaned["constanta-port"].published == "2025-04-14"
    assert cleaned["central-bank-rate"].published == ""
    assert cleaned["constanta-port"].author == "Ioana Petrescu"
    assert cleaned["senate-budget"].author == "AGERPRES"
    assert cleaned["senate-budget"].text.endswith("expected to vote on it next week.")
    assert cleaned["senate-budget"].text.count("\n\n") == 3  # four paragraphs


def test_footer_without_a_wire_credit_goes_only_through_the_corpus_rule() -> None:
    pages = site_pages()
    alone = clean_page(pages["it-jobs"].text)
    in_batch = clean_pages(list(pages.values()))[list(pages).index("it-jobs")]
    assert "Proiectul jurnalistic" in alone.text  # a single page cannot tell its footer apart
    assert "Proiectul jurnalistic" not in in_batch.text
    assert in_batch.text.endswith("the main obstacle to growth.")


def test_repeated_lines_need_three_pages_and_thirty_percent() -> None:
    def pages(n_with: int, n_total: int) -> list[str]:
        return [f"Story {i}\n" + ("Share on Facebook\n" if i < n_with else "") for i in range(n_total)]

    assert "share on facebook" not in find_repeated(pages(2, 2))
    assert "share on facebook" in find_repeated(pages(3, 10))
    assert "share on facebook" not in find_repeated(pages(3, 11))


def test_copies_of_one_story_are_not_mistaken_for_chrome() -> None:
    text = (SITE / "2025" / "senate-budget.txt").read_text(encoding="utf-8")
    variants = [text, text.replace("AGERPRES", "AFP"), text.replace("AGERPRES", "DPA"), text]
    copies = clean_pages([RawPage(v) for v in variants])
    assert all("84 votes in favour" in page.text for page in copies)
    assert all("Proiectul jurnalistic" not in page.text for page in copies)


def test_metadata_lines_are_captured_not_kept() -> None:
    page = clean_page(
        "Mayor of Brăila announces a new ring road\n\nBy Corina Manole\n\n"
        "Updated on 5 May 2025, 14:30\n\n"
        "The mayor of Brăila, Viorel Dinu, announced on Monday a ring road of 17 kilometres.\n\n"
        "Published on Tuesday, the feasibility study puts the cost at 90 million euros."
    )
    assert page.title == "Mayor of Brăila announces a new ring road"
    assert page.author == "Corina Manole"
    assert page.published == "2025-05-05"
    assert "Corina Manole" not in page.text and "Updated on" not in page.text
    assert page.text.endswith("Published on Tuesday, the feasibility study puts the cost at 90 million euros.")


def test_teaser_runs_are_dropped_without_a_marker_but_a_single_ellipsis_stays() -> None:
    page = clean_page(
        "Parliament debates the new fiscal code\n\n"
        "Deputies started on Monday the debate on the new fiscal code, which he said would...\n\n"
        "The vote is expected on Thursday.\n\n"
        "Teachers' unions announce a strike\n\nThe unions representing 200,000 teachers...\n\n"
        "Rail workers protest in Iași\n\nAround 300 rail workers gathered on Tuesday..."
    )
    assert "which he said would..." in page.text
    assert "Teachers' unions" not in page.text and "Rail workers" not in page.text
    assert page.text.endswith("The vote is expected on Thursday.")


def test_extra_patterns_drop_matching_lines() -> None:
    text = "Senate elects a new speaker\n\nFollow us on Telegram!\n\nThe Senate elected Ana Dobre as speaker."
    page = clean_page(text, extra_patterns=[r"(?i)^follow us"])
    assert page.text == "The Senate elected Ana Dobre as speaker."
    with pytest.raises(ConfigError, match="not a valid regular expression"):
        clean_page(text, extra_patterns=["(unclosed"])


def test_page_without_a_headline_gets_its_first_sentence_as_title() -> None:
    body = (
        "The county council of Sibiu approved on Thursday a budget of 640 million lei for 2026, "
        "with a third of the money going to roads and the regional hospital. "
        "The vote was unanimous."
    )
    page = clean_page(body)
    assert page.text == body
    assert page.title.startswith("The county council of Sibiu approved")
    assert len(page.title) <= 101


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("12 March 2025", "2025-03-12"),
        ("March 5th, 2024 10:00", "2024-03-05"),
        ("Wed, 12 Mar 2025 10:00:00 GMT", "2025-03-12"),
        ("2025-03-12T10:00:00Z", "2025-03-12"),
        ("14.04.2025", "2025-04-14"),
        ("05/13/2024", "2024-05-13"),
        ("3 martie 2025", "2025-03-03"),
        ("sometime in 2025", ""),
        ("31 February 2025", ""),
    ],
)
def test_dates_become_iso(raw: str, iso: str) -> None:
    assert parse_date(raw) == iso


def test_tidy_text_keeps_paragraphs_and_list_items() -> None:
    raw = "  First   line\nwrapped here.\n\n\n\n- one\n- two\n\nLast\xa0paragraph.  "
    assert tidy_text(raw) == "First line wrapped here.\n\n- one\n- two\n\nLast paragraph."
