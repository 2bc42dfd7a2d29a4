"""Say what is missing: the names, places, years and figures of a question that the quoted
documents never mention, and the kind of answer it asks for that no quote holds.

A search engine shows "Missing: term" under a result that matched only part of a query. A
quote about Umeå's budget is no answer to "Vad kostar socialtjänsten i Växjö?", however close
its words; saying "Växjö nämns inte" keeps the reader from taking it for one. A name counts
as present when the first quote's whole document (any passage, its title) has it: the Växjö
article's paragraphs rarely repeat the town's name. The retriever reads that from the postings
(Results.in_document), so it costs no document's text. A name the document has only after the
first answer's passages (not in its title, not its author or publisher), and that no quote's
paragraph has, is missing too: a document introduces whom it quotes before it quotes them, and
an archive page's later article is about someone else. A year or figure the document has must
also be in the quoted paragraph (or, a year, in the document's date): a document names many
years, and a paragraph about September 2018 is no answer about the end of 2017.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.answer import Quote
from bot.asks import (ASKS, ASKS_AUTHOR, ASKS_FINDING, ASKS_LIST, ASKS_PERSON, ASKS_PUBLISHED,
                      ASKS_REPLIED, HOLDS_FINDING, HOLDS_LIST, HOLDS_NAME)
from retrieval.asks import (ASKS_DATE, ASKS_DURATION, ASKS_NUMBER, HAS_DATE, HAS_DURATION,
                            holds_figure)
from retrieval.passage import Document
from retrieval.sentences import sentence_role
from retrieval.query import Query, TermGroup

_LEADING = re.compile(r"^\W*((och|men|så) )?", re.IGNORECASE)
# What it costs or earns asks for an amount of money: "27 socialsekreterare" holds a figure but
# no answer to "Vad tjänar en socialsekreterare?", nor "1150 ärenden" to what Växjö's costs.
# A question that merely names a budget ("… inom budgetramarna?") asks for no amount.
ASKS_MONEY = re.compile(r"\b(kostar|kostade|kosta|kostat|tj[äa]nar|tj[äa]nade|hur mycket pengar|"
                        r"vad (är|var) budgeten|cost|costs|earn|earns|salary|"
                        # what a salary is, not what people think of salaries ("Vilken lön har
                        # en socialsekreterare?", "Hur hög är lönen?")
                        r"(vilken|vilka|hur h[öo]ga?|vad (är|var|blir|har)) (\w+ ){0,3}"
                        r"(m[åa]nads|ingångs|tim|medel)?l[öo]n(en|er|erna)?)\b",
                        re.IGNORECASE)
HOLDS_MONEY = re.compile(r"\b(kr|kronor|miljon\w*|miljard\w*|mkr|mnkr|tkr|sek|euro|dollar)\b|:-",
                         re.IGNORECASE)
# The kinds of answer a question may ask for, and how a quote is seen to hold one. A bare "vem"
# is not checked, its answers are as often a role ("enhetschefen") as a name; "Vad heter
# chefen?", "Vem är ordförande …?" and "Vem leder …?" ask for a name (bot/asks.py ASKS_PERSON),
# one the question does not name itself (_other_person).
# A figure is asked for by "hur många", "hur mycket", … or by asking what something costs or pays.
ASKS_FIGURE = re.compile(f"{ASKS_NUMBER.pattern}|{ASKS_MONEY.pattern}", re.IGNORECASE)
KINDS = (("figure", ASKS_FIGURE, holds_figure), ("date", ASKS_DATE, HAS_DATE.search),
         ("name", ASKS_PERSON, HOLDS_NAME.search), ("finding", ASKS_FINDING, HOLDS_FINDING.search),
         ("list", ASKS_LIST, HOLDS_LIST.search))


@dataclass(frozen=True, slots=True)
class Gaps:
    """What an answer lacks: names/figures of the question, kinds of answer, and all of it as
    the question's words (the `missing` of `ask --json`)."""

    names: tuple[str, ...] = ()
    # Years and figures its document has, but not the first answer's paragraph
    figures: tuple[str, ...] = ()
    # Names its document has only after the first answer, and in no quote's paragraph
    later: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()  # "figure", "duration", "date", "published", "name", "finding",
    # "list", "author"
    words: tuple[str, ...] = ()


LEAD = 3


