"""Romanian words qabot reads by: question cues, abbreviations and day names.

The patterns are matched against folded text (``qabot.text.fold``: lower case, no diacritics),
so "în prezent", "in prezent" and "ÎN PREZENT" read alike; folding keeps Latin text's length,
so a match's span is also the span in the question as typed. The stop words live with the
keyword search they serve (``embeddings.stopwords``); they are re-exported here.
"""

from __future__ import annotations

import re

from embeddings.stopwords import ROMANIAN as STOP_WORDS

__all__ = [
    "ABBREVIATIONS", "ASOF_WORDS", "BEFORE_NUMBER", "DAYS", "MONTH_NAMES", "EARLIEST", "LATEST", "QUESTION_WORD", "SAID", "STOP_WORDS",
    "TIMELINE", "WHO_IS", "cue_kind", "name_stem", "SAID_VERB", "ROLE", "INTRODUCES",
]

# Abbreviations that end in a period without ending the sentence ("dl. Popescu", "nr. 12").
# Written in capitals they are English acronyms ("DNA.", "the EC."), and end the sentence.
ABBREVIATIONS = frozenset(
    """dl dna dra dlor dnei d-l d-na d-ra nr alin etc pct pag vol ian feb mar apr iun iul aug sept oct noi
    dec str bd bld sos jud prof dr ing av ec conf lect asist gen col lt cpt sg pres vicepres sen dep aprox
    mil mld cca tel fig""".split()
)
# English words too ("modern art.", "the torch was lit."): abbreviations only before a number or a
# bracket, as in "art. 5 alin. (2) lit. a)".
BEFORE_NUMBER = frozenset("art lit cap par".split())
# How answers write a month ("4 noiembrie 2026"); reading months is qabot.text.dates' table.
MONTH_NAMES = tuple(
    "ianuarie februarie martie aprilie mai iunie iulie august septembrie octombrie noiembrie decembrie".split()
)
DAYS = frozenset("luni marti miercuri joi vineri sambata duminica".split())

TIMELINE = re.compile(
    r"\bcum (?:a|au|s-a|s-au) (?:evoluat|schimbat|modificat|progresat|desfasurat|decurs|avansat)\b|"
    r"\bcronologi\w*|\bistoric(?:ul)? (?:lui|a|al|ale|dosarului|proiectului)\b|\bevolutia\b|"
    r"^\s*ce s-a (?:intamplat|petrecut) (?:cu|in cazul)\b|\bpas cu pas\b|\bde la (?:inceput|start)\b"
)
LATEST = re.compile(
    r"\b(?:acum|actual\w*|in prezent|momentan|in acest moment|cel mai recent|cea mai recenta|cele mai recente|"
    r"cei mai recenti|ultim(?:a|ul|ele|ii) (?:cifra|estimare|prognoza|date|vesti|stiri|informatii)|inca|deja|"
    r"pana acum|pana in prezent|curent\w*|in vigoare|urmatoare[a]?|urmatorul)\b|"
    r"^\s*cand (?:va|vor|se va|se vor|urmeaza)\b|"
    r"^\s*cine (?:este|e|conduce) (?:noul |actualul )?(?:ministr|guvernator|presedint|primar|director|sef|"
    r"premier|prim-ministr|lider|antrenor|rector|procuror)\w*"
)
EARLIEST = re.compile(
    r"\b(?:prim(?:a|ul)|initial(?:a|ul)?|original(?:a|ul)?|anterio\w+|vech\w+)\s+(?:\w+\s+)?"
    r"(?:estimar|prognoz|previziun|cifr|plan|ofert|propuner|tint|termen|dat|pret|buget|versiun|raport|cost|"
    r"valoar|contract|promisiun|deficit|obiectiv|calendar)\w*|"
    r"\b(?:estimar|prognoz|previziun|cifr|tint|termen|deficit|buget|plan|obiectiv)\w*\s+(?:\w+\s+)?initial\w*|"
    r"\b(?:initial|la inceput|la inceputul)\b"
)
ASOF_WORDS = re.compile(r"\b(?:prim(?:a|ul)|initial\w*|la inceput\w*|anterio\w+)\b")
WHO_IS = re.compile(r"^\s*cine (?:este|e|era|a fost)\s+(?!ministr|noul|actualul|cel|cea|un|o\b)(.+?)\s*\??\s*$")
SAID = re.compile(
    r"^\s*ce (?:a|au|ar fi|va) (?:declarat|spus|afirmat|zis|comentat|transmis|precizat|anuntat)\s+(.+?)"
    r"(?:\s+(?:despre|privind|referitor la|cu privire la|in legatura cu|cand|dupa ce|dupa|la|in) (.+?))?\s*\??\s*$"
)
QUESTION_WORD = re.compile(
    r"^\s*(?:cine|ce|cand|unde|de ce|care|cat|cata|cati|cate|cum|este|e|sunt|a|au|s-a|se|mai|exista|poate)\b|\?"
)

