"""Romanian text: the question's language, its kinds, abbreviations, dates, and the catalogue."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from qabot.answers.intent import ASOF, ENTITY, LATEST, PLAIN, TIMELINE, read_intent
from qabot.ingest.clean import parse_date
from qabot.text.dates import long_date
from qabot.text.i18n import catalogue_path, messages, translator
from qabot.text.lang import detect
from qabot.text.sentences import split_sentences
from qabot.text.when import parse_dates

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(("text", "hint", "language"), [
    ("Care este salariul minim?", None, "ro"),
    ("Cine este ministrul transporturilor?", "en", "ro"),
    ("Cat este inflatia acum?", None, "ro"),  # typed without diacritics
    ("What is the minimum wage now?", "ro", "en"),
    ("Metrorex", "ro-RO", "ro"),  # a bare name tells nothing: the interface's language decides
    ("Metrorex", None, "en"),
    ("BNR 2025", "de", "en"),  # a language qabot does not speak: English
    ("costel bejan", "ro", "ro"),  # a name typed in lower case: still only a name
    ("Who owns Banca Agricolă a Dunării now?", "ro", "en"),  # a Romanian name in an English question
])
def test_the_question_language_is_detected_and_a_short_one_takes_the_hint(text, hint, language):
    assert detect(text, hint) == language


@pytest.mark.parametrize(("question", "kind"), [
    ("Cât este acum salariul minim brut?", LATEST),
    ("Care este în prezent punctul de pensie?", LATEST),
    ("Care este cea mai recentă prognoză de creștere?", LATEST),
    ("Este oțelăria din Galați încă închisă?", LATEST),
    ("S-a deschis deja autostrada A16?", LATEST),
    ("Cine este ministrul finanțelor?", LATEST),
    ("Cât a fost inflația în martie 2025?", ASOF),
    ("Cât a fost salariul minim în a doua jumătate a anului 2024?", ASOF),
    ("Care a fost prima estimare de creștere pentru 2026?", ASOF),
    ("Cum a evoluat dobânda de politică monetară?", TIMELINE),
    ("Cronologia privatizării Băncii Agricole a Dunării", TIMELINE),
    ("Ce s-a întâmplat cu oțelăria din Galați?", TIMELINE),
    ("Câte paturi va avea spitalul din Craiova?", PLAIN),
])
def test_romanian_questions_have_their_kind(question, kind):
    assert read_intent(question, TODAY).kind == kind


def test_romanian_entity_questions_name_the_person_as_typed():
    who = read_intent("Cine este Sorin Vlădescu?", TODAY)
    assert (who.kind, who.name) == (ENTITY, "Sorin Vlădescu")
    said = read_intent("Ce a declarat Florentina Zamfir despre acordul de 15%?", TODAY)
    assert (said.kind, said.name, said.topic) == (ENTITY, "Florentina Zamfir", "acordul de 15%")


def test_a_romanian_half_year_is_a_period():
    dates, _rest = parse_dates("Cât a fost salariul minim în a doua jumătate a anului 2024?", TODAY)
    assert (dates.since, dates.until) == ("2024-07-01", "2024-12-31")


def test_romanian_abbreviations_do_not_split_sentences():
    text = ("Dl. Popescu a spus că legea nr. 5 modifică art. 12 alin. (3) lit. b) din cod. "
            "Dna. Ionescu a răspuns, prin dl. Vlad, că se schimbă taxe, tarife etc. Apoi ședința s-a încheiat.")
    assert split_sentences(text) == [
        "Dl. Popescu a spus că legea nr. 5 modifică art. 12 alin. (3) lit. b) din cod.",
        "Dna. Ionescu a răspuns, prin dl. Vlad, că se schimbă taxe, tarife etc. Apoi ședința s-a încheiat.",
    ]


def test_english_words_among_romanian_abbreviations_still_end_english_sentences():
    text = "The test found his DNA. The gallery showed modern art. Then the torch was lit. It burned."
    assert len(split_sentences(text)) == 4


def test_dates_in_romanian_pages_are_read_and_written():
    assert parse_date("Publicat pe 12 martie 2025") == "2025-03-12"
    assert parse_date("Actualizat: 3 iunie 2025, 14:30") == "2025-06-03"
    assert long_date("2026-11-04", "ro") == "4 noiembrie 2026"
    assert long_date("2026-11-04") == "4 November 2026"


def test_english_is_the_msgid_and_romanian_is_translated():
    assert translator("en")("Sources:") == "Sources:"
    assert translator(None)("Sources:") == "Sources:"
    assert translator("ro")("Sources:") == "Surse:"
    assert translator("ro-RO")("As of {date}: ").format(date="4 noiembrie 2026") == "La data de 4 noiembrie 2026: "


def _marked_messages() -> dict[str, str]:
    """Every message qabot's code passes to a translator (``_("...")``, ``translator(x)("...")``,
    ``gettext_for(u)("...")``), a module constant passed by name included."""
    found: dict[str, str] = {}
    for path in sorted((REPO / "qabot").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
                     and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
                     for t in n.targets if isinstance(t, ast.Name)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args and _is_gettext(node.func)):
                continue
            arg = node.args[0]
            where = f"{path.relative_to(REPO)}:{node.lineno}"
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.setdefault(arg.value, where)
            elif isinstance(arg, ast.Name) and arg.id in constants:
                found.setdefault(constants[arg.id], where)
            else:
                raise AssertionError(f"{where}: a message must be a literal (or a module constant)")
    return found


def _is_gettext(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id == "_"
    if isinstance(func, ast.Attribute):
        return func.attr == "_"
    return isinstance(func, ast.Call) and isinstance(func.func, ast.Name) and func.func.id in (
        "translator", "gettext_for")


def test_every_message_has_a_romanian_translation():
    from babel.messages.pofile import read_po

    with catalogue_path("ro").open("rb") as f:
        catalog = read_po(f, locale="ro")
    entries = {m.id: m for m in catalog if m.id}
    marked = _marked_messages()
    assert len(marked) > 50
    untranslated = [f"{where}: {msgid!r}" for msgid, where in marked.items() if msgid not in messages("ro")]
    assert not untranslated, "no Romanian translation in qabot/locale/ro/LC_MESSAGES/qabot.po:\n" + "\n".join(
        untranslated)
    assert not [m.id for m in entries.values() if m.fuzzy or not m.string], "fuzzy or empty entries"
    assert not set(entries) - set(marked), "catalogue entries no code uses any more"
    # placeholders survive translation
    for msgid, entry in entries.items():
        assert sorted(_fields(msgid)) == sorted(_fields(entry.string)), msgid


def _fields(text: str) -> list[str]:
    from string import Formatter

    return [name for _, name, _, _ in Formatter().parse(text) if name is not None]
