"""When to say the documents do not answer: a rule on the evidence, not on a raw BM25 score.

A BM25 score has no scale (it grows with the question's length and the corpus), so the rule reads
two shares of the question's weight instead, both in [0, 1] whatever the corpus:

- coverage: how much of the question one of the top passages holds (its document's words at a
  discount). "Vad tjänar en socialsekreterare?" may match many passages a little; one that holds
  most of the question is evidence.
- unknown: how much of the question the corpus has never seen in any form. "Hur många invånare
  har Kina?" finds "invånare", but "Kina" is nowhere, and it weighs half the question.

And two facts. Whether a top passage or its document shares a topic word of the question,
one that is no name and no everyday word: "Vilken tid går tåget till Umeå?" shares "tid", "går"
and "Umeå" with the documents, and not what it is about. Whether a name of the question (a
capitalised word: "Vad är en lex Maria-anmälan?") is a word the corpus never uses: the documents
are about someone or something else. With CITATBOT_REQUIRE_FIGURES a third: whether a figure the
question names ("2019") is missing from every top passage (and from their documents' dates);
by default such a question is answered, and its answer says the figure is not in the quoted
paragraph (bot/missing.py): "… enades våren 2022 …, eller?" is told it was hösten 2021.

With the semantic field, thin word evidence is overruled when a top passage means nearly the
same as the question (its embedding's cosine reaches min_similarity): people ask in their own
words, and in English. Closeness short of that counts as coverage (similarity_credit), and a
little closer also against the share of unknown words (similarity_unknown_from).

The thresholds are settings (CITATBOT_MIN_COVERAGE, CITATBOT_MAX_UNKNOWN, CITATBOT_MIN_SIMILARITY,
CITATBOT_SIMILARITY_CREDIT, CITATBOT_SIMILARITY_UNKNOWN_FROM, CITATBOT_REQUIRE_TOPIC,
CITATBOT_REQUIRE_FIGURES, CITATBOT_REQUIRE_NAMES), set on the dev half of the gold set and on
benchmarks/dev_b.jsonl; `benchmarks/levers.py` shows what each trades.
"""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.search import Evidence

MIN_WORDS = 2  # words of three letters or more a question needs before its meaning can count


@dataclass(frozen=True, slots=True)
class DeclineRule:
    """Decline when no top passage covers enough of the question, or when the unknown share of
    the question reaches max_unknown (half, by default: "invånare" found, "Kina" not)."""

    min_coverage: float
    max_unknown: float
    require_figures: bool = True
    require_names: bool = True
    # A top passage whose meaning is this close to the question (cosine) answers it even when it
    # shares few of its words: "sagt upp sig" against "lämnat sina tjänster", or English.
    min_similarity: float = 1.0
    # The same for a question in English: a Swedish passage that answers it scores lower.
    min_similarity_english: float = 1.0
    # Closeness short of min_similarity still counts, as coverage: a paraphrase that shares a
    # third of its words with a passage that means nearly the same ("vilka mer än soc var oroliga
    # för tjejen", cosine 0.867) is evidence; the far questions' cosines stay below 0.86.
    similarity_credit: float = 0.0
    similarity_credit_from: float = 1.0
    # Names and everyday words alone ("Vilken tid går tåget till Umeå?": "tid", "går", "Umeå")
    # are no evidence: a top passage must share a topic word of the question.
    require_topic: bool = False
    # Closeness above this takes the same credit off the unknown share: "Hur många har sagt upp
    # sig … de senaste sex månaderna?" uses half its words nowhere in the documents, and its
    # best passage (cosine 0.854) says "lämnat sina tjänster det senaste halvåret". From 0.82,
    # "När öppnar biblioteket?" (0.822, half unknown) came through; 0.83–0.84 answer three more
    # dev questions and let no far one through, 0.85 one of the three.
    similarity_unknown_from: float = 1.0

    def __post_init__(self) -> None:
        for name in ("min_coverage", "max_unknown", "min_similarity", "min_similarity_english",
                     "similarity_credit_from", "similarity_unknown_from"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must lie in [0, 1], got {value}")

    def declines(self, evidence: Evidence) -> bool:
        """True when the evidence is too thin to quote anything as an answer."""
        credit = self._credit(evidence, self.similarity_credit_from)
        thin = (evidence.coverage + credit < self.min_coverage
                or evidence.unknown - self._credit(evidence, self.similarity_unknown_from)
                >= self.max_unknown
                or (self.require_topic and not evidence.topic))
        # Punctuation soup and single tokens get high cosines too: a question must have words.
        needed = self.min_similarity_english if evidence.english else self.min_similarity
        close = (evidence.similarity is not None and evidence.similarity >= needed
                 and evidence.words >= MIN_WORDS)
        return ((thin and not close)
                or (self.require_figures and evidence.missing_figure)
                or (self.require_names and evidence.unknown_name))

    def _credit(self, evidence: Evidence, start: float) -> float:
        """What closeness above `start` counts: similarity_credit per unit of cosine."""
        return self.similarity_credit * max(0.0, (evidence.similarity or 0.0) - start)
