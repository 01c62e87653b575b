"""Stop words of the languages the keyword search reads: English and Romanian.

Romanian words are listed folded (no diacritics) and with their diacritics, since keyword
terms are taken from text as typed and from folded text alike. Only words that are not also
English words or parts of English names are listed ("de" of "De Niro", "la" of "La Liga", "un",
"eu", "ai", "care", "era" stay), so English queries keep every word they had.
"""

from __future__ import annotations

ENGLISH = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours out over own same
    she should so some such than that the their theirs them themselves then there these they this
    those through to too under until up very was we were what when where which while who whom why
    will with would you your yours yourself yourselves tell say said says did does according
    news article articles archive""".split()
)

_ROMANIAN_FOLDED = """si sau dar iar ce cum cine carei caror cata cati cate cand unde din pe cu pentru despre
    prin spre catre fara peste dupa inainte intre asupra printre una unei unui niste lui lor ei ea
    ele ei noi voi este sunt erau fost fi fiind avea au aveau s-a s-au se isi si-a mai foarte doar
    chiar toti toate toata acest aceasta acesta aceste acestei acestui acei acele acel acea cea cei
    cele ceea nu daca insa deci astfel acum inca deja spune spus declarat zis stire stiri articol
    articole arhiva ati fost-a vor vom vei poate putea""".split()
_WRITTEN = """și că cât câtă câți câte când către fără după întrebare între își și-a aceasta această acești
    acestei această acea ăsta ăla însă dacă încă spus fără până până sunteți""".split()
ROMANIAN = frozenset(_ROMANIAN_FOLDED) | frozenset(_WRITTEN)