# Endings of declined names ("Brăilei", "Galațiului", "Ifrimului"), longest first.
_NAME_ENDINGS = ("ului", "ilor", "elor", "lui", "ei", "ii", "ul", "a")


def name_stem(folded_word: str) -> str:
    """A declined name's stem, to find "Brăila" for "Brăilei" (at least four letters kept)."""
    for ending in _NAME_ENDINGS:
        if folded_word.endswith(ending) and len(folded_word) - len(ending) >= 4:
            return folded_word[: -len(ending)]
    return folded_word


# Romanian articles: a quotation's attribution, a role, an appointment (matched on folded text).
SAID_VERB = re.compile(
    r"\b(?:a|au|ar fi|va) (?:declarat|spus|precizat|afirmat|explicat|adaugat|avertizat|subliniat|transmis|"
    r"mentionat|sustinut|anuntat|aratat|insistat)\b|\b(?:declara|spune|sustine|afirma|precizeaza)\b"
)
# Romanian word forms only ("ministrul", "primarul"), so that an English sentence never matches
ROLE = re.compile(
    r"\b(?:ministr(?:u|ul|ului|a|ii|ilor)|guvernator(?:ul|ului)?|presedinte(?:le|lui)?|presedinta|"
    r"director(?:ul|ului)|sef(?:ul|ului|a)?|managerul(?:ui)?|primar(?:ul|ului|ii)?|purtator(?:ul)? de cuvant|"
    r"fondator(?:ul|ului)?|lider(?:ul|ului)?|antrenor(?:ul|ului)?|secretar(?:ul|ului)|comisar(?:ul|ului)?|"
    r"deputat(?:ul|ului)?|procuror(?:ul|ului)?|judecator(?:ul|ului)?|rector(?:ul|ului)|profesor(?:ul|ului)?|"
    r"analist(?:ul|ului)?|prefect(?:ul|ului)|capitan(?:ul|ului)?|vicepresedinte(?:le|lui)?|consilier(?:ul|ului)?)\b"
)
INTRODUCES = re.compile(r"\b(?:numit|numita|investit|investita|a fost ales|a fost aleasa|a depus juramantul|"
                        r"a preluat|nascut|nascuta)\b")

_NUMBER = re.compile(r"\b(?:cat|cata|cati|cate|ce (?:suma|procent|pret|valoare|nivel|rata|cifra|numar))\b")
_DATE = re.compile(r"\b(?:cand|in ce (?:an|luna|zi|data)|de cand|pana cand)\b")
_NAME = re.compile(r"\b(?:cine|pe cine|al cui|a cui|ce (?:companie|firma|ministru|persoana|echipa))\b")


_STARTS = re.compile(
    r"^\s*(?:cine|ce|cand|unde|care|cat|cata|cati|cate|cum|in ce|de cand|pana cand|pe cine|al cui|a cui|si)\b"
)


def cue_kind(folded_question: str) -> str | None:
    """What a Romanian question asks for: "number" (cât, câți), "date" (când), "name" (cine),
    or None when it asks for none of them or is not a Romanian question ("Cate Blanchett")."""
    if not _STARTS.match(folded_question) or not QUESTION_WORD.match(folded_question):
        return None
    if _NUMBER.search(folded_question):
        return "number"
    if _DATE.search(folded_question):
        return "date"
    if _NAME.search(folded_question):
        return "name"
    return None


