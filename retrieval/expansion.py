"""Meet a question's words where the corpus vocabulary has them.

Snowball stemming leaves Swedish compounds whole ("personalomsättning" never meets "personal"),
misses many definite forms ("biståndet" stays "biståndet") and cannot forgive a missing å or a
typo. Instead of a dictionary, each question term is matched against the corpus's own vocabulary:

- exact stem                                      factor 1.0
- the same word without diacritics ("umea")      factor 1.0
- a vocabulary term it begins (modifier of a compound, definite form: "bistånd" → "biståndet")
- the term without an inflection ending Snowball left ("biståndet" → "bistånd")
- a vocabulary term it ends (head of a compound: "omsättning" → "personalomsättning")
- the genitive without its s ("Umeås" → "umeå")  factor 0.9
- one typo away, for unknown words of 5+ letters  factor 0.8

The factors and length limits are data of the expander, so a maintainer can tune them once.
"""

from __future__ import annotations

import bisect
import re
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from retrieval.analyzer import fold

_ACCENTED = {"a": "aåä", "o": "oö"}
_ALPHABET = "abcdefghijklmnopqrstuvwxyzåäöé"
_HAS_ACCENT = re.compile("[åäöé]").search
# Endings Snowball leaves on (definite forms, plurals, genitives), longest first.
INFLECTIONS = ("arnas", "ernas", "ornas", "arna", "erna", "orna", "ens", "ets", "et", "en", "an",
               "na", "ar", "er", "or", "n", "t", "s", "e")


@dataclass(frozen=True, slots=True)
class ExpansionPolicy:
    """How far a question term may reach into the vocabulary, and what each reach is worth."""

    prefix_factor: float = 0.5
    shorter_factor: float = 0.8
    suffix_factor: float = 0.6
    typo_factor: float = 0.8
    min_prefix_len: int = 4
    min_shorter_len: int = 5
    min_suffix_len: int = 5
    min_typo_len: int = 5
    max_fanout: int = 25
    genitive_factor: float = 0.9  # "umeås" → "umeå": a name's genitive, too short for INFLECTIONS
    min_genitive_len: int = 3
    truncate_factor: float = 0.7  # "missförhållanden" → "missförhåll": a vocabulary term it begins
    min_truncated_len: int = 5
    max_truncated_chars: int = 5
    split_factor: float = 0.8  # "socialarbetarna" → "social" + "arbet", when the whole is unknown
    min_part_len: int = 3
    # "intervjuundersökning" → "undersökning": an unknown compound's head, its last part, names
    # what it is; taken when nothing else matched (a question's word or a thesaurus synonym).
    head_factor: float = 0.6
    min_head_len: int = 5
    restore_accents: bool = True  # "pagar" → "pågår": å/ä/ö put back before stemming
    fold_accents: bool = True  # "umea" meets "umeå"
    exact_only: bool = False  # plain matching, for a baseline
    # Longer words are met exactly only: the typo and compound-split steps cost the square of a
    # word's length (a 10,000-letter "word" took seconds and gigabytes), and no Swedish word,
    # however compound, is this long.
    max_word_len: int = 40


