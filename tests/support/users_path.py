"""The users' search over given postings, for benchmarks at scale and the test that it ranks as
Pipeline does; and the bundled corpus's term lists, the model of every synthetic corpus."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.settings import DEFAULT_CORPUS
from retrieval.analyzer import CharGramAnalyzer, SwedishAnalyzer
from retrieval.bm25 import Postings
from retrieval.expansion import TermExpander
from retrieval.index import PassageIndex, indexed_text
from retrieval.ingest import load_corpus
from retrieval.passage import Document, Passage
from retrieval.reader import QuestionReader
from retrieval.search import GramField, Results, Retriever
from retrieval.synonyms import Synonyms
from retrieval.thesaurus import Thesaurus
from retrieval.topics import DocumentTopics
from retrieval.tuning import Tuning

TOP = 10  # what Pipeline.answer asks for: max(top_k 5, Tuning.compose_hits 10)


def bundled_terms() -> list[list[str]]:
    """The analysed passages of the bundled corpus: the model of every synthetic corpus."""
    analyzer = SwedishAnalyzer()
    return [analyzer.terms(indexed_text(p)) for p in load_corpus(DEFAULT_CORPUS).passages]



@dataclass(frozen=True, slots=True)
class UsersPath:
    """A Retriever and a QuestionReader wired as Pipeline.from_settings wires them, over given
    postings: the words field with the document boost, the 4-gram field when given, no semantic
    field and no synonyms."""

    retriever: Retriever
    reader: QuestionReader

    @classmethod
    def over(cls, passages: Sequence[Passage], documents: Mapping[str, Document],
             words: Postings, grams: Postings | None = None) -> UsersPath:
        """build_retriever's fields, from postings instead of its cache."""
        tuning, analyzer = Tuning(), SwedishAnalyzer()
        index = PassageIndex(passages, analyzer, postings=words, b=tuning.bm25_b)
        gram_field = None
        if grams is not None:
            gram_analyzer = CharGramAnalyzer(analyzer, tuning.gram_size)
            gram_field = GramField(PassageIndex(passages, gram_analyzer, postings=grams),
                                   gram_analyzer)
        retriever = Retriever(index, documents, tuning, grams=gram_field,
                              topics=DocumentTopics(index, documents, analyzer))
        reader = QuestionReader(analyzer, index, TermExpander(index.vocabulary, tuning.expansion),
                                Synonyms(), tuning, Thesaurus(analyzer.stem))
        return cls(retriever, reader)

    def search(self, question: str) -> Results:
        """Read the question and search: Pipeline.answer without smalltalk, decline and quotes."""
        return self.retriever.search(self.reader.read(question), TOP)