class MissingCheck:
    """Finds what a question needs that its first answer and that answer's document lack."""

    def __init__(self, documents: Mapping[str, Document], in_paragraph: bool = True) -> None:
        self.documents = documents
        self.in_paragraph = in_paragraph  # a question's years and figures read in the paragraph

    def gaps(self, query: Query, quotes: Sequence[Quote], lead: int = 1,
             in_document: Mapping[str, Sequence[float]] | None = None,
             named_later: Mapping[str, frozenset[int]] | None = None) -> Gaps:
        """What the first answer (`quotes[:lead]`) lacks: the names and figures of the question
        its document does not have, and the kinds of answer asked for ("hur många": a figure,
        "när": a date) that it does not hold. Empty when nothing was quoted.

        Only the first answer is read: a reader takes it for the answer, and a figure in the
        fourth quote, or a town in another quote's document, is usually about something else."""
        if not quotes:
            return Gaps()
        docs = {q.doc for q in quotes[:lead]}
        absent = [i for i, g in enumerate(query.groups)
                  if _names_or_counts(g)
                  and not any(self._has(d, i, g, in_document) for d in docs)]
        after = [i for i, g in enumerate(query.groups)
                 if i not in absent and self._only_after(i, g, quotes, lead, named_later or {})]
        names = [_as_typed(query.text, query.groups[i]) for i in absent]
        later = [_as_typed(query.text, query.groups[i]) for i in after]
        # A year or figure is read in the paragraph, not the document: the Växjö article has
        # "2017" (a reorganisation) and counts cases "i slutet av september" 2018, which is no
        # answer to how many there were at the end of 2017.
        figures = [_figure_as_typed(query.text, g) for i, g in enumerate(query.groups)
                   if self.in_paragraph and i not in absent and _counts(g)
                   and not any(self._in_paragraph(q, g.term) for q in quotes[:lead])]
        asking = asked(query)
        kinds, words = [], []
        for kind, asks, holds in KINDS:
            if (match := asks.search(asking)) is None:
                continue
            kind, answers = self._answered_by(kind, holds, asking, query.text)
            if not any(answers(q) for q in quotes[:lead]):
                kinds.append(kind)
                words.append(_asking_words(match.group(0)))
        # "Vem skrev artikeln?" answered by text, not by a byline: the text's author is unknown
        # here (the file names none), and a quote of someone in the text must not pass for one.
        if (match := ASKS_AUTHOR.search(asking)) and not any(
                self._by_author(q) for q in quotes[:lead]):
            kinds.append("author")
            words.append(_LEADING.sub("", match.group(0).strip()))
        return Gaps(tuple(dict.fromkeys(names)), tuple(dict.fromkeys(figures)),
                    tuple(dict.fromkeys(later)), tuple(kinds),
                    tuple(dict.fromkeys(w for w in names + later + figures + words if w)))

    def _only_after(self, index: int, group: TermGroup, quotes: Sequence[Quote], lead: int,
                    named_later: Mapping[str, frozenset[int]]) -> bool:
        """The first answer's documents name the group only after its passages (not in their
        titles, not as author or publisher: Results.named_later), and no quote's paragraph does."""
        return (all(index in named_later.get(q.passage.id, ()) and not self._by(q.doc, group)
                    for q in quotes[:lead])
                and not any(_begins_a_word(t, f"{q.passage.text} {q.passage.author}")
                            for q in quotes for t in group.matches))

    def _in_paragraph(self, quote: Quote, figure: str) -> bool:
        """The figure is in the quote's paragraph, or (a year) in its document's date."""
        pattern = _figure(figure)
        return bool(pattern.search(quote.passage.text)
                    or pattern.search(self.documents[quote.doc].date))

    def _answered_by(self, kind: str, holds: Callable[[str], object], asking: str,
                     question: str) -> tuple[str, Callable[[Quote], bool]]:
        """The kind asked for, as the question narrows it, and the test of a quote that holds
        one: what something costs wants an amount of money, "hur länge" a duration, when a text
        was published its own date, a person's name one the question does not name itself."""
        if kind == "figure" and ASKS_MONEY.search(asking):
            holds = HOLDS_MONEY.search
        elif kind == "figure" and ASKS_DURATION.search(asking):
            kind, holds = "duration", HAS_DURATION.search
        elif kind == "date" and _asks_published(asking):
            # Its date, in a dateline or in the source line, not the year a sentence names
            # ("… för innevarande år (2023).").
            return "published", self._published
        elif kind == "name":
            holds = _other_person(question)
        return kind, lambda quote: bool(holds(quote.text))

    def _published(self, quote: Quote) -> bool:
        """The quote's document has a date (shown in its source line), or the quote is a
        dateline ("Växjö • Publicerad 7 november 2018")."""
        return bool(self.documents[quote.doc].date.strip()) or (
            HAS_DATE.search(quote.text) is not None and sentence_role(quote.text) == "fragment")

    def _by_author(self, quote: Quote) -> bool:
        """The quote names its document's author (a byline quote does)."""
        author = self.documents[quote.doc].author.strip()
        return bool(author) and author in quote.text

    def _has(self, doc: str, index: int, group: TermGroup,
             in_document: Mapping[str, Sequence[float]] | None) -> bool:
        """The document has the group's word: in a passage or its title (read from the
        postings by the retriever), or, for a year, in its date. Unknown counts as present, so
        no note is made on no evidence."""
        factors = (in_document or {}).get(doc)
        if factors is None:
            return True
        document = self.documents[doc]
        return factors[index] > 0 or group.term in document.date or self._by(doc, group)

    def _by(self, doc: str, group: TermGroup) -> bool:
        """The group's word begins a word of the document's author or publisher."""
        document = self.documents[doc]
        return _begins_a_word(group.term, f"{document.author} {document.publisher}")


