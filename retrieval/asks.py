"""What kind of answer a question asks for, and whether a text holds one.

"Hur många …?" wants a figure, "När …?" a date, "Varför …?" a reason. The composer prefers
sentences that hold what is asked for, and the learned ranker (retrieval/ranker.py) reads the
same patterns of a question and its candidate passages. They accept the question typed without
å/ä/ö ("hur manga", "nar"), and their English forms ("how many", "when"): an English question
is answered with Swedish quotes. What only the bot reads (asking words, bylines, "därför")
lives in bot/asks.py.
"""

from __future__ import annotations

import re

ASKS_NUMBER = re.compile(r"\b(hur (m[åa]nga|mycket|stor|stora|l[äa]nge|ofta|h[öo]g|h[öo]ga)|"
                         r"hur gammal|hur gamla|vilken ålder|how old|vilken andel|hur mkt|"
                         r"kostar|kostade|kosta|kostat|vad tj[äa]nar|antal|belopp\w*|summa|"
                         r"procent|andel|how (much|many|long|often|large|big|high)|what share|"
                         r"what percentage)\b", re.IGNORECASE)
# "När" asks for a date at the head of a question; inside one it is a conjunction ("Vad händer
# när en kommun …").
ASKS_DATE = re.compile(r"^\W*((och|men|så|and|but) )?(n[äa]r|when)\b|\b(vilket [åa]r|vilken m[åa]nad|"
                       r"vilket datum|vilka datum|sedan n[äa]r|sen n[äa]r|vilken dag|what year|"
                       r"which year|what date|"
                       r"since when)\b", re.IGNORECASE)
ASKS_WHY = re.compile(r"\b(varf[öo]r|av vilken anledning|hur kommer det sig|vad beror|why)\b",
                      re.IGNORECASE)
# Number words, but not "en"/"ett": as the article they are in most sentences of the corpus.
HAS_NUMBER = re.compile(r"\d|\b(två|tre|fyra|fem|sex|sju|åtta|nio|tio|elva|tolv|fjorton|"
                        r"hälften|var tredje|miljard|miljoner)\b", re.IGNORECASE)
# The months, in order ("7 november 2018"; ISO month n is MONTHS[n - 1]).
MONTHS = tuple("januari februari mars april maj juni juli augusti september oktober november "
               "december".split())
HAS_DATE = re.compile(r"\b(1[89]|20)\d\d\b|\d{1,2}/\d{1,2}|\b(januari|februari|mars|april|maj|"
                      r"juni|juli|augusti|september|oktober|november|december|våren|hösten|"
                      r"sommaren|vintern|i våras|i höstas)\b", re.IGNORECASE)
# A date written out ("7 november 2018", "1–7 september", "2021", "29/4"): its digits are no
# figure of an answer.
_DATE_DIGITS = re.compile(r"\b(\d{1,2}\s*[–-]\s*)?\d{1,2}\s+(januari|februari|mars|april|maj|juni|"
                          r"juli|augusti|september|oktober|november|december)(\s+\d{4})?\b|"
                          r"\b(1[89]|20)\d\d\b|\b\d{1,2}/\d{1,2}(-\d{2,4})?|\b\d{1,2}[:.]\d{2}\b",
                          re.IGNORECASE)


def holds_figure(text: str) -> bool:
    """True when the text holds a figure beyond the dates in it ("Publicerad 7 november 2018,
    12:19" holds none; "1150 pågående ärenden" does)."""
    return bool(HAS_NUMBER.search(_DATE_DIGITS.sub(" ", text)))


# "Hur länge …?" asks for a duration, which a figure alone is not: "elva anmälningar" answers
# no "How long has Per Sandberg been head …?"; "i 20 år", "sedan 2019" and "halvåret" do. So
# does "hur lång handläggningstid" ("hur långt" is a distance).
ASKS_DURATION = re.compile(r"\b(hur l[äa]nge|hur l[åa]ng|how long|for how many (years|months))\b",
                           re.IGNORECASE)
HAS_DURATION = re.compile(r"\b(\d+|ett|en|två|tre|fyra|fem|sex|sju|åtta|nio|tio|elva|tolv|"
                          r"femton|tjugo|trettio|några|många|flera)\s+(år|månader|månad|veckor|"
                          r"vecka|dagar|dag|timmar|decennier)\b|\bsedan\s+(\d{4}|länge|"
                          r"januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|"
                          r"november|december|våren|hösten)|\bhalvår\w*|\bi\s+\w+\s+år\b",
                          re.IGNORECASE)


HAS_REASON = re.compile(r"\b(eftersom|därför|då|för att|på grund av|pga|p\.g\.a\.|beror|orsak\w*|"
                        r"anledning\w*|till följd av|leder till|ledde till|syfte\w*)\b",
                        re.IGNORECASE)
