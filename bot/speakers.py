"""Who is speaking in a quote, and whether it is the one a question asks the view of.

"Vad tycker Veronica Magnusson om …?" answered by "…, säger Heike Erkers." quotes someone else:
newspapers name whom they quote ("säger X", "enligt X", "X anser"), a blog's comments have their
authors, and "Hon anser att …" speaks for the last person named before it. An organisation's
view ("Vad tycker Vision …?") is not in the words of someone the document never names with it
(SSR's chair), and what a person said is in no text that names them but never quotes them.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence

from bot.answer import Quote
from bot.asks import HOLDS_NAME, PERSON, words
from retrieval.lru import LRU
from retrieval.passage import Document
from retrieval.sentences import split_sentences

PERSON_ONLY = re.compile(PERSON)
# Who speaks for a sentence no one is said to speak is read among the names just before it: a
# person named pages earlier frames nothing, and each name read is a scan of the document.
LOOKBACK, LOOKBACK_NAMES = 1_500, 8

# A question for someone's view ("Vad tycker …", "enligt …", "What does … say"), and a text's
# word for who is speaking: "…, säger Heike Erkers.", "enligt Veronica Magnusson", "Per
# Sandberg menar …".
ASKS_VIEW = re.compile(r"\b(s[äa]ger|sa|sade|skrev|skriver|tycker|tyckte|anser|ans[åa]g|menar|"
                       r"tror|enligt|svarade|svarar|say|says|said|wrote|writes|think|thinks|"
                       r"according|repl(y|ied))\b", re.IGNORECASE)
SAID = re.compile(rf"\b(?:s[äa]ger|sa|sade|skriver|enligt|menar|anser|says|said|according to)"
                  rf"\s+(?:\w+\s+){{0,2}}?(?P<after>{PERSON})|(?P<before>{PERSON}),?\s+"
                  r"(?:\w+\s+){0,3}?(?:s[äa]ger|anser|menar|skriver)\b")
# Whose view a question asks when it is an organisation's: "Vad tycker Vision om …?", "… enligt
# Akademikerförbundet SSR?", "What does Vision Chef think …?" (a person's name is read apart).
VIEW_OF = re.compile(r"\b(?:tycker|tyckte|anser|ansåg|säger|sa|menar|tror|enligt|according to|does|"
                     r"did)\s+(?P<who>[A-ZÅÄÖ][\w-]*(?:\s+[A-ZÅÄÖ][\w-]*)*)")
# "Hon anser att …": the last person named before it speaks.
HE_OR_SHE_SAYS = re.compile(r"\b(hon|han|she|he)\s+(s[äa]ger|sa|sade|anser|menar|p[åa]pekar|"
                            r"tycker|says|said|thinks)\b", re.IGNORECASE)


def speakers(text: str) -> list[str]:
    """The people a text says are speaking, in order."""
    return [m.group("after") or m.group("before") for m in SAID.finditer(text)]


def _a_person_in(name: str, raw: str) -> bool:
    """The text names the person in full, and its first name never without the surname: "Hans
    Lindberg (S)" is a person, "Vision Chef" (also "Visions …") and "Har Växjö" are not."""
    first, last = name.split()[0], name.split()[-1]
    alone = re.search(rf"\b{re.escape(first)}\b(?!\s+{re.escape(last)}\b)", raw)
    return name in raw and alone is None


def people_asked(question: str) -> list[str]:
    """The people the question names by first name and surname ("Hans Lindberg")."""
    return [m.group(0) for m in HOLDS_NAME.finditer(question) if PERSON_ONLY.fullmatch(m.group(0))]


def surname(name: str) -> str:
    """A name's last word, in lower case: how a name is compared."""
    return name.split()[-1].casefold()


