"""sources.toml, read so that one mistake costs one document its metadata, not all of them.

The file is cut at its table headers and each table parsed on its own: a syntax error is
reported with its line and drops only the table it is in; a field of the wrong type or name
is reported with its line and dropped alone. Which tables name files that do not exist is
for the loader to say (`orphans`), since only it knows the files.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.files import REFUSED, FileRefused, read_capped

METADATA_FILE = "sources.toml"
# Far beyond the metadata of 100,000 documents; what is over it is not read.
MAX_METADATA_BYTES = 256 * 1024 * 1024
METADATA_FIELDS = {"title", "publisher", "author", "date", "kind", "url"}
_HEADER = re.compile(r"^\s*\[(?!\[)(?P<key>[^\]]*)\]\s*(?:#.*)?$")
_DOCUMENT_KEY = re.compile(r"""^\s*documents\s*\.\s*(?:"(?P<q>[^"]*)"|'(?P<s>[^']*)'|(?P<b>[\w.-]+))\s*$""")
_AT_LINE = re.compile(r"\s*\(at line (?P<line>\d+), column \d+\)")


@dataclass(frozen=True, slots=True)
class CorpusProblem:
    """A file that was skipped or only partly used, and why (a code the front end words);
    `line` is the line of the file the problem is on, 0 when it is the whole file."""

    path: str
    problem: str
    detail: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class CorpusInfo:
    """What the corpus is about, for greetings and declines ([corpus] in sources.toml)."""

    description: str = ""
    examples: tuple[str, ...] = ()


@dataclass(slots=True)
class Metadata:
    """The usable part of sources.toml: fields by document name, the line of each document's
    table, the [corpus] table, and what could not be used."""

    documents: dict[str, dict[str, str]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    info: CorpusInfo = CorpusInfo()
    problems: list[CorpusProblem] = field(default_factory=list)

    def of(self, name: str) -> dict[str, str]:
        """The fields of the document named `name` (compared in NFC), {} when there are none."""
        return self.documents.get(nfc(name), {})

    def orphans(self, names: set[str]) -> list[CorpusProblem]:
        """A warning for each table whose file is not among `names`."""
        present = {nfc(name) for name in names}
        return [CorpusProblem(METADATA_FILE, "metadata_orphan", name, self.lines.get(name, 0))
                for name in self.documents if name not in present]


def nfc(name: str) -> str:
    """A file name in NFC: macOS gives names decomposed (NFD, "a" + ring for "å"), while
    sources.toml is typed composed, and both must name the same file."""
    return unicodedata.normalize("NFC", name)


def read_metadata(folder: Path, limit: int = MAX_METADATA_BYTES) -> Metadata:
    """sources.toml of `folder`, table by table; an absent file is no metadata, no problem. It
    is read only when it is a regular file in the folder (not a link leading out of it)."""
    try:
        data = read_capped(folder.resolve(), folder / METADATA_FILE, limit)
    except FileNotFoundError:
        return Metadata()
    except FileRefused as exc:
        if exc.problem in REFUSED:
            return Metadata(problems=[CorpusProblem(METADATA_FILE, exc.problem)])
        return Metadata(problems=[CorpusProblem(METADATA_FILE, "metadata_unreadable",
                                                exc.problem)])
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")  # a byte-order mark is no TOML
    except UnicodeDecodeError as exc:
        return Metadata(problems=[CorpusProblem(METADATA_FILE, "metadata_unreadable", str(exc))])
    meta = Metadata()
    for start, header, chunk in _sections(text):
        try:
            data = tomllib.loads(chunk)
        except tomllib.TOMLDecodeError as exc:
            meta.problems.append(_syntax_problem(exc, start, header))
            continue
        _take(meta, data, start, chunk)
    return meta


def _sections(text: str) -> list[tuple[int, str, str]]:
    """(first line, header key, text) of each table, the lines before the first header too."""
    sections: list[tuple[int, str, list[str]]] = [(1, "", [])]
    for number, line in enumerate(text.splitlines(), 1):
        if match := _HEADER.match(line):
            sections.append((number, match["key"].strip(), []))
        sections[-1][2].append(line)
    return [(start, key, "\n".join(lines)) for start, key, lines in sections]


def _document_name(header: str) -> str:
    match = _DOCUMENT_KEY.match(header)
    return (match["q"] if match["q"] is not None else match["s"] if match["s"] is not None
            else match["b"]) if match else ""


def _syntax_problem(exc: tomllib.TOMLDecodeError, start: int, header: str) -> CorpusProblem:
    """The syntax error at its line of the whole file, naming the document that loses its table."""
    message = str(exc)
    found = _AT_LINE.search(message)
    line = start + int(found["line"]) - 1 if found else start
    return CorpusProblem(METADATA_FILE, "metadata_syntax",
                         _document_name(header) or header, line)


def _key_line(chunk: str, start: int, key: str) -> int:
    """The line a key is set on within a table (its header's line when not found)."""
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number, line in enumerate(chunk.splitlines()):
        if pattern.match(line):
            return start + number
    return start


def _take(meta: Metadata, data: dict, start: int, chunk: str) -> None:
    """Merge one parsed table into `meta`, reporting fields of the wrong name or type."""
    if "corpus" in data:
        meta.info = _corpus_info(data["corpus"], meta.problems, start)
    documents = data.get("documents", {})
    if not isinstance(documents, dict):
        meta.problems.append(CorpusProblem(METADATA_FILE, "metadata_field", "documents", start))
        return
    for name, fields in documents.items():
        if not isinstance(fields, dict):
            meta.problems.append(CorpusProblem(METADATA_FILE, "metadata_field", name,
                                               _key_line(chunk, start, name)))
            continue
        good = {k: v for k, v in fields.items() if k in METADATA_FIELDS and isinstance(v, str)}
        for bad in sorted(set(fields) - set(good)):
            meta.problems.append(CorpusProblem(METADATA_FILE, "metadata_field", f"{name}: {bad}",
                                               _key_line(chunk, start, bad)))
        meta.documents[nfc(name)] = good
        meta.lines[nfc(name)] = start


def _corpus_info(table: object, problems: list[CorpusProblem], line: int) -> CorpusInfo:
    description = table.get("description", "") if isinstance(table, dict) else None
    examples = table.get("examples", []) if isinstance(table, dict) else None
    if not isinstance(description, str) or not (
        isinstance(examples, list) and all(isinstance(e, str) for e in examples)
    ):
        problems.append(CorpusProblem(METADATA_FILE, "metadata_field", "corpus", line))
        return CorpusInfo()
    return CorpusInfo(description, tuple(examples))