# ==================================================================================================
# Question shapes (issue 21l): lists, comparisons, causes, digests, summaries, read by
# ``qabot.answers.intent.read_shape`` on the folded question (as the cues above). Each names what
# its English sibling there reads; a group is the subject, as in the English patterns.
# ==================================================================================================
_SHAPE_END = r"\s*[?.!]*\s*$"
_PIECES = r"(?:articolele|articole|stirile|stiri|materialele|materiale|textele|reportajele)"
# "azi", "săptămâna aceasta", "în ultimele 3 zile": the relative times a shape question names,
# each with the English phrase ``qabot.text.when`` reads for it (so both languages mean one range)
_RELATIVE_TIMES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:(?:de|pe|din) )?(?:azi|astazi)\b"), "today"),
    (re.compile(r"\b(?:(?:de|din) )?ieri\b"), "yesterday"),
    (re.compile(r"\b(?:(?:din|in|de) )?(?:saptamana (?:aceasta|asta|curenta)|(?:aceasta|asta) saptamana)\b"),
     "this week"),
    (re.compile(r"\b(?:(?:din|in|de) )?(?:luna (?:aceasta|asta|curenta)|(?:aceasta|asta) luna)\b"), "this month"),
    (re.compile(r"\b(?:(?:din|in|de) )?anul (?:acesta|asta|curent)\b"), "this year"),
    (re.compile(r"\b(?:(?:din|in) )?(?:ultima saptamana|saptamana trecuta)\b"), "last week"),
    (re.compile(r"\b(?:(?:din|in) )?(?:ultima luna|luna trecuta)\b"), "last month"),
    (re.compile(r"\b(?:din |in )?ultimele (\d{1,3}) zile\b"), "in the last {} days"),
)
_WHEN = r"(?:(?:de |din |in |pe )?(?:azi|astazi|ieri|saptamana (?:aceasta|asta|curenta)|luna (?:aceasta|asta|curenta)|" \
        r"(?:aceasta|asta) (?:saptamana|luna)|anul (?:acesta|asta|curent)|ultima (?:saptamana|luna)|" \
        r"saptamana trecuta|luna trecuta|ultimele \d{1,3} zile)|recent|in ultima vreme|in ultimul timp)"
