"""Romanian pages of the newsroom: their chrome goes, their article, headline and date stay.

The pages are ``benchmarks/ro/pages``: a fictional Romanian archive shaped like the site's
scraped pages (breadcrumb glued to a cut headline, "Publicat pe", wire credit, "Citește și",
"Urmărește-ne pe", "Ultimele știri" teasers, a cookie banner)."""

from __future__ import annotations

from pathlib import Path

from qabot.ingest.clean import RawPage, clean_page, clean_pages

PAGES = Path(__file__).resolve().parents[2] / "benchmarks" / "ro" / "pages"
CHROME = ("Citește și", "Urmărește-ne", "Ultimele știri", "cookie", "Setări cookie", "Accept", "AGERPRES",
          "Podul de la Brăila, închis", "Articole similare", "...")


def test_a_romanian_page_is_cleaned():
    page = clean_page((PAGES / "01-apa-galati-2025.txt").read_text(encoding="utf-8"))
    assert page.title == ("Prețul apei crește la Galați de la 1 aprilie: 5,20 lei pe metrul cub, anunță "
                          "operatorul Apa Dunării Sud")
    assert (page.published, page.section, page.author) == ("2025-03-12", "Economie", "AGERPRES")
    assert page.text.startswith("Prețul apei potabile pentru populația din Galați va crește")
    # the paragraph after an inline "Citește și:" link is still the article's
    assert page.text.endswith("O familie de patru persoane va plăti în medie cu 9 lei mai mult pe lună.")
    for chrome in CHROME:
        assert chrome not in page.text, chrome


def test_the_page_chrome_rules_work_on_a_folder_of_romanian_pages():
    pages = [RawPage(p.read_text(encoding="utf-8"), str(p)) for p in sorted(PAGES.glob("*.txt"))]
    cleaned = clean_pages(pages)
    assert len(cleaned) == 8 and all(c.title and c.published and c.text for c in cleaned)
    for c in cleaned:
        assert not any(chrome in c.text for chrome in CHROME), c.title
        assert "Citește și" not in c.title and not c.title.endswith("...")
    sport = next(c for c in cleaned if c.section == "Sport")
    assert sport.text.endswith("Semifinalele se joacă pe 15 aprilie 2026.")