def asked(query: Query) -> str:
    """The question whose asking words the answer must meet: the latest of the question and
    those it follows up that asks something. "Och i Umeå?" after "Vem är förvaltningschef i
    Växjö? När insåg han problemen?" asks when, not who."""
    for part in reversed(query.meaning.split("?")):
        if ASKS.search(part) or any(asks.search(part.strip()) for _, asks, _ in KINDS):
            return part.strip()
    return query.text


def _asking_words(matched: str) -> str:
    """The words that ask, as the question has them, without what lies between a verb and its
    particle: "kom Feelgoods utredning fram till" → "kom fram till", "What did the survey
    show" → "show"."""
    words = _LEADING.sub("", matched.strip())
    return _WHAT_DID.sub(r"\1", _BETWEEN.sub(r"\1 \2", words))


_BETWEEN = re.compile(r"^(kom\w*)\s.*\s(fram till)$", re.IGNORECASE)
_WHAT_DID = re.compile(r"^what did\s.*\s(show|find|reveal)$", re.IGNORECASE)


def _asks_published(asking: str) -> bool:
    """The question asks when the text itself came out, not when a reply in it was written."""
    return ASKS_PUBLISHED.search(asking) is not None and ASKS_REPLIED.search(asking) is None


def _other_person(question: str) -> Callable[[str], bool]:
    """A test for a text that names a person the question does not: "Vem efterträdde Andreas
    Lundgren …?" is not answered by a quote about Andreas Lundgren."""
    own = set(_words(question))

    def holds(text: str) -> bool:
        return any(m.group(0).split()[-1].strip("()").casefold() not in own
                   for m in HOLDS_NAME.finditer(text))
    return holds


def _begins_a_word(term: str, text: str) -> bool:
    """A word of `text` (its author or publisher) begins with the term: "Vilka förändringar
    krävs enligt Hägglund?" is answered from a text Jan Hägglund wrote."""
    return any(word.startswith(term) for word in _words(text))


def _words(text: str) -> list[str]:
    """The text's words in lower case, as the question's and the names' words are compared."""
    return re.findall(r"\w+", text.casefold())


def _counts(group: TermGroup) -> bool:
    """A year or figure of the question itself (not of the previous question)."""
    return not group.context and group.term[:1].isdigit()


def _names_or_counts(group: TermGroup) -> bool:
    """A name, place or year/figure of the question itself."""
    return _counts(group) or (not group.context and group.name)


def _figure(figure: str) -> re.Pattern[str]:
    """The figure as a whole number: "2" is not in "2023", nor "1,6" in "11,6"."""
    return re.compile(rf"(?<![\d,.]){re.escape(figure)}(?![\d]|[,.]\d)")


# A figure is said with its unit when the question gives one: "2 miljarder", not "2".
_UNIT = re.compile(r"\s*(%|procent|kronor|kr|miljoner|miljon|miljarder|miljard|mkr|mnkr|tkr)"
                   r"(?!\w)", re.IGNORECASE)


def _figure_as_typed(question: str, group: TermGroup) -> str:
    """The group's figure as the question writes it, with the unit that follows it if any."""
    figure = group.word or group.term
    at = _figure(figure).search(question)
    if at is None:
        return figure
    unit = _UNIT.match(question, at.end())
    return question[at.start():unit.end() if unit else at.end()]


def _as_typed(question: str, group: TermGroup) -> str:
    """The group's word as the question spells it ("Växjö", "2019")."""
    word = group.word or group.term
    match = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", question, re.IGNORECASE)
    return match.group(0) if match else word
