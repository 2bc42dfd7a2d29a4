"""A maintainer's synonym file in the corpus folder, read like Elasticsearch's Solr-format filter.

    # comment
    enkät, undersökning            words that stand for each other
    socialen => socialtjänsten     the left words are searched as the right ones, not the reverse

Words are analysed like the documents (so "enkäten" finds the "enkät" line). One word per entry:
a line with a phrase, or with nothing on a side of "=>", is reported with its line number and
skipped; the rest still apply. The shipped corpus has the file with comments only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.files import REFUSED, FileRefused, read_capped

SYNONYMS_FILE = "synonyms.txt"
# Words a line may list: enough for any real set of synonyms, few enough that the pairs an
# equivalence line makes (each word to every other) stay small.
MAX_ENTRIES = 50
# A synonym file is a maintainer's list of lines; beyond this it is no such list.
MAX_FILE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SynonymLineProblem:
    """A line of the synonym file that was skipped, and why (a code the front end words)."""

    line: int
    # "phrase" | "empty_side" | "too_many"; for line 0, the whole file: "unreadable" or why it
    # was refused ("link_outside", "link_dangling", "not_regular")
    problem: str
    text: str


@dataclass(frozen=True, slots=True)
class Synonyms:
    """Question term → the terms it is also searched as."""

    mapping: dict[str, frozenset[str]] = field(default_factory=dict)

    def of(self, term: str) -> frozenset[str]:
        return self.mapping.get(term, frozenset())

    def __len__(self) -> int:
        return len(self.mapping)


def parse_synonyms(text: str, terms: Callable[[str], list[str]]
                   ) -> tuple[Synonyms, list[SynonymLineProblem]]:
    """Read the file's text with `terms` (the analyzer); skipped lines come back as problems."""
    mapping: dict[str, set[str]] = {}
    problems: list[SynonymLineProblem] = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.count(",") >= MAX_ENTRIES:
            # Each word of an equivalence line maps to every other: 10,000 words are 10^8.
            problems.append(SynonymLineProblem(number, "too_many", line[:80]))
            continue
        left, arrow, right = line.partition("=>")
        sides = [_entries(left, terms), _entries(right, terms)] if arrow else [_entries(line, terms)]
        if any(entry is None for side in sides for entry in side):
            problems.append(SynonymLineProblem(number, "phrase", line))
            continue
        if arrow and (not sides[0] or not sides[1]) or not arrow and len(sides[0]) < 2:
            problems.append(SynonymLineProblem(number, "empty_side", line))
            continue
        sources, targets = (sides[0], sides[1]) if arrow else (sides[0], sides[0])
        for source in sources:
            mapping.setdefault(source, set()).update(t for t in targets if t != source)
    return Synonyms({k: frozenset(v) for k, v in mapping.items() if v}), problems


def load_synonyms(folder: Path, terms: Callable[[str], list[str]]
                  ) -> tuple[Synonyms, list[SynonymLineProblem]]:
    """The corpus folder's synonym file; none (or an unreadable one) means no synonyms. It is
    read only when it is a regular file in the folder (not a link leading out of it)."""
    try:
        text = read_capped(folder.resolve(), folder / SYNONYMS_FILE, MAX_FILE_BYTES
                           ).decode("utf-8").removeprefix("\ufeff")
    except FileNotFoundError:
        return Synonyms(), []
    except FileRefused as exc:
        problem = exc.problem if exc.problem in REFUSED else "unreadable"
        return Synonyms(), [SynonymLineProblem(0, problem, "")]
    except UnicodeDecodeError:
        return Synonyms(), [SynonymLineProblem(0, "unreadable", "")]
    return parse_synonyms(text, terms)


def _entries(side: str, terms: Callable[[str], list[str]]) -> list[str | None]:
    """The term of each comma-separated entry; None for an entry that is not one word."""
    out: list[str | None] = []
    for entry in side.split(","):
        if not entry.strip():
            continue
        found = terms(entry)
        out.append(found[0] if len(found) == 1 else None)
    return out