class Speakers:
    """Reads who speaks in quotes and documents; what a document says of them is read once (for
    the documents most recently asked about)."""

    def __init__(self, documents: Mapping[str, Document], cache_size: int = 1024) -> None:
        self.documents = documents
        self._speaking: LRU[str, frozenset[str]] = LRU(cache_size)
        # each document's people as (start, name), in order, for "Hon anser …"
        self._named: LRU[str, tuple[list[int], list[str]]] = LRU(cache_size)
        # (doc, person, organisation): a sentence of the document names them together
        self._affiliated: LRU[tuple[str, str, str], bool] = LRU(cache_size)
        # (doc, name): the document names that person in full, never the first name alone
        self._person: LRU[tuple[str, str], bool] = LRU(cache_size)

    def someone_else(self, question: str, asking: str, lead: Sequence[Quote]
                     ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """For "Vad tycker Veronica Magnusson om …?", the people the question names who speak in
        the first answer's document, and the others the first answer says are speaking ("…,
        säger Heike Erkers."): a quote of someone else is not that person's view. Nothing when
        the question asks no one's view, or a quote is that person's."""
        if not ASKS_VIEW.search(asking):
            return (), ()
        own = set(words(question))
        asked = [m.group(0) for m in HOLDS_NAME.finditer(question)]
        said = [name for q in lead for name in self.said_in(q)]
        others = [name for name in said if surname(name) not in own]
        if not asked or not others or len(others) < len(said):
            return (), ()
        speaking = {surname(n) for q in lead for n in self.of(q.doc)}
        asked = [name for name in asked if surname(name) in speaking]
        return (tuple(asked), tuple(dict.fromkeys(others))) if asked else ((), ())

    def for_another(self, question: str, asking: str, lead: Sequence[Quote]
                    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """For "Vad tycker Vision om …?", the organisation asked, and the people speaking in the
        first answer when none of them speaks for it: no sentence of their document names them
        with it ("Heike Erkers, förbundsordförande i Akademikerförbundet SSR" speaks for SSR;
        "Visions förbundsordförande Veronica Magnusson" for Vision)."""
        match = VIEW_OF.search(asking)
        if match is None or HOLDS_NAME.match(match.group("who")):
            return (), ()
        who = match.group("who")
        said = [(q.doc, name) for q in lead for name in self.said_in(q)]
        named = {w for _, name in said for w in words(name)}
        if not said or set(words(who)) & named or any(
                self._with(doc, name, who) for doc, name in said):
            return (), ()
        return (who,), tuple(dict.fromkeys(name for _, name in said))

    def not_quoted(self, question: str, asking: str, lead: Sequence[Quote]) -> tuple[str, ...]:
        """For "Vad sa Hans Lindberg …?", the people the question names whom the first answer's
        document names but never quotes, nor has as its author: no quote there is their words."""
        if not ASKS_VIEW.search(asking) or not lead:
            return ()
        asked = people_asked(question)
        docs = {q.doc for q in lead}
        said = {surname(n) for q in lead for n in self.said_in(q)}
        return tuple(name for name in asked if surname(name) not in said and all(
            self._a_person(d, name) and surname(name) not in {surname(n) for n in self.of(d)}
            for d in docs))

    def unspoken(self, question: str, asking: str, lead: Sequence[Quote]) -> tuple[str, ...]:
        """For "Vad tycker Veronica Magnusson om …?" answered by sentences no one is said to
        speak ("89 procent av socionomerna anser …"), the people asked when the last person
        their document names before the first of them is someone else, and neither the
        answer's paragraphs nor its author name them: a finding reported beside Heike Erkers'
        words is not Magnusson's view. Nothing when no person is named before it."""
        if not ASKS_VIEW.search(asking) or not lead or any(self.said_in(q) for q in lead):
            return ()
        first = lead[0]
        document = self.documents[first.doc]
        around = " ".join([document.author] + [q.passage.text for q in lead]).casefold()
        asked = [name for name in people_asked(question)
                 if self._a_person(first.doc, name) and surname(name) not in around]
        last = self._last_person(first.doc, first.start)
        if not asked or last is None or set(words(last)) & {w for n in asked for w in words(n)}:
            return ()
        return tuple(asked)

    def _last_person(self, doc: str, start: int) -> str | None:
        """The last person the document names in the LOOKBACK characters before `start`, read as
        _a_person_in does (at most LOOKBACK_NAMES names are read, each a scan of the text)."""
        ends, names = self._named.get(doc, lambda: self._people(doc))
        last = bisect.bisect_right(ends, start)
        first = max(bisect.bisect_left(ends, start - LOOKBACK), last - LOOKBACK_NAMES)
        for name in reversed(names[first:last]):
            if "\n" not in name and self._a_person(doc, name):
                return name
        return None

    def _a_person(self, doc: str, name: str) -> bool:
        """The document names `name` as a person (_a_person_in), read once per document."""
        return self._person.get((doc, name), lambda: _a_person_in(name, self.documents[doc].raw))

    def _with(self, doc: str, name: str, who: str) -> bool:
        """A sentence of the document names the person with a word of the organisation."""
        def read() -> bool:
            own = [w[:4] for w in re.findall(r"\w+", who)]  # as written: "Visions", not "vision"
            sentences = (line[a:b] for line in self.documents[doc].raw.split("\n")
                         for a, b in split_sentences(line))
            for sentence in sentences:
                if surname(name) in words(sentence) and any(
                        w.startswith(o) for w in re.findall(r"\w+", sentence) for o in own
                        if w.casefold() not in words(name)):
                    return True
            return False
        return self._affiliated.get((doc, name, who), read)

    def said_in(self, quote: Quote) -> list[str]:
        """Who is speaking in the quote: the author of the comment it is part of, a name the
        quote gives ("…, säger Heike Erkers"), or for "Hon anser att …" the last person its
        document names before it."""
        if quote.passage.author:  # a reader's comment, or the author's reply to one
            return [re.sub(r"\s*\(.*\)$", "", quote.passage.author)]
        names = speakers(quote.text)
        if names or not HE_OR_SHE_SAYS.search(quote.text):
            return names
        ends, names = self._named.get(quote.doc, lambda: self._people(quote.doc))
        before = bisect.bisect_right(ends, quote.start)
        return names[before - 1:before] if before else []

    def of(self, doc: str) -> frozenset[str]:
        """Everyone the document says is speaking ("säger Heike Erkers"), and its author."""
        def read() -> frozenset[str]:
            document = self.documents[doc]
            author = [document.author] if document.author.strip() else []
            return frozenset(speakers(document.raw) + author)
        return self._speaking.get(doc, read)

    def _people(self, doc: str) -> tuple[list[int], list[str]]:
        """Where each person the document names ends, and who it is, in order."""
        found = list(PERSON_ONLY.finditer(self.documents[doc].raw))
        return [m.end() for m in found], [m.group(0) for m in found]