class TermExpander:
    """Maps question terms to corpus vocabulary terms with a match factor in (0, 1]."""

    def __init__(self, vocabulary: Iterable[str], policy: ExpansionPolicy = ExpansionPolicy()):
        vocabulary = [v for v in vocabulary if v]
        words = sorted({v for v in vocabulary if not v[0].isdigit()})
        self.policy = policy
        self._numbers = frozenset(v for v in vocabulary if v[0].isdigit())
        self._vocab = frozenset(words)
        self._sorted = words
        self._reversed = sorted(w[::-1] for w in words)
        self._folded: dict[str, list[str]] = {}
        for w in words:
            self._folded.setdefault(fold(w), []).append(w)

    def knows(self, term: str) -> bool:
        """True when `term` is a vocabulary term as it stands, no reach needed."""
        return term in self._vocab or term in self._numbers

    def expand(self, term: str, typed: bool = True) -> dict[str, float]:
        """Vocabulary terms for `term` with their factors; empty when nothing matches.

        A typed term (a question's) is forgiven a missing å/ä/ö and a typo; a term from data
        (a thesaurus synonym, typed=False) is spelled right, so neither reach applies to it.
        """
        if term[0].isdigit():
            return {term: 1.0} if term in self._numbers else {}
        out: dict[str, float] = {}
        exact = [term] if term in self._vocab else []
        if not exact and typed and self.policy.fold_accents and not _HAS_ACCENT(term):
            # Only what was typed without å/ä/ö meets the word that has them ("umea" → umeå);
            # a typed "tåget" is no "tag".
            exact = self._folded.get(fold(term), [])
        for w in exact:
            out[w] = 1.0
        p = self.policy
        if p.exact_only or len(term) > p.max_word_len:
            return {term: 1.0} if term in self._vocab else {}
        base = exact[0] if exact else term
        if len(base) >= p.min_prefix_len:
            self._add(out, self._with_prefix(base), p.prefix_factor)
        if len(base) >= p.min_suffix_len:
            self._add(out, self._with_suffix(base), p.suffix_factor)
        if base.endswith("s") and len(base) > p.min_genitive_len and base[:-1] in self._vocab:
            self._add(out, [base[:-1]], p.genitive_factor)
        for ending in INFLECTIONS:
            stem = base[: -len(ending)]
            if base.endswith(ending) and len(stem) >= p.min_shorter_len and stem in self._vocab:
                self._add(out, [stem], p.shorter_factor)
                break
        if not out and p.truncate_factor:
            self._add(out, self._truncated(base), p.truncate_factor)
        if not out and typed and len(term) >= p.min_typo_len:
            self._add(out, self._one_edit(term), p.typo_factor)
        return out

    def restore(self, word: str, stem: Callable[[str], str]) -> str | None:
        """The vocabulary stem of `word` typed without å/ä/ö ("pagar" → "pågår"), if one exists.

        Each a may have been å or ä and each o an ö; at most 4 such letters are tried (81 forms).
        """
        if not self.policy.restore_accents or self.policy.exact_only or any(c in word for c in "åäö"):
            return None
        slots = [i for i, c in enumerate(word) if c in "ao"][:4]
        if not slots:
            return None
        for combo in itertools.product(*(_ACCENTED[word[i]] for i in slots)):
            chars = list(word)
            for i, c in zip(slots, combo):
                chars[i] = c
            form = "".join(chars)
            if form != word and stem(form) in self._vocab:
                return stem(form)
        return None

    def split(self, term: str) -> tuple[str, str] | None:
        """A compound unknown to the corpus as two vocabulary terms ("socialarbet" → social+arbet).

        The head must be a vocabulary term; the modifier a vocabulary term, optionally with the
        linking s. Of several splits the one with the longest shorter part wins.
        """
        p = self.policy
        if p.exact_only or not p.split_factor or term in self._vocab or len(term) > p.max_word_len:
            return None
        best, best_len = None, 0
        for i in range(p.min_part_len, len(term) - p.min_part_len + 1):
            head = term[i:]
            if head not in self._vocab:
                continue
            left = term[:i]
            for mod in (left, left[:-1] if left.endswith("s") else ""):
                if len(mod) >= p.min_part_len and mod in self._vocab:
                    shorter = min(len(mod), len(head))
                    if shorter > best_len:
                        best, best_len = (mod, head), shorter
        return best

    def head(self, term: str) -> str | None:
        """The longest vocabulary term that an unknown `term` ends with, after a modifier of at
        least min_part_len letters: its head ("intervjuundersökning" → "undersökning")."""
        p = self.policy
        if p.exact_only or not p.head_factor or term in self._vocab or len(term) > p.max_word_len:
            return None
        for i in range(p.min_part_len, len(term) - p.min_head_len + 1):
            if term[i:] in self._vocab:
                return term[i:]
        return None

    def _truncated(self, term: str) -> list[str]:
        """The longest vocabulary term that `term` begins with, a few letters shorter."""
        p = self.policy
        for cut in range(1, p.max_truncated_chars + 1):
            stem = term[:-cut]
            if len(stem) < p.min_truncated_len:
                break
            if stem in self._vocab:
                return [stem]
        return []

    def _add(self, out: dict[str, float], terms: list[str], factor: float) -> None:
        if len(terms) > self.policy.max_fanout:
            terms = sorted(terms, key=len)[: self.policy.max_fanout]
        for t in terms:
            if out.get(t, 0.0) < factor:
                out[t] = factor

    def _with_prefix(self, prefix: str) -> list[str]:
        i = bisect.bisect_right(self._sorted, prefix)
        out = []
        while i < len(self._sorted) and self._sorted[i].startswith(prefix):
            out.append(self._sorted[i])
            i += 1
        return out

    def _with_suffix(self, suffix: str) -> list[str]:
        rev = suffix[::-1]
        i = bisect.bisect_right(self._reversed, rev)
        out = []
        while i < len(self._reversed) and self._reversed[i].startswith(rev):
            out.append(self._reversed[i][::-1])
            i += 1
        return out

    def _one_edit(self, term: str) -> list[str]:
        """Vocabulary terms one deletion, substitution, insertion or swap away."""
        cands = set()
        for i in range(len(term) + 1):
            left, right = term[:i], term[i:]
            if right:
                cands.add(left + right[1:])
                if len(right) > 1:
                    cands.add(left + right[1] + right[0] + right[2:])
            for c in _ALPHABET:
                cands.add(left + c + right)
                if right:
                    cands.add(left + c + right[1:])
        cands.discard(term)
        return sorted(c for c in cands if c in self._vocab)
