"""Who leads what: a leader's role and a name side by side, and the questions that ask for one.

"Vem leder fackförbundet Vision?" is answered by "Visions förbundsordförande Veronica
Magnusson" and "Vem är chef för förvaltningen i Växjö?" by "förvaltningschefen Per Sandberg",
though neither shares much with the question but a role: the words people ask with ("leder",
"chef för", "heads") are not the words of the answer ("förbundsordförande", "förvaltningschef").
A role written next to a name is an apposition newspapers use for every person they quote, so
it is found by its shape, in any corpus: a leader's role word (… chef, … ordförande, … ledare,
… direktör, rektor) before a name ("Förvaltningschef Per Sandberg", "ordförande Lundgren") or
after one ("Veronica Magnusson, förbundsordförande för Vision").

Which leader a question asks for is read from the apposition's words: the role's own first part
("förvaltnings|chef" for "förvaltningen"), the organisation after it ("för Vision", "i Individ-
och familjenämnden") or before it ("Visions förbundsordförande"). The role's head alone ("chef",
"ordförande") fits every leader, so it does not count: "Vem är ordförande i nämnden för arbete
och välfärd i Växjö?" is fitted by no "ordförande" of the corpus, which leads no other nämnd.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from retrieval.query import Query

# A leader's role word: an optional first part and a head, with the definite ending.
_HEADS = r"chef|ordförande|ordforande|ledare|direktör|direktor|rektor"
_ROLE = rf"(?i:[a-zåäöé]*-?(?:{_HEADS})(?:en|n)?)"
# A name: capitalised words (case matters: "Vision Chef" is no person). After a role one will
# do ("ordförande Lundgren"); before one, a first name and a surname ("Heike Erkers"), since a
# sentence's first word is capitalised too ("Partiernas gruppledare …").
_WORD = r"[A-ZÅÄÖÉ][a-zåäöéü]+"
_SPACE = r"[^\S\n]+"  # never across a line: a heading's last word is no role of the next line
# The role before the name ("förvaltningschefen Per Sandberg"), or after it, in lower case
# ("Heike Erkers, förbundsordförande i …").
APPOSITION = re.compile(
    rf"\b(?P<role>{_ROLE}){_SPACE}(?P<name>{_WORD}(?: {_WORD})?)\b|"
    rf"\b(?P<name2>{_WORD} {_WORD}),?{_SPACE}(?P<role2>[a-zåäöé]*-?(?:{_HEADS})(?:en|n)?)\b")
_HEAD = re.compile(rf"-?(?:{_HEADS})(?:en|n)?$", re.IGNORECASE)
# The organisation after a role: up to four words after "för", "i", "på", "vid" or "inom".
_ORG_AFTER = re.compile(r"^,?[^\S\n]+(?:för|i|på|vid|inom)[^\S\n]+((?:[\wÅÄÖåäöé-]+ ?){1,4})")
# … or before it, in the genitive ("Visions förbundsordförande").
_ORG_BEFORE = re.compile(r"\b([A-ZÅÄÖ][\wåäöé]*s)[^\S\n]+$")
# A question for a leader: "Vem leder/styr …", "Vem är (högsta) chef/ordförande för …",
# "Vem är förvaltningschef …", "Who heads/leads/chairs …", "Who is the head of …"; typed
# without å/ä/ö too. What leads to something is a cause ("Vad leder till …?", "Vem … ledde
# till …?"), not a leader.
ASKS_LEADER = re.compile(
    r"\b(vem|who)\b(\s\S+){0,4}?\s(leder|ledde|styr|styrde|basar|heads?|leads?|led|"
    r"chairs?|runs?)\b(?!\s+(till|to)\b)|"
    r"\b(vem (är|ar|var)|who (is|was))\s(den |the )?(\w+ ){0,2}(ordf[öo]rande\w*|\w*chef\w*|"
    r"\w*ledare\w*|direkt[öo]r\w*|rektor\w*|chair\w*|head|director|leader|boss)\b",
    re.IGNORECASE)


MIN_PART = 5  # letters of the shortest last part of a compound: "förvaltning", not "råd"


@dataclass(frozen=True, slots=True)
class Mention:
    """A leader's role beside a name in a text, and the words that say whose leader."""

    name: str
    role: str
    words: str  # the role, its first part and the organisation, as text to analyse


def mentions(text: str) -> list[Mention]:
    """Every leader's role written beside a name in `text`, in order."""
    out = []
    for m in APPOSITION.finditer(text):
        role = m.group("role") or m.group("role2")
        name = m.group("name") or m.group("name2")
        first = _HEAD.sub("", role)
        after = _ORG_AFTER.match(text[m.end():])
        before = _ORG_BEFORE.search(text[max(0, m.start() - 40):m.start()])
        org = " ".join(g.group(1) for g in (after, before) if g)
        out.append(Mention(name, role, f"{role} {first} {org}".strip()))
    return out


def asks_leader(question: str) -> bool:
    """The question asks who leads something."""
    return bool(ASKS_LEADER.search(question))


def asked_terms(query: Query) -> frozenset[str]:
    """The question's own words as analysed, and their corpus forms, not their compounds or
    synonyms: "nämnden" is no "familjenämnden", though search lets one find the other."""
    return frozenset({g.term for g in query.groups}
                     | {t for g in query.groups for t, f in g.matches.items() if f >= 1.0})


def fit(mention: Mention, asked: Collection[str], terms: Callable[[str], Iterable[str]],
        heads: frozenset[str]) -> int:
    """How many of the mention's terms (its role, the role's first part, its organisation) the
    question asks with (`asked`), the role heads (`heads`: "chef", "ordförande") not counted. A
    question's compound counts for its last part ("socialförvaltningen" for a
    "förvaltningschef"), never the other way: "nämnden" asks for no "familjenämnden"."""
    own = {t for t in terms(mention.words) if t not in heads}
    return sum(1 for t in own if t in asked or (
        len(t) >= MIN_PART and any(a.endswith(t) for a in asked)))


def best_fit(found: Iterable[Mention], asked: Collection[str],
             terms: Callable[[str], Iterable[str]], heads: frozenset[str]) -> int:
    """How well the best of a text's leader mentions fits the question (`fit`); 0 with none."""
    return max((fit(m, asked, terms, heads) for m in found), default=0)


def head_terms(terms: Callable[[str], Iterable[str]]) -> frozenset[str]:
    """The analysed forms of the role heads and of the verbs that ask for a leader."""
    words = ("chef chefen ordförande ordföranden ledare ledaren leder direktör direktören rektor "
             "rektorn högsta")
    return frozenset(terms(words))
