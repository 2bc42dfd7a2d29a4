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
years, and a paragraph about September 2018 is no answer about the end of 2017. So must a
month, a share in words ("var fjärde") and whom a figure counts ("av socionomerna inom
psykiatrin").

The kinds of answer: a figure, a figure per one ("varje handläggare"), a duration, a date, a
person's name, a firm's or a place's name ("Vilken revisionsbyrå …?"), a finding, a list, the
text's author; and what is not the thing asked for although it looks like it: what comes second
("näst mest" for "mest"), the opposite ("försämras" for "improve"), someone else's words, an
organisation's view quoted from a rival's chair, and what a person said from a text that never
quotes them (bot/speakers.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.answer import Quote
from bot.speakers import Speakers, surname
from bot.asks import (ASKS, ASKS_ABOVE, ASKS_AUTHOR, ASKS_CHANGE, ASKS_DAY, ASKS_FINDING, ASKS_LIST,
                      ASKS_MOST, ASKS_ORG, ASKS_OUTCOME, ASKS_PERSON, ASKS_PUBLISHED, ASKS_REPLIED,
                      ASKS_RESPONDENTS, CAPITALISED, COUNTED, HOLDS_CHANGE, HOLDS_DAY,
                      HOLDS_FINDING, HOLDS_LIST, HOLDS_NAME, HOLDS_PER, HOLDS_PLAN,
                      HOLDS_RESPONDENTS, NOT_AN_OUTCOME, ONE_OF, PER_UNIT, POLES, QUALIFIED, SECOND,
                      SHARE_IN_WORDS, WHICH, as_digits, people, words as _words)
from retrieval.asks import (ASKS_DATE, ASKS_DURATION, ASKS_NUMBER, HAS_DATE, HAS_DURATION,
                            MONTHS, holds_figure)
from retrieval.lru import LRU
from retrieval.passage import Document
from retrieval.sentences import sentence_role
from retrieval.query import Query, TermGroup
from retrieval.tuning import Tuning

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
# How long something takes or lasts ("hur lång handläggningstid") asks for one too: a duration.
ASKS_FIGURE = re.compile(f"{ASKS_NUMBER.pattern}|{ASKS_MONEY.pattern}|{ASKS_DURATION.pattern}",
                         re.IGNORECASE)
KINDS = (("figure", ASKS_FIGURE, holds_figure), ("date", ASKS_DATE, HAS_DATE.search),
         ("name", ASKS_PERSON, HOLDS_NAME.search), ("organisation", ASKS_ORG, CAPITALISED.search),
         ("finding", ASKS_FINDING, HOLDS_FINDING.search),
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
    # A word of the question and its opposite, which the first answer says instead
    opposite: tuple[str, ...] = ()
    # Whom the question asks the view of, when the first answer is someone else's words (said_by)
    speaker: tuple[str, ...] = ()
    said_by: tuple[str, ...] = ()
    # Whom the question asks what they said, when the document never quotes them
    not_quoted: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()  # "figure", "duration", "date", "published", "name", "finding",
    # "list", "author", "organisation", "per_unit", "second", "outcome", "change", "day"
    words: tuple[str, ...] = ()


LEAD = 3


class MissingCheck:
    """Finds what a question needs that its first answer and that answer's document lack."""

    def __init__(self, documents: Mapping[str, Document], tuning: Tuning | None = None,
                 terms: Callable[[str], Sequence[str]] | None = None) -> None:
        self.documents = documents
        self.tuning = tuning or Tuning()
        self.terms = terms  # the analyzer's index terms of a text, to read a paragraph's words
        self.speakers = Speakers(documents)
        # The kinds of answer checked, as the tuning has them
        self.kinds = KINDS if self.tuning.unnamed_which else tuple(
            k for k in KINDS if k[0] != "organisation")
        self._named: LRU[tuple[str, str], bool] = LRU(4096)  # (doc, word): a name there

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
                   if self.tuning.figures_in_paragraph and i not in absent and _counts(g)
                   and not any(self._in_paragraph(q, g.term) for q in quotes[:lead])]
        if self.tuning.figures_in_paragraph:
            figures += self._words_in_paragraph(query, quotes[:lead])
        asking = asked(query)
        # Whom a figure counts, as the question narrows it ("av socionomerna inom psykiatrin"),
        # is read in the paragraph too: "44% av socionomerna" is no share of those in psychiatry.
        asks_figure = ASKS_FIGURE.search(asking) is not None
        if asks_figure and (self.tuning.qualifiers_in_paragraph
                            or self.tuning.counted_in_paragraph):
            figures += self._qualifiers(query, quotes[:lead])
        kinds, words = self._kinds_asked(query, asking, quotes[:lead], asks_figure)
        opposite = _opposite(query.text, quotes[:lead]) if self.tuning.opposites else ()
        speaker, said_by, not_quoted = self._whose_words(query.text, asking, quotes[:lead],
                                                         {w.casefold() for w in names + later})
        return Gaps(tuple(dict.fromkeys(names)), tuple(dict.fromkeys(figures)),
                    tuple(dict.fromkeys(later)), opposite, speaker, said_by, not_quoted,
                    tuple(kinds),
                    tuple(dict.fromkeys(w for w in names + later + figures + list(opposite[:1])
                                        + list(speaker) + list(not_quoted) + words if w)))

    def _kinds_asked(self, query: Query, asking: str, lead: Sequence[Quote],
                     asks_figure: bool) -> tuple[list[str], list[str]]:
        """The kinds of answer the question asks for that the first answer does not give, and
        the question's words that ask for each."""
        kinds, words = [], []
        for kind, asks, holds in self.kinds:
            if (match := asks.search(asking)) is None:
                continue
            kind, answers = self._answered_by(kind, holds, asking, query.text)
            if not any(answers(q) for q in lead):
                kinds.append(kind)
                words.append(_asking_words(match.group(0)))
        # "Vem skrev artikeln?" answered by text, not by a byline: the text's author is unknown
        # here (the file names none), and a quote of someone in the text must not pass for one.
        if (match := ASKS_AUTHOR.search(asking)) and not any(self._by_author(q) for q in lead):
            kinds.append("author")
            words.append(_LEADING.sub("", match.group(0).strip()))
        # "Hur många ärenden har varje handläggare?" asks for a figure per person, which "500
        # ärenden" is not ("per år" is answered by the year's figure).
        if (self.tuning.per_unit and asks_figure and (per := PER_UNIT.search(asking))
                and not any(HOLDS_PER.search(q.text) for q in lead)):
            kinds.append("per_unit")
            words.append(per.group(0))
        # "Vilken verksamhet kostar mest?" is not answered by what "kostar näst mest"; "Är
        # socialtjänsten den dyraste …?" is, with a no the note spells out (not "en av de
        # dyraste", which it makes a yes).
        if (self.tuning.second_place
                and (match := ASKS_MOST.search(asking) or ASKS_ABOVE.search(asking))
                and (WHICH.search(asking) or not ONE_OF.search(asking))
                and not SECOND.search(asking)
                and any(SECOND.search(q.text) for q in lead)):
            kinds.append("second")
            words.append(match.group(0))
        # "Vilka effekter har kommunreformen fått?" is not answered by "Det är hög tid att
        # genomföra en kommunreform": what is wanted or planned tells nothing of how it went.
        if (self.tuning.outcomes and (match := ASKS_OUTCOME.search(asking))
                and not NOT_AN_OUTCOME.search(asking) and HOLDS_PLAN.search(lead[0].text)):
            kinds.append("outcome")
            words.append(match.group(0))
        # "Har andelen … ökat jämfört med förra året?" is not answered by the share alone.
        if (self.tuning.changes and (match := ASKS_CHANGE.search(asking))
                and not any(HOLDS_CHANGE.search(q.text) for q in lead)):
            kinds.append("change")
            words.append(match.group(0))
        return kinds, words

    def _whose_words(self, question: str, asking: str, lead: Sequence[Quote],
                     missing: set[str]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """Whom the question asks the view of when the first answer is someone else's words,
        who those are, and whom it asks what they said when the text never quotes them; none of
        them when already said to be missing (`missing`, in lower case)."""
        speaker, said_by = ((), ())
        if self.tuning.someone_else:
            speaker, said_by = self.speakers.someone_else(question, asking, lead)
            if not speaker and self.tuning.organisation_view:
                speaker, said_by = self.speakers.for_another(question, asking, lead)
        not_quoted = ()
        if self.tuning.not_quoted and not speaker:
            not_quoted = self.speakers.not_quoted(question, asking, lead)
        if self.tuning.unspoken_view and not speaker and not not_quoted:
            speaker = self.speakers.unspoken(question, asking, lead)
        if missing & {surname(n) for n in speaker}:
            speaker, said_by = (), ()
        return speaker, said_by, tuple(n for n in not_quoted if surname(n) not in missing)

    def _words_in_paragraph(self, query: Query, lead: Sequence[Quote]) -> list[str]:
        """A month or a share in words that the question gives ("i oktober 2018", "var fjärde
        socialchef") and none of the first answer's paragraphs (nor, a month, its document's
        date) has: a count from September answers nothing about October."""
        text = " ".join(q.passage.text for q in lead).casefold()
        dates = " ".join(self.documents[q.doc].date for q in lead)
        out = [g.word for g in query.groups
               if not g.context and g.word.casefold() in MONTHS
               and not re.search(rf"\b{g.word.casefold()}\b", text)
               and not _month_in(g.word.casefold(), dates)]
        shares = as_digits(text)
        out += [m.group(0) for m in SHARE_IN_WORDS.finditer(query.text)
                if as_digits(m.group(0)) not in shares]
        return [_typed(query.text, w) for w in out]

    def _qualifiers(self, query: Query, lead: Sequence[Quote]) -> list[str]:
        """The qualifiers of whom the question counts ("av socionomerna i privat sektor", "of
        managers in the big cities") that none of the first answer's paragraphs has, as typed."""
        if self.terms is None:
            return []
        paragraphs: set[str] = set()
        for quote in lead:
            paragraphs.update(self.terms(quote.passage.text))
        own = {g.word or g.term: g for g in query.groups
               if not g.context and not g.name and not g.term[:1].isdigit()}
        said = []  # as typed: "privat sektor", "lärarna", "social services managers"
        if self.tuning.qualifiers_in_paragraph:
            said += [m.group("what") for m in QUALIFIED.finditer(query.text)]
        if self.tuning.counted_in_paragraph:
            said += [m.group(part) for m in COUNTED.finditer(query.text)
                     for part in ("what", "who", "where") if m.group(part)]
        out: list[str] = []
        for phrase in said:
            groups = (own.get(w.casefold()) for w in re.findall(r"\w+", phrase))
            if not any(phrase in o for o in out) and any(
                    g is not None and g.factor(paragraphs) == 0 for g in groups):
                out.append(phrase)  # once: "hälso-" is read in "hälso- och sjukvården"
        return out

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
        elif (kind == "figure" and self.tuning.survey_dates
              and ASKS_RESPONDENTS.search(asking)):
            # How many answered a survey: "Över 600 socionomer har svarat", not "fyra av tio"
            return kind, lambda quote: bool(holds_figure(quote.text)
                                            and HOLDS_RESPONDENTS.search(quote.text))
        elif kind == "figure" and ASKS_DURATION.search(asking):
            kind, holds = "duration", HAS_DURATION.search
        elif kind == "date" and _asks_published(asking):
            # Its date, in a dateline or in the source line, not the year a sentence names
            # ("… för innevarande år (2023).").
            return "published", self._published
        elif kind == "date" and self.tuning.days and ASKS_DAY.search(asking):
            kind, holds = "day", HOLDS_DAY.search  # "vilket datum" is not "våren 2021"
        elif kind == "name":
            holds = _other_person(question)
        elif kind == "organisation":
            names = _other_organisation(question)
            return kind, lambda quote: names(quote.text) or self._opens_with_a_name(quote)
        return kind, lambda quote: bool(holds(quote.text))

    def _opens_with_a_name(self, quote: Quote) -> bool:
        """The quote opens with a word its document writes capitalised inside a sentence too and
        never in lower case, or with its publisher's name: "Växjö kommun har …", "Framtidens
        Karriär – Socionom genomförde …" name a place and a firm, which CAPITALISED cannot tell
        at a sentence's start."""
        first = re.match(r"\W*([A-ZÅÄÖÉ][\w-]*)", quote.text)
        if first is None:
            return False
        word = first.group(1)
        document = self.documents[quote.doc]
        if word.casefold() in _words(f"{document.publisher} {document.author}"):
            return True
        return self._named.get((quote.doc, word), lambda: _a_name_in(word, document.raw))

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
    Lundgren …?" is not answered by a quote about Andreas Lundgren, nor "Vad heter chefen …?"
    by "Ordförande Lundgren kan inte …" (a role that opens a sentence is no first name)."""
    own = set(_words(question))

    def holds(text: str) -> bool:
        return any(name.split()[-1].strip("()").casefold() not in own for name in people(text))
    return holds


def _other_organisation(question: str) -> Callable[[str], bool]:
    """A test for a text that names a firm, paper, agency or place the question does not: a
    capitalised word inside a sentence, or one in capitals, that is no person's name ("utförd
    av en revisionsbyrå" names none; "Partiernas gruppledare, inklusive Hans Lindberg (S)" names
    a person, not a firm). Or that says which by what they are: "I vilka kommuner blir
    kvaliteten sämre?" is answered by "i kommuner med stora underskott"."""
    own = set(_words(question))
    asked = ASKS_ORG.search(question)
    noun = _INFLECTION.sub("", asked.group(2).split()[-1]) if asked else ""
    described = re.compile(rf"\b{re.escape(noun)}\w*\s+(med|som|utanför|inom|där|utan|with|that|"
                           r"which|outside)\b", re.IGNORECASE) if noun else None

    def holds(text: str) -> bool:
        if described is not None and described.search(text):
            return True
        people = [m.span() for m in HOLDS_NAME.finditer(text)]
        return any(m.group(0).casefold() not in own and m.group(0).casefold() not in MONTHS
                   and not any(a <= m.start() < b for a, b in people)
                   for m in CAPITALISED.finditer(text))
    return holds


_INFLECTION = re.compile(r"(en|et|er|erna|ar|arna|na|n|y|ies|s)$", re.IGNORECASE)




def _month_in(month: str, dates: str) -> bool:
    """The month is that of one of the ISO dates ("2018-11-07" is november)."""
    return month in MONTHS and re.search(rf"\d{{4}}-{MONTHS.index(month) + 1:02d}\b",
                                         dates) is not None


def _a_name_in(word: str, raw: str) -> bool:
    """The text writes the word capitalised inside a sentence and never in lower case."""
    inside = re.compile(rf"(?<=[\w,:;)\]] ){re.escape(word)}\b")
    lower = re.compile(rf"\b{re.escape(word.lower())}\b")
    return inside.search(raw) is not None and lower.search(raw) is None


def _opposite(question: str, lead: Sequence[Quote]) -> tuple[str, ...]:
    """The question's word of one direction and the word of the other that the first answer
    has instead (and not the question's direction), as typed; empty when there is none."""
    text = " ".join(q.text for q in lead)
    for up, down in POLES:
        for asked, said in ((up, down), (down, up)):
            a, b = asked.search(question), said.search(text)
            if a and b and not said.search(question) and not asked.search(text):
                return a.group(0), b.group(0)
    return ()


def _begins_a_word(term: str, text: str) -> bool:
    """A word of `text` (its author or publisher) begins with the term: "Vilka förändringar
    krävs enligt Hägglund?" is answered from a text Jan Hägglund wrote."""
    return any(word.startswith(term) for word in _words(text))




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
    return _typed(question, group.word or group.term)


def _typed(question: str, word: str) -> str:
    """The word as the question spells it."""
    match = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", question, re.IGNORECASE)
    return match.group(0) if match else word