LIST_BY = re.compile(
    rf"^\s*(?:(?:care sunt|arata-mi|gaseste|listeaza|da-mi)\s+)?(?:toate\s+)?{_PIECES}\s+"
    r"(?:(?:scrise|semnate|publicate|redactate)\s+de|autorului|autoarei)\s+(.+?)" + _SHAPE_END + "|"
    rf"^\s*(?:ce|care)\s+{_PIECES}\s+(?:a|au)\s+(?:scris|semnat|publicat)\s+(.+?)" + _SHAPE_END
)
LIST = re.compile(
    rf"^\s*(?:ce|care)\s+{_PIECES}\s+(?:(?:il|o|ii|le)\s+)?(?:mentioneaza|mentionau|au mentionat|pomenesc|"
    r"vorbesc despre|au vorbit despre|(?:sunt|au fost) despre|trateaza|abordeaza|se refera la|scriu despre|"
    r"au scris despre)\s+(?:pe\s+)?(.+?)" + _SHAPE_END + "|"
    r"^\s*(?:(?:care sunt|arata-mi|gaseste|listeaza|da-mi)\s+)?(?:toate\s+)?" + _PIECES +
    r"\s+(?:despre|privind|referitoare la|legate de|cu privire la|care (?:il |o )?mentioneaza(?: pe)?)\s+(.+?)"
    + _SHAPE_END + "|"
    r"^\s*ce (?:am|ati|a-ti|ai)\s+(?:scris|publicat|relatat)\s+(?:despre|pe tema)\s+(.+?)" + _SHAPE_END + "|"
    r"^\s*(?:tot ce (?:s-a scris|ati scris|am scris)|totul)\s+despre\s+(.+?)" + _SHAPE_END
)
_NOT_A_SIDE = r"(?!(?:cine|ce|cand|unde|de ce|cum|care|cat|cata|cati|cate|este|e|sunt|a|au|s-a)\b)"
COMPARE = re.compile(
    r"\bdiferenta (?:dintre|intre)\s+(.+?)\s+si\s+(.+?)" + _SHAPE_END + "|"
    r"^\s*compara(?:ti|-mi)?\s+(.+?)\s+(?:cu|si|fata de)\s+(.+?)" + _SHAPE_END + "|"
    r"^\s*cum (?:se compara|arata)\s+(.+?)\s+(?:cu|fata de|in comparatie cu|comparativ cu)\s+(.+?)" + _SHAPE_END + "|"
    rf"^\s*{_NOT_A_SIDE}(.+?)\s+(?:fata de|comparativ cu|in comparatie cu)\s+(.+?)" + _SHAPE_END
)
WHY = re.compile(
    r"^\s*(?:de ce\b|din ce (?:cauza|motiv)\b|(?:care|ce) (?:este|e|a fost|sunt|au fost) "
    r"(?:motiv(?:ul|ele)|cauz(?:a|ele)|ratiunea)\b|ce (?:a|au) (?:dus|condus) la\b|"
    r"ce (?:a|au) (?:determinat|provocat|cauzat|declansat)\b|ce (?:se afla|sta|a stat) in spatele\b)"
)
DIGEST = re.compile(
    rf"^\s*(?:si\s+)?ce (?:mai )?(?:e|este|avem|exista) nou(?:\s+{_WHEN})?" + _SHAPE_END + "|"
    rf"^\s*(?:ce )?noutati(?: (?:sunt|avem|exista|mai sunt))?(?:\s+{_WHEN})?" + _SHAPE_END + "|"
    rf"^\s*(?:si\s+)?ce s-a (?:mai )?(?:intamplat|petrecut)\s+{_WHEN}" + _SHAPE_END + "|"
    r"\b(?:principalele|cele mai importante|marile) (?:stiri|vesti|subiecte|titluri|evenimente)\b|"
    r"\bstirile (?:zilei|saptamanii|lunii|de azi|de astazi|de ieri)\b|"
    rf"^\s*(?:stiri|stirile|titlurile)(?:\s+{_WHEN})?" + _SHAPE_END
)
_THE_ARTICLE = r"(?:(?:al |la |pentru )?(?:acest(?:ui|ei)? |aceasta |acesta )?(?:articol|stire|stiri|material|text|pagin)\w*)"
SUMMARY = re.compile(
    r"^\s*(?:te rog,?\s+)?(?:rezuma(?:-mi|ti(?:-mi)?)?|fa(?:-mi)? un rezumat|da-mi un rezumat|"
    rf"(?:care (?:e|este) )?rezumatul)\s+{_THE_ARTICLE}\b|"
    r"^\s*(?:te rog,?\s+)?(?:fa(?:-mi)? un rezumat|da-mi un rezumat|rezumat|rezuma(?:-mi)?|pe scurt)" + _SHAPE_END
)
# a comparison's second side: "cea mai recentă (prognoză)" is the newest of the first side's
# story, "prima (prognoză)" its earliest (as "the latest", "the first" in qabot.answers.compare)
LATEST_SIDE = re.compile(
    r"^\s*(?:(?:cea|cel|cele|cei) mai (?:recent|recenta|recente|recenti|noua|nou)|ultim(?:a|ul|ele|ii)|"
    r"(?:cea |cel )?actual(?:a|ul)?)\b\s*(.*)$|^\s*(?:acum|azi|astazi|in prezent)\s*()$"
)
FIRST_SIDE = re.compile(r"^\s*(?:prim(?:a|ul)|(?:cea |cel )?initial(?:a|ul)?|(?:cea |cel )?dintai)\b\s*(.*)$")


def relative_time(folded_question: str) -> tuple[int, int, str] | None:
    """The span of a relative time a Romanian question names ("azi", "săptămâna aceasta",
    "în ultimele 3 zile") and the English phrase for it ("today", "this week", "in the last 3
    days"), or None."""
    for pattern, english in _RELATIVE_TIMES:
        match = pattern.search(folded_question)
        if match:
            return match.start(), match.end(), english.format(*match.groups())
    return None
