"""Danish-aware tokens for the keyword (BM25) index.

Lower-cased word tokens, Danish and English stop words removed (lists from
the ``stop-words`` package; questions come in both languages, documents are
Danish) and each word reduced by the Snowball Danish stemmer
(PyStemmer), so "sikkerheden", "sikkerhed" and "sikkerhedens" meet.
"""
from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"\w+(?:[-.]\w+)*", re.UNICODE)
_DIGIT = re.compile(r"\d")
_JOINERS = re.compile(r"[-.]")


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer  # PyStemmer: C Snowball stemmers

    return Stemmer.Stemmer("danish")


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    from stop_words import get_stop_words

    return frozenset(get_stop_words("danish")) | frozenset(get_stop_words("english"))


def words(text: str) -> list[str]:
    """Lower-cased word tokens; "ISO 27.001" keeps "27.001", "it-projekter" splits.

    Most words hold no "-" or ".", and are kept as they stand without a look
    at their letters: the tokens of a comparison's 2,000 statements took a
    fifth of its time at 100k chunks."""
    out: list[str] = []
    for token in _WORD.findall(text.lower()):
        if "-" not in token and "." not in token or _DIGIT.search(token):
            out.append(token)
        else:
            out.extend(t for t in _JOINERS.split(token) if t)
    return out


def tokenize(text: str) -> list[str]:
    """Stemmed content tokens of ``text`` (stop words and 1-letter words dropped)."""
    stops = stop_words()
    kept = [w for w in words(text) if w not in stops and (len(w) > 1 or w.isdigit())]
    return _stemmer().stemWords(kept)
