"""The question shapes for a Romanian reader: Romanian cues read as their English siblings,
headings, periods and dates in Romanian (the catalogue), and suggested questions in Romanian
that the archive was checked to answer. Over the bundled sample archive (English articles): the
packaged all-MiniLM where no retrieval crosses languages (lists, digests, summaries), the
multilingual model (``QABOT_MODEL=multilingual``) where it does (comparisons, suggestions)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from qabot.answers.intent import (
    COMPARE,
    DIGEST,
    ENTITY,
    LATEST,
    LIST,
    SUMMARY,
    TIMELINE,
    WHY,
    read_intent,
)
from qabot.answers.labels import labels, period_label
from qabot.interfaces.bot.render import dated_lines
from qabot.interfaces.cli.render import answer_text
from qabot.settings import Settings
from qabot.text.dates import Period
from qabot.text.fold import fold
from qabot.wiring import build_encoder, open_service
from tests.conftest import SAMPLE_ARCHIVE

SIBIU = "pages/sibiu-childrens-hospital-opens.txt"
WAGE = "pages/minimum-wage-4325-lei.txt"
PENSION = "pages/stoica-pension-point-telework.txt"
BNR = "pages/bnr-cuts-policy-rate.txt"
JUNE_12 = date(2025, 6, 12)  # a Thursday: "this week" is 9-12 June
ROMANIAN_ASKS = ("Cine este ", "Care sunt ultimele știri despre ", "Ce s-a întâmplat cu ", "Ce articole menționează ",
                 "Ce e nou săptămâna aceasta?")


@pytest.mark.parametrize(("question", "kind"), [
    ("Ce articole menționează Sibiu?", LIST),
    ("Care sunt articolele despre salariul minim?", LIST),
    ("Știrile despre autostrada A16", LIST),
    ("Ce am scris despre Metrorex luna aceasta?", LIST),
    ("Articolele scrise de Dan Voicu", LIST),
    ("Ce articole a scris Sabina Lupu?", LIST),
    ("Compară salariul minim cu punctul de pensie", COMPARE),
    ("Care e diferența dintre prima rectificare bugetară și a doua?", COMPARE),
    ("Rata dobânzii din februarie 2025 față de cea mai recentă", COMPARE),
    ("Cum se compară inflația din aprilie cu cea actuală?", COMPARE),
    ("De ce a demisionat ministrul?", WHY),
    ("Care este motivul întârzierii metroului M6?", WHY),
    ("Care e cauza creșterii costului?", WHY),
    ("Ce a dus la depășirea deficitului?", WHY),
    ("Ce e nou azi?", DIGEST),
    ("Ce s-a mai întâmplat astăzi?", DIGEST),
    ("Principalele știri din săptămâna aceasta", DIGEST),
    ("Principalele știri din martie 2025", DIGEST),
    ("Știrile zilei", DIGEST),
    ("Rezumă articolul", SUMMARY),
    ("Fă un rezumat", SUMMARY),
    ("Fă-mi un rezumat al articolului", SUMMARY),
    # the Romanian kinds that were there before keep their reading
    ("Care sunt ultimele știri despre Metrorex?", LATEST),
    ("Ce s-a întâmplat cu Metrorex?", TIMELINE),
    ("Cine este Radu Ifrim?", ENTITY),
    ("Ce a declarat ministrul față de acuzații?", "plain"),
    ("Ce s-a întâmplat în martie 2025?", "asof"),
])
def test_romanian_shape_cues_are_read_as_their_english_siblings(question, kind):
    assert read_intent(question, JUNE_12).kind == kind


def test_romanian_shapes_name_their_subject_as_typed_and_their_time():
    listed = read_intent("Ce articole menționează Brăila în 2025?", JUNE_12)
    assert (listed.subject, listed.dates.since, listed.dates.until) == ("Brăila", "2025-01-01", "2025-12-31")
    assert read_intent("Articolele scrise de Cosmin Bălănescu", JUNE_12).name == "Cosmin Bălănescu"
    compared = read_intent("Care e diferența dintre salariul minim și punctul de pensie?", JUNE_12)
    assert (compared.subject, compared.topic) == ("salariul minim", "punctul de pensie")
    assert read_intent("Ce e nou azi?", JUNE_12).dates.since == "2025-06-12"
    assert read_intent("Principalele știri din săptămâna aceasta", JUNE_12).dates.since == "2025-06-09"
    assert read_intent("Ce e nou luna aceasta?", JUNE_12).dates.since == "2025-06-01"


def test_each_suggestion_in_romanian_is_read_as_its_english_sibling():
    en, ro = labels("en"), labels("ro")
    for field, kind in (("ask_who", ENTITY), ("ask_latest", LATEST), ("ask_timeline", TIMELINE),
                        ("ask_mentions", LIST)):
        english, romanian = getattr(en, field).format(name="Sorin Vlădescu"), getattr(ro, field).format(name="Sorin Vlădescu")
        assert romanian != english
        assert read_intent(english, JUNE_12).kind == read_intent(romanian, JUNE_12).kind == kind
    assert read_intent(ro.ask_new_this_week, JUNE_12).kind == DIGEST
    assert read_intent(ro.ask_new_this_week, JUNE_12).dates == read_intent(en.ask_new_this_week, JUNE_12).dates


def test_labels_and_periods_in_english_read_as_before_and_in_romanian_from_the_catalogue():
    assert labels("en").list_mentioning == "Articles mentioning {subject}:" and labels(None).compared == "Compared:"
    assert labels("ro-RO").list_mentioning == "Articole care menționează {subject}:"
    for period in (Period("2025-03-01", "2025-03-31", "month"), Period("2025-01-01", "2025-12-31", "year"),
                   Period("2025-03-01", "2025-06-30", "months"), Period("2025-06-09", "2025-06-12", "week")):
        assert period_label(period) == period.label
    assert period_label(Period("2025-03-01", "2025-03-31", "month"), "ro") == "martie 2025"
    assert period_label(Period("2025-03-01", "2025-06-30", "months"), "ro") == "martie 2025 – iunie 2025"


def test_a_romanian_list_question_gets_a_romanian_heading_and_the_articles_naming_it(service):
    answer = service.ask("Ce articole menționează Sibiu?")
    assert answer.found and answer.kind == LIST and answer.language == "ro"
    assert answer.heading == "Articole care menționează Sibiu:"
    assert SIBIU in [c.article_id for c in answer.citations]
    texts = service.store.documents(c.article_id for c in answer.citations)
    assert all("sibiu" in fold(f"{d.title} {d.text}") for d in texts.values())
    assert answer.answer.startswith("Articole care menționează Sibiu:\n- 2 iunie 2025: ")
    # the same articles as the English question
    english = service.ask("Which articles mention Sibiu?")
    assert [c.article_id for c in english.citations] == [c.article_id for c in answer.citations]
    assert english.heading == "Articles mentioning Sibiu:"
    dated = service.ask("Ce articole menționează Sibiu în iunie 2025?")
    assert dated.heading == "Articole care menționează Sibiu (iunie 2025):"
    by = service.ask("Articolele scrise de AGERPRES")
    assert by.kind == LIST and by.heading == "Articole scrise de AGERPRES:" and len(by.citations) >= 5


def test_the_cli_and_telegram_print_a_romanian_list_in_romanian(service):
    answer = service.ask("Ce articole menționează Sibiu?")
    text = answer_text(answer)
    assert text.startswith("Articole care menționează Sibiu:\n- 2 iunie 2025: ") and "\nSurse:\n" in text
    html = dated_lines(answer)
    assert html.startswith("<b>Articole care menționează Sibiu:</b>\n• <b>2 iunie 2025</b> — ")


def test_a_romanian_digest_has_romanian_labels_periods_and_days(service):
    week = service.ask("Ce e nou săptămâna aceasta?", today=JUNE_12)
    assert week.kind == DIGEST and week.language == "ro" and [c.article_id for c in week.citations] == [PENSION]
    assert week.heading == "Principalele știri, între 9 iunie 2025 și 12 iunie 2025:"
    assert "\n- 11 iunie 2025: " in week.answer
    june = service.ask("Principalele știri din iunie 2025")
    assert june.heading.startswith("Principalele știri, între 1 iunie 2025 și 30 iunie 2025")
    assert len(june.citations) == 3
    quiet = service.ask("Ce s-a mai întâmplat astăzi?", today=date(2030, 1, 1))
    assert quiet.found and quiet.kind == DIGEST
    assert quiet.heading == "Nu s-a publicat nimic pe 1 ianuarie 2030. Cele mai recente articole:"
    today = service.ask("Ce e nou azi?", today=date(2025, 6, 11))
    assert today.heading == "Ce e nou azi, 11 iunie 2025:" and [c.article_id for c in today.citations] == [PENSION]


def test_a_romanian_summary_is_headed_in_romanian(service):
    service.open_article("cititor", BNR)
    answer = service.ask("Fă-mi un rezumat al articolului", "cititor")
    assert answer.kind == SUMMARY and [c.article_id for c in answer.citations] == [BNR]
    assert answer.answer.startswith("Rezumatul articolului „Central bank cuts key rate to 6.25pct")
    assert "(14 martie 2025):" in answer.answer.split("\n", 1)[0]
    # two words are too few to tell the language: the interface's decides (Telegram's language_code)
    alone = service.ask("Rezumă articolul", "străin", language="ro")
    assert alone.kind == SUMMARY and not alone.found and alone.answer.startswith("Deschideți mai întâi un articol")


@pytest.fixture(scope="module")
def multilingual_service(tmp_path_factory: pytest.TempPathFactory):
    """The sample archive indexed with the multilingual model (Romanian questions, English articles)."""
    from qabot.ingest.pipeline import ingest

    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("ro-shapes")) / "data", model="multilingual")
    encoder = build_encoder(settings)
    assert not ingest([str(SAMPLE_ARCHIVE)], settings, encoder).failed
    return open_service(settings, encoder)


def test_a_romanian_comparison_quotes_both_figures_under_romanian_labels(multilingual_service):
    answer = multilingual_service.ask(
        "Care e diferența dintre creșterea salariului minim și creșterea punctului de pensie?")
    assert answer.kind == COMPARE and answer.language == "ro" and answer.heading == "Comparație:"
    assert [c.article_id for c in answer.citations] == [WAGE, PENSION]
    first, second = answer.timeline
    assert "4,325 lei" in first.text and "2.5%" in second.text
    assert "\n- 19 mai 2025: " in answer.answer and "\n- 11 iunie 2025: " in answer.answer


def test_a_romanian_answer_s_suggestions_are_romanian_questions_the_archive_answers(multilingual_service):
    service = multilingual_service
    answer = service.ask("De ce a redus banca centrală dobânda?", suggest=True)
    assert answer.kind == WHY and answer.language == "ro" and BNR in [c.article_id for c in answer.citations]
    assert answer.suggestions == ("Cine este Sorin Vlădescu?",)
    assert service.ask("Why did the central bank cut the rate?", suggest=True).suggestions == ("Who is Sorin Vlădescu?",)
    # every Romanian form a suggestion takes is answered, in Romanian, when asked back
    ro = labels("ro")
    for question, kind in ((ro.ask_latest.format(name="Norvia Labs"), LATEST),
                           (ro.ask_timeline.format(name="Norvia Labs"), TIMELINE),
                           (ro.ask_mentions.format(name="Sibiu"), LIST), (ro.ask_who.format(name="Ioana Preda"), ENTITY)):
        back = service.ask(question, today=JUNE_12)
        assert back.found and back.citations and back.kind == kind and back.language == "ro", question


def test_a_new_chat_s_suggestions_are_in_the_interface_s_language_and_answered(multilingual_service):
    service = multilingual_service
    romanian = service.suggestions(today=JUNE_12, language="ro")
    english = service.suggestions(today=JUNE_12)
    assert 1 <= len(romanian) <= 3 and romanian[0] == "Ce e nou săptămâna aceasta?"
    assert all(q.startswith(ROMANIAN_ASKS) for q in romanian)
    assert english[0] == "What's new this week?"  # cached per language: each reader gets their own
    assert service.suggestions(today=JUNE_12, language="ro-RO") == romanian
    for question in romanian:
        back = service.ask(question, today=JUNE_12)
        assert back.found and back.citations and back.language == "ro", question
