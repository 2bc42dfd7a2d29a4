"""Choose the sentences that answer, once the decline rule has let the question through.

Every quote is one sentence span of a raw file (sentences never cross a passage span), so
raw[start:end] == text holds by construction; two sentences are two quotes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.answer import Answer, Quote
from bot.byline import byline_quote
from bot.asks import (ASKS_AUTHOR, ASKS_PUBLISHED, ASKS_REPLIED, ASKS_RESPONDENTS, ASKS_SURVEY,
                      ASKS_WHO, DATES_SURVEY, HOLDS_RESPONDENTS, REFERS_BACK, THEREFORE)
from retrieval.analyzer import Analyzer, fold
from retrieval.asks import ASKS_DATE, ASKS_NUMBER, ASKS_WHY, HAS_DATE, HAS_REASON, holds_figure
from retrieval.index import indexed_text
from retrieval.lru import LRU
from retrieval.roles import asked_terms, asks_leader, best_fit, head_terms, mentions
from retrieval.passage import DASH_LINE, Document, Hit, Passage, is_question
from retrieval.query import Query
from retrieval.semantic import meaning
from retrieval.tuning import Tuning
from retrieval.sentences import sentence_role, split_sentences


# A sentence that ends by quoting a question asks it, whatever its last mark: "… måste synas
# utifrån frågan: Vad får vi för pengarna." repeats a money question's words and answers none.
_ENDS_ASKING = re.compile(r":\s*(vad|hur|varför|vem|vilk\w+|när)\b[^:]*$", re.IGNORECASE)


class Composer:
    """Ranks the sentences of the top hits by the query weight they carry."""

    def __init__(
        self,
        documents: Mapping[str, Document],
        analyzer: Analyzer,
        *,
        max_quotes: int,
        tuning: Tuning | None = None,
        cache_size: int = 4096,
    ) -> None:
        if max_quotes < 1:
            raise ValueError(f"max_quotes must be at least 1, got {max_quotes}")
        self.documents = documents
        self.analyzer = analyzer
        self.max_quotes = max_quotes
        self.tuning = tuning or Tuning()
        self._layouts: LRU[str, PassageLayout] = LRU(cache_size)
        self._heads = head_terms(analyzer.terms)

    def compose(self, query: Query, hits: Sequence[Hit],
                similarity: Mapping[tuple[str, int], float] | None = None,
                in_document: Mapping[str, Sequence[float]] | None = None) -> Answer:
        """An answer with the best sentences of the hits, or a decline when none matches;
        `similarity` is each sentence's cosine to the question, keyed (doc, start), and
        `in_document` each hit's document's factor for each group (Results), if known."""
        question = query.text
        if not hits:
            return Answer(question, "decline", hits=tuple(hits))
        ranked = self.rank_sentences(query, hits, similarity or {}, in_document or {})
        if self.tuning.bylines and ASKS_AUTHOR.search(question) and (
                byline := byline_quote(self.documents[hits[0].passage.doc], hits)):
            # Who wrote the best document: its byline alone answers; "mer" goes on to the text.
            rest = tuple(q for _, q in ranked if (q.doc, q.start) != (byline.doc, byline.start))
            return Answer(question, "answer", quotes=(byline,), hits=tuple(hits),
                          more_available=bool(rest), candidates=(byline, *rest))
        if not ranked:
            return Answer(question, "decline", hits=tuple(hits))
        if self.tuning.whole_repeats:
            ranked = _whole_repeats(ranked)
        wants_date = bool(ASKS_DATE.search(question))
        if not wants_date:
            # A dateline answers only "när": elsewhere it is noise, unless it is all there is,
            # and it must not set the bar for the sentences that are shown ("Svar på Gracchus
            # kommentar 29/4-2023" above its reply).
            ranked = [row for row in ranked if not self._dated_fragment(row[1])] or ranked
        elif self.tuning.datelines and ASKS_PUBLISHED.search(question):
            # When the text was published: the best document's dateline answers, however few
            # of the question's words it shares ("nar kom visions annons om snava budgetramar
            # ut" → "Publicerad: 7 april 2021, 12:19"), as its byline answers who wrote it.
            best = hits[0].passage.doc
            dated = next((row for row in ranked
                          if row[1].doc == best and self._dated_fragment(row[1])), None)
            if dated is not None:
                ranked = _to_front(ranked, dated)
        if self.tuning.leader_depth and asks_leader(question):
            ranked = self._leader_leads(query, ranked)
        groups = self._grouped(query, ranked)
        if self.tuning.reason_share and groups and ASKS_WHY.search(question):
            groups = self._reason_leads(query, ranked, groups)
        if self.tuning.survey_dates and groups and ASKS_SURVEY.search(query.meaning):
            if wants_date and not ASKS_PUBLISHED.search(question):
                groups = self._survey_note(query, ranked, groups, HAS_DATE.search, DATES_SURVEY)
            elif ASKS_RESPONDENTS.search(question):
                groups = self._survey_note(query, ranked, groups, holds_figure, HOLDS_RESPONDENTS)
        dated_may_lead = wants_date and bool(ASKS_PUBLISHED.search(question)
                                             or ASKS_REPLIED.search(question))
        groups = self._lead_first(groups, dated_may_lead)
        quotes = tuple(q for group in groups for q in group)
        # "mer" pages on through the candidates after the shown quotes, so they lead the list.
        candidates = list(quotes) + [q for _, q in ranked if not _within(q, quotes)]
        return Answer(
            question,
            "answer",
            quotes=quotes,
            hits=tuple(hits),
            more_available=len(candidates) > len(quotes),
            candidates=tuple(candidates),
            lead=len(groups[0]) if groups else 1,
        )

    def rank_sentences(self, query: Query, hits: Sequence[Hit],
                       similarity: Mapping[tuple[str, int], float],
                       in_document: Mapping[str, Sequence[float]] | None = None
                       ) -> list[tuple[float, Quote]]:
        """Every sentence of the hits that shares a word with the question or has a cosine to
        it, with its score, best first."""
        # A follow-up's own words say what it asks; the previous question's found the passages.
        # Only a follow-up of question words alone ("varför då?") reads its sentences by them.
        own = [i for i, g in enumerate(query.groups) if not g.context]
        indices = own or list(range(len(query.groups)))
        groups = [query.groups[i] for i in indices]
        total = sum(g.weight for g in groups) or 1.0
        top_score = hits[0].score or 1.0
        wants_number = bool(ASKS_NUMBER.search(query.text))
        wants_date = bool(ASKS_DATE.search(query.text))
        matchable = query.match_terms()
        tune = self.tuning
        scored: list[tuple[float, int, Quote]] = []
        for rank, hit in enumerate(hits):
            layout = self._layout(hit.passage)
            around = layout.terms
            # A name the document carries ("Växjö") is every one of its sentences' topic: the
            # sentence that happens to repeat it is no better an answer for that.
            doc = (in_document or {}).get(hit.passage.doc)
            named = [doc[i] if doc and g.name and tune.names_from_document else 0.0
                     for i, g in zip(indices, groups)]
            for sentence in layout.sentences:
                cosine = similarity.get((hit.passage.doc, sentence.start))
                if cosine is None and sentence.terms.isdisjoint(matchable):
                    continue
                terms = sentence.terms
                share = sum(g.weight * max(g.factor(terms), tune.sentence_context * g.factor(around),
                                           in_doc)
                            for g, in_doc in zip(groups, named)) / total
                if cosine is not None:
                    share += tune.sentence_semantic * meaning(cosine, tune.semantic_floor)
                if wants_number and sentence.has_number:
                    share += tune.type_bonus
                if wants_date and sentence.has_date:
                    share += tune.type_bonus
                score = share * math.sqrt(hit.score / top_score)
                if sentence.asks:
                    score *= tune.question_factor
                scored.append((score, rank, sentence.quote(hit.passage, hit.score, matchable)))
        scored.sort(key=lambda row: (-row[0], row[1], row[2].start))
        return [(s, q) for s, _, q in scored]

    def _continued(self, query: Query, quotes: list[Quote],
                   matchable: Mapping[str, float]) -> list[tuple[Quote, ...]]:
        """The quotes in groups, each group a quote and the sentences that finish its answer.

        A lead-in that ends in a colon brings its list ("tre områden som måste åtgärdas:" and
        the items), and a list item chosen alone is quoted as its lead-in and list. For a
        "varför" question, a sentence without a reason in it brings the next sentence of its
        paragraph, where the reason usually follows, and that sentence leads when it gives one
        ("… har gjort att …"); one that opens with "Därför" brings the sentence before, which it
        refers to. The first quote brings the next sentence when that one takes it up
        ("Kritiken handlade om …") or holds a word of the question the first lacks, and what
        an interviewer says or asks brings the first sentences of the
        reply ("… saknades handläggare till 500 ärenden i september. Vad gör ni åt det?" →
        "– Så är inte situationen nu.", "Vi har stärkt organisationen med konsulter …"). Each
        sentence stays its own quote, but a lead-in and the items after it with only white
        space between them are one span of the file, quoted as one. For "vem"/"vilken", a
        first sentence that opens with a pronoun ("De har nu granskat …") brings the sentence
        before it, which names whom it means, and a next sentence that names the doer leads a
        first that names no one.
        """
        why = bool(ASKS_WHY.search(query.text))
        who = bool(ASKS_WHO.search(query.text))
        groups: list[tuple[Quote, ...]] = []
        seen: set[tuple[str, int]] = set()

        def quoted(sentence: Sentence, passage: Passage, score: float) -> Quote | None:
            if (passage.doc, sentence.start) in seen:
                return None
            seen.add((passage.doc, sentence.start))
            return sentence.quote(passage, score, matchable)

        for quote in quotes:
            sentences = self._layout(quote.passage).sentences
            index = next(i for i, s in enumerate(sentences) if s.start == quote.start)
            if sentences[index].role == "item" and (lead_in := _lead_in(sentences, index)) is not None:
                index = lead_in  # the list is quoted from its lead-in
            if (quote.doc, sentences[index].start) in seen:
                continue
            group: list[Quote | None] = []
            reason_first = False
            if why and index and self.tuning.reason_before and THEREFORE.match(quote.text):
                group.append(quoted(sentences[index - 1], quote.passage, quote.score))
            elif (not groups and index and who and self.tuning.antecedents
                  and REFERS_BACK.match(quote.text)
                  and _names_another(sentences[index - 1].text, query.text)):
                group.append(quoted(sentences[index - 1], quote.passage, quote.score))
            group.append(quoted(sentences[index], quote.passage, quote.score))
            following = sentences[index + 1:]
            if sentences[index].text.rstrip().endswith(":"):
                extra = following[: self.tuning.max_list_items]
            elif why and not HAS_REASON.search(sentences[index].text):
                extra = following[:1]
                # The reason answers "varför": it leads, the sentence it explains follows.
                reason_first = bool(
                    not groups and extra and self.tuning.reason_leads
                    and not _GIVES_REASON.search(sentences[index].text)
                    and _GIVES_REASON.search(extra[0].text))
            elif not groups and (reply := self._reply(quote.passage, sentences[index])):
                extra = reply
            elif not groups and following and self.tuning.follow_on and _follows_on(
                    sentences[index], following[0]):
                extra = following[:1]
            elif not groups and following and self.tuning.completes and _completes(
                    query, sentences[index], following[0]):
                extra = following[:1]
            else:
                extra = ()
            group += [quoted(s, quote.passage, quote.score) for s in extra]
            group = [q for q in group if q is not None]
            # Who did it answers "vem": the next sentence leads when it names the doer and the
            # first names no one ("Oron delades av skolan och Bup …" after "De nya
            # socialsekreterarna var mycket oroade för flickan.").
            doer_first = bool(
                not groups and who and self.tuning.doer_leads and len(group) == 2 and extra
                and group[1].start == extra[0].start
                and not _names_doer(group[0].text, query.text)
                and _names_doer(group[1].text, query.text))
            if (reason_first or doer_first) and len(group) == 2:
                group.reverse()
            groups.append(self._joined(group))
        return groups

    def _reply(self, passage: Passage, sentence: Sentence) -> list[Sentence]:
        """The first sentences of the reply when `sentence` is what an interviewer says before
        it: the passage's first span, followed by one that opens with a dash (ingest joins an
        interview answer to its question in one passage)."""
        if (not self.tuning.reply_sentences or len(passage.spans) < 2
                or sentence.end > passage.spans[0][1]
                or not DASH_LINE.match(self.documents[passage.doc].raw, passage.spans[1][0])):
            return []
        reply = [s for s in self._layout(passage).sentences if s.start >= passage.spans[1][0]]
        return reply[: self.tuning.reply_sentences]

    def _joined(self, group: list[Quote]) -> tuple[Quote, ...]:
        """The group with a lead-in and the list items after it as one quote, as far as only
        white space lies between them in the file: one span, so the list is read as one answer
        ("tre områden som måste åtgärdas:" and its items). An ad or a dropped line between two
        items ends the span; the items after it stay quotes of their own."""
        if (len(group) < 2 or not self.tuning.join_lists
                or not group[0].text.rstrip().endswith(":")):
            return tuple(group)
        raw = self.documents[group[0].doc].raw
        n = 1
        while (n < len(group) and self._sentence(group[n]).role == "item"
               and not raw[group[n - 1].end:group[n].start].strip()):
            n += 1
        if n == 1:
            return tuple(group)
        first, last = group[0], group[n - 1]
        marks = tuple((s + q.start - first.start, e + q.start - first.start)
                      for q in group[:n] for s, e in q.marks)
        joined = Quote(first.passage, first.start, last.end, raw[first.start:last.end],
                       first.score, marks)
        return (joined, *group[n:])

    def _grouped(self, query: Query, ranked: list[tuple[float, Quote]]
                 ) -> list[tuple[Quote, ...]]:
        """The first page's quotes, those that carry relative_floor of the best score, in
        groups that finish their answers (_continued)."""
        floor = ranked[0][0] * self.tuning.relative_floor
        return self._continued(query, [q for s, q in ranked[: self.max_quotes] if s >= floor],
                               query.match_terms())

    def _reason_leads(self, query: Query, ranked: list[tuple[float, Quote]],
                      groups: list[tuple[Quote, ...]]) -> list[tuple[Quote, ...]]:
        """For "varför", when the first answer gives no reason, the best sentence that does
        ("… har gjort att …", "… eftersom …", "Avsikten var …") leads, if it scores at least
        reason_share of the best: "varför har personalen flytt i Växjö" is answered by
        "Avsaknad av ordning och reda har gjort att personal har flytt …", not by the sentence
        that only says there is "personalflykt"."""
        if any(_GIVES_REASON.search(q.text) for q in groups[0]):
            return groups
        bar = ranked[0][0] * self.tuning.reason_share
        reason = next((row for row in ranked
                       if row[0] >= bar and _STRONG_REASON.search(row[1].text)), None)
        return groups if reason is None else self._grouped(query, _to_front(ranked, reason))

    def _survey_note(self, query: Query, ranked: list[tuple[float, Quote]],
                     groups: list[tuple[Quote, ...]], holds: Callable[[str], object],
                     notes: re.Pattern[str]) -> list[tuple[Quote, ...]]:
        """For "när" or "hur många svarade" about a survey, when the first answer does not hold
        it: the first sentence after that answer in its document that dates the survey or counts
        who answered ("Undersökningen genomfördes … 1–7 september 2020.", "Över 600 socionomer
        har svarat.") leads. A survey's findings come first and its note last ("Om
        undersökningen"), so the note after a finding is that finding's; one before it belongs
        to another survey (an archive page holds several)."""
        first = groups[0][0]
        if any(holds(q.text) and notes.search(q.text) for q in groups[0]):
            return groups
        after = [row for row in ranked
                 if row[1].doc == first.doc and row[1].start > first.start
                 and holds(row[1].text) and notes.search(row[1].text)]
        if not after:
            return groups
        note = min(after, key=lambda row: row[1].start)
        # The nearest note in the document, not the nearest among the passages found: a note
        # between them belongs to the finding, the one found to a later survey.
        raw = self.documents[first.doc].raw
        between = raw[first.end:note[1].start]
        if any(holds(between[a:b]) and notes.search(between[a:b])
               for a, b in split_sentences(between, 0)):
            return groups
        return self._grouped(query, _to_front(ranked, note))

    def _leader_leads(self, query: Query, ranked: list[tuple[float, Quote]]
                      ) -> list[tuple[float, Quote]]:
        """For "Vem leder …?", the sentence whose leader's role beside a name fits most of the
        question leads ("… säger förvaltningschefen Per Sandberg …"), however few of its other
        words it shares (retrieval/roles.py); with none, the order stays."""
        asked = asked_terms(query)
        best, most = None, 0
        for row in ranked:
            f = best_fit(mentions(row[1].text), asked, self.analyzer.terms, self._heads)
            if f > most:
                best, most = row, f
        return ranked if best is None else _to_front(ranked, best)

    def _lead_first(self, groups: list[tuple[Quote, ...]],
                    dated_may_lead: bool) -> list[tuple[Quote, ...]]:
        """The groups with the first that may lead in front: a headline, a dateline, a bare list
        item or a question in the text reads as an answer when it comes first, so it leads only
        when nothing else can (a dateline may lead when the question asks when the document was
        published or a reply in it written: `dated_may_lead`; for another "när" question it
        comes after the text's own dates, and compose leaves it out of one that does not ask
        when)."""

        def may_lead(group: tuple[Quote, ...]) -> bool:
            sentence = self._sentence(group[0])
            if sentence.asks:  # a survey item or an interviewer's question
                return False
            return sentence.role == "text" or (
                sentence.role == "fragment" and dated_may_lead and sentence.has_date)

        first = next((i for i, g in enumerate(groups) if may_lead(g)), 0)
        return [groups[first], *groups[:first], *groups[first + 1:]]

    def _dated_fragment(self, quote: Quote) -> bool:
        """The quote is a dateline: a line with a date that says nothing by itself."""
        sentence = self._sentence(quote)
        return sentence.role == "fragment" and sentence.has_date

    def _sentence(self, quote: Quote) -> Sentence:
        return next(s for s in self._layout(quote.passage).sentences if s.start == quote.start)

    def _layout(self, passage: Passage) -> PassageLayout:
        """The passage's sentences, analysed once and kept (least recently used go first)."""
        return self._layouts.get(passage.id, lambda: self._analyse(passage))

    def _analyse(self, passage: Passage) -> PassageLayout:
        raw = self.documents[passage.doc].raw
        headings = (self.documents[passage.doc].title.strip(), passage.heading.strip())
        sentences = []
        for span_start, span_end in passage.spans:
            for start, end in split_sentences(raw[span_start:span_end], span_start):
                text = raw[start:end]
                tokens = tuple(self.analyzer.tokens(text))  # (term, start, end) tuples
                sentences.append(Sentence(start, end, text, tokens,
                                          frozenset(term for term, _, _ in tokens),
                                          holds_figure(text),
                                          bool(HAS_DATE.search(text)),
                                          is_question(text, self.documents[passage.doc].title)
                                          or (self.tuning.quoted_questions
                                              and _ENDS_ASKING.search(text) is not None),
                                          sentence_role(text, headings)))
        around = frozenset(self.analyzer.terms(indexed_text(passage)))
        return PassageLayout(tuple(sentences), around)


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a passage: its raw span, its terms with offsets, what kind of fact it holds."""

    start: int
    end: int
    text: str
    tokens: tuple[tuple[str, int, int], ...]  # (term, start, end), offsets within text
    terms: frozenset[str]
    has_number: bool
    has_date: bool
    asks: bool  # a question itself ("…?", the title aside): it repeats words, answers nothing
    role: str  # "text", or "item" / "fragment", which never lead an answer (sentence_role)

    def quote(self, passage: Passage, score: float, matchable: Mapping[str, float]) -> Quote:
        """This sentence as a quote of `passage`, the question's words in it marked."""
        marks = tuple((s, e) for term, s, e in self.tokens if term in matchable)
        return Quote(passage, self.start, self.end, self.text, score, marks)


# Words that open a sentence by pointing at the one before: "Dessa brister går ut över …";
# "Dels genom att …" spells out what "flera oförlåtliga övertramp" were (dev: gold, dev B and
# newsroom first answer +1 each, nothing lost).
_POINTERS = frozenset({"detta", "dessa", "denna", "sådana", "såväl", "dels"})


# What gives a reason, a purpose or a consequence: HAS_REASON's words and a few that only mark
# one when they open or link the sentence that follows ("Förklaringen kan finnas i …",
# "Avsikten var att …", "… har gjort att …", "… innebär att …").
_GIVES_REASON = re.compile(HAS_REASON.pattern + r"|\b(förklaring\w*|avsikt\w*|gjort att|"
                           r"beroende på|innebär att)\b", re.IGNORECASE)


_CAPITALISED = re.compile(r"(?<=\s)[A-ZÅÄÖ][\wåäöé]+")


# A doer named after a passive verb ("delades av skolan", "gjordes av den dåvarande
# enhetschefen") or by "enligt", not by a pronoun ("Några av dessa") nor in "i början av …".
_NOT_DOER = r"(?!(dem|dessa|detta|denna|oss|er|sig|honom|henne|varandra|allt|alla)\b)"
_BY = re.compile(rf"\b[a-zåäö]{{2,}}s av (den |det |de )?{_NOT_DOER}[a-zåäöé]{{3,}}|"
                 rf"\benligt {_NOT_DOER}[a-zåäöé]{{3,}}", re.IGNORECASE)


def _names_doer(text: str, question: str) -> bool:
    """The text names someone the question does not, or a doer after "av"/"enligt"."""
    return _names_another(text, question) or bool(_BY.search(text))


def _names_another(text: str, question: str) -> bool:
    """The text names someone or something (a capitalised word after its first) that the
    question does not, typed with or without å/ä/ö."""
    asked = fold(question.casefold())
    return any(fold(m.group(0).casefold())[:5] not in asked
               for m in _CAPITALISED.finditer(text))


# A reason given outright, not "då" or "för att", which as often say when or what for.
_STRONG_REASON = re.compile(r"\b(eftersom|därför att|på grund av|pga|p\.g\.a\.|beror|beroende på|"
                            r"orsak\w*|anledning\w*|till följd av|ledde till att|leder till att|"
                            r"gjort att|förklaring\w*|avsikt\w*|syfte\w*)\b", re.IGNORECASE)


def _to_front(ranked: list[tuple[float, Quote]], row: tuple[float, Quote]
              ) -> list[tuple[float, Quote]]:
    """`ranked` with `row` first, at the best score, so it sets the bar for the others."""
    return [(ranked[0][0], row[1]), *(other for other in ranked if other is not row)]


def _follows_on(sentence: Sentence, after: Sentence) -> bool:
    """True when `after` opens by taking up `sentence`: with a pointer ("Dessa …") or with a
    word of it ("… riktade skarp kritik …" → "Kritiken handlade om …", "… oroade för
    flickan." → "Oron delades av skolan …"). Such a sentence holds what the first announces."""
    first = after.text.lstrip("–—-”\"« ").split(" ", 1)[0].strip(",.:;").casefold()
    if first in _POINTERS:
        return True
    opening = after.tokens[0] if after.tokens else None
    return bool(opening and opening[1] <= len(after.text) - len(after.text.lstrip("–—-”\"« "))
                and any(_inflected(opening[0], term) for term in sentence.terms))


def _inflected(word: str, term: str) -> bool:
    """`word` is `term`, or `term` with an ending of one or two letters the stemmer left on
    ("oron" of "Oron delades …" and "oro" of "oroade"): the same word taken up."""
    return word == term or (len(term) >= 3 and 0 < len(word) - len(term) <= 2
                            and word.startswith(term))


def _completes(query: Query, sentence: Sentence, after: Sentence) -> bool:
    """True when `after` holds a word of the question that `sentence` lacks (not the previous
    question's, not a name): together they answer more of it."""
    return any(g.factor(after.terms) and not g.factor(sentence.terms)
               for g in query.groups if not g.context and not g.name)


def _letters(text: str) -> str:
    """The text's words in lower case, one space apart: what two wordings of one sentence share."""
    return " ".join(re.findall(r"\w+", text.casefold()))


REPEAT_DEPTH = 12  # the best candidates checked for a fuller repeat among all of them
REPEAT_WORDS = 5


def _whole_repeats(ranked: list[tuple[float, Quote]]) -> list[tuple[float, Quote]]:
    """The candidates with a sentence that another repeats whole given in that fuller one's
    place: a pull quote ("”Det förebyggande sociala arbetet är det första …”") gives way to
    the text that says it with its source ("– Tidigare erfarenheter visar att det förebyggande
    …"), and no sentence is quoted twice. Only the best REPEAT_DEPTH, of REPEAT_WORDS words
    or more, are looked for ("Mer tid", a heading, is in many sentences and repeats none)."""
    words = [_letters(q.text) for _, q in ranked]
    out: list[tuple[float, Quote]] = []
    used: set[int] = set()
    for i, (score, quote) in enumerate(ranked):
        if i in used:
            continue
        used.add(i)
        fuller = None
        if i < REPEAT_DEPTH and words[i].count(" ") + 1 >= REPEAT_WORDS:
            fuller = next((j for j, w in enumerate(words) if j != i and words[i] in w
                           and (w != words[i] or j < i)), None)
        if fuller is None:
            out.append((score, quote))
        elif fuller not in used:  # else it is quoted above already
            used.add(fuller)
            out.append((score, ranked[fuller][1]))
    return out


def _within(quote: Quote, quotes: Sequence[Quote]) -> bool:
    """The quote's span lies inside one of `quotes` (a list item inside its joined list)."""
    return any(q.doc == quote.doc and q.start <= quote.start and quote.end <= q.end
               for q in quotes)


def _lead_in(sentences: Sequence[Sentence], index: int) -> int | None:
    """The sentence ending in a colon that item `index` belongs to (only items between)."""
    for i in range(index - 1, -1, -1):
        if sentences[i].role != "item":
            return i if sentences[i].text.rstrip().endswith(":") else None
    return None


@dataclass(frozen=True, slots=True)
class PassageLayout:
    """A passage split into analysed sentences, plus the terms of the passage and its heading."""

    sentences: tuple[Sentence, ...]
    terms: frozenset[str]
