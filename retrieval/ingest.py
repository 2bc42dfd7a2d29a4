"""Turn the raw files of a corpus folder into documents and passages.

Web scrapes carry ads, subscription prompts, comment forms and photo credits between the
paragraphs. Each line is classified (junk, heading, comment author, content); content lines become
passages that keep their exact raw offsets, so every quote can be checked against the file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from retrieval.errors import CorpusEmpty, CorpusMissing
from retrieval.passage import Document, Passage
from retrieval.synonyms import SYNONYMS_FILE  # read by retrieval/synonyms.py, not a document

SUFFIXES = (".txt", ".md")
METADATA_FILE = "sources.toml"
METADATA_FIELDS = {"title", "publisher", "author", "date", "kind", "url"}
MB = 1024 * 1024
# A bigger file is skipped unread: 10 MB is some 1,500 pages of text, far beyond any article,
# and reading, cleaning and indexing 50 MB takes half a minute and close to a gigabyte.
MAX_FILE_BYTES = 10 * MB

_END_PUNCT = tuple(".!?:;,…”\"»)")
_LIST_ITEM = re.compile(r"^(?:\d{1,2}[.)]|[•*▪·])\s+\S")
_DASH_LINE = re.compile(r"^[–—-]\s?\S")
_PHOTO_CREDIT = re.compile(r"^(?P<body>.*?)\s*Foto:\s*[^.!?]{0,60}$")
_PERSON_NAME = re.compile(r"^[A-ZÅÄÖÉ][a-zåäöéü]+(?:[ -][A-ZÅÄÖÉ][a-zåäöéü]+){1,2}$")
_COMMENTS_START = re.compile(r"^\d+ kommentar(?:er)?$", re.IGNORECASE)
_COMMENT_AUTHOR = re.compile(r"^(?:\d{1,3}\.|•)\s+(?P<author>[^.?]{1,60})$")
_REPLY_HEADER = re.compile(r"^Svar på .{1,60} kommentar\b.*$")
_SECTION = re.compile(r"^Del \d+\.?$")
_SEPARATOR = re.compile(r"^[_\-=*~]{3,}$")


@dataclass(frozen=True, slots=True)
class CorpusProblem:
    """A file that was skipped or only partly used, and why (a code the front end words)."""

    path: str
    problem: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class CorpusInfo:
    """What the corpus is about, for greetings and declines ([corpus] in sources.toml)."""

    description: str = ""
    examples: tuple[str, ...] = ()


@dataclass(slots=True)
class Corpus:
    """Everything loaded from a corpus folder."""

    folder: Path
    documents: dict[str, Document]
    passages: list[Passage]
    problems: list[CorpusProblem] = field(default_factory=list)
    info: CorpusInfo = CorpusInfo()


@dataclass(slots=True)
class _Line:
    start: int
    end: int
    text: str
    block: int


@cache
def _boilerplate() -> tuple[re.Pattern[str], ...]:
    text = resources.files("retrieval").joinpath("data/boilerplate_sv.txt").read_text("utf-8")
    rows = [r for r in text.splitlines() if r.strip() and not r.startswith("# ")]
    return tuple(re.compile(rf"^(?:{r})$", re.IGNORECASE) for r in rows)


def is_boilerplate(line: str) -> bool:
    """True when a stripped line is an ad, prompt, form, byline or separator."""
    return any(p.match(line) for p in _boilerplate())


def corpus_files(folder: Path) -> list[Path]:
    """Every file a corpus is made from: its documents, their metadata and its synonyms."""
    return sorted(p for p in folder.iterdir()
                  if p.suffix.lower() in SUFFIXES or p.name in (METADATA_FILE, SYNONYMS_FILE))


def load_corpus(folder: Path, max_file_bytes: int = MAX_FILE_BYTES) -> Corpus:
    """Load every readable .txt/.md file of `folder`; unreadable or too big ones become problems.

    Each document's text stays in memory as it was read: quotes are spans of that text, so a
    file changed or removed while the bot runs never changes what an answer quotes.
    """
    if not folder.is_dir():
        raise CorpusMissing(path=str(folder))
    metadata, info, problems = _read_metadata(folder)
    documents: dict[str, Document] = {}
    passages: list[Passage] = []
    for path in (p for p in corpus_files(folder) if p.suffix.lower() in SUFFIXES
                 and p.name != SYNONYMS_FILE):
        raw, problem = _read_text(path, max_file_bytes)
        if problem:
            problems.append(CorpusProblem(path.name, problem, _detail(path, problem,
                                                                      max_file_bytes)))
            continue
        lines = classify_lines(raw)
        doc = _document(path.name, raw, metadata.get(path.name, {}), lines)
        doc_passages = build_passages(doc, lines)
        if not doc_passages:
            problems.append(CorpusProblem(path.name, "no_content"))
            continue
        documents[doc.name] = doc
        passages.extend(doc_passages)
    if not documents:
        raise CorpusEmpty(path=str(folder))
    return Corpus(folder, documents, passages, problems, info)


def _size(path: Path) -> int:
    """The file's size in bytes; 0 when it cannot be read (reading it will say why)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _detail(path: Path, problem: str, limit: int) -> str:
    """What the warning line shows beside the problem: size/limit in MB for a file too big."""
    return f"{_size(path) / MB:.0f}/{limit / MB:g}" if problem == "too_large" else ""


def _read_text(path: Path, limit: int = MAX_FILE_BYTES) -> tuple[str, str]:
    """Read a file as the quote check does (utf-8, universal newlines); return (text, problem).
    A file over `limit` bytes is not read at all."""
    if _size(path) > limit:
        return "", "too_large"
    try:
        data = path.read_bytes()
    except OSError:
        return "", "unreadable"
    if b"\x00" in data[:8192]:
        return "", "binary"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "", "not_utf8"
    with open(path, encoding="utf-8") as handle:
        raw = handle.read()
    if not raw.strip():
        return "", "empty"
    return raw, ""


def _read_metadata(
    folder: Path,
) -> tuple[dict[str, dict[str, str]], CorpusInfo, list[CorpusProblem]]:
    """Read sources.toml; a broken file or field is reported and the documents still load."""
    path = folder / METADATA_FILE
    if not path.exists():
        return {}, CorpusInfo(), []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        return {}, CorpusInfo(), [CorpusProblem(METADATA_FILE, "metadata_syntax", str(exc))]
    problems = []
    info = _corpus_info(data.get("corpus", {}), problems)
    metadata: dict[str, dict[str, str]] = {}
    for name, fields in data.get("documents", {}).items():
        if not isinstance(fields, dict):
            problems.append(CorpusProblem(METADATA_FILE, "metadata_field", name))
            continue
        good = {k: v for k, v in fields.items() if k in METADATA_FIELDS and isinstance(v, str)}
        for bad in sorted(set(fields) - set(good)):
            problems.append(CorpusProblem(METADATA_FILE, "metadata_field", f"{name}: {bad}"))
        metadata[name] = good
    return metadata, info, problems


def _corpus_info(table: object, problems: list[CorpusProblem]) -> CorpusInfo:
    description = table.get("description", "") if isinstance(table, dict) else None
    examples = table.get("examples", []) if isinstance(table, dict) else None
    if not isinstance(description, str) or not (
        isinstance(examples, list) and all(isinstance(e, str) for e in examples)
    ):
        problems.append(CorpusProblem(METADATA_FILE, "metadata_field", "corpus"))
        return CorpusInfo()
    return CorpusInfo(description, tuple(examples))


def _document(name: str, raw: str, meta: dict[str, str], lines: list[tuple[_Line, str]]) -> Document:
    first = next((line.text for line, role in lines if role != "junk"), name)
    return Document(name=name, raw=raw, title=meta.get("title") or first, **{
        k: meta.get(k, "") for k in ("publisher", "author", "date", "kind", "url")})


def _raw_lines(raw: str) -> list[_Line]:
    """Non-blank lines with the offsets of their stripped text; `block` counts blank-line gaps."""
    lines, block, pos = [], 0, 0
    for chunk in raw.splitlines(keepends=True):
        body = chunk.rstrip("\r\n")
        stripped = body.strip()
        if stripped:
            start = pos + (len(body) - len(body.lstrip()))
            lines.append(_Line(start, start + len(stripped), stripped, block))
        else:
            block += 1
        pos += len(chunk)
    return lines


# The line that dates an article ("Växjö • Publicerad 7 november 2018", "Publicerad: 7 april
# 2021, 12:19"); without a year it stays boilerplate.
_DATELINE = re.compile(r"^(?:[^•]{0,30} • )?publicerad:? [^•]{0,40}\b(?:1[89]|20)\d\d\b.{0,20}$",
                       re.IGNORECASE)


def classify_lines(raw: str) -> list[tuple[_Line, str]]:
    """Label each non-blank line: junk, heading, comments, author:<name>, list, or content."""
    lines = _raw_lines(raw)
    roles = [_junk_or_content(line) for line in lines]
    _drop_sidebars(lines, roles)
    in_comments = False
    for i, line in enumerate(lines):
        if _COMMENTS_START.match(line.text):
            in_comments, roles[i] = True, "comments"
            continue
        if roles[i] in ("junk", "dateline"):
            continue
        if in_comments:
            if m := _COMMENT_AUTHOR.match(line.text):
                roles[i] = "author:" + m["author"].strip()
            elif _REPLY_HEADER.match(line.text):
                roles[i] = "junk"
            continue
        if _LIST_ITEM.match(line.text):
            roles[i] = "list"
        elif _is_heading(line.text) and any(r != "junk" for r in roles[i + 1:]):
            roles[i] = "heading"
    return list(zip(lines, roles))


def _junk_or_content(line: _Line) -> str:
    if _DATELINE.match(line.text):
        return "dateline"
    if is_boilerplate(line.text) or _SEPARATOR.match(line.text):
        return "junk"
    if m := _PHOTO_CREDIT.match(line.text):
        body = m["body"]
        if len(body.split()) < 15:
            return "junk"
        line.end = line.start + len(body)
        line.text = body
    if _PERSON_NAME.match(line.text):
        return "junk"
    return "content"


def _drop_sidebars(lines: list[_Line], roles: list[str]) -> None:
    """A block of short unpunctuated lines closed by a separator line is a sidebar, not text."""
    for i, line in enumerate(lines):
        if not _SEPARATOR.match(line.text):
            continue
        block = [j for j in range(i) if lines[j].block == line.block]
        if block and all(len(lines[j].text) < 70 and not lines[j].text.endswith(".") for j in block):
            for j in block:
                roles[j] = "junk"


def _is_heading(text: str) -> bool:
    if _SECTION.match(text):
        return True
    if len(text) > 80 or len(text.split()) > 10 or text.endswith(_END_PUNCT):
        return False
    return not (_DASH_LINE.match(text) or text[0] in "”\"«„")


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def build_passages(doc: Document, lines: list[tuple[_Line, str]]) -> list[Passage]:
    """Group content lines into passages: list items and interview answers join their lead."""
    groups: list[dict] = []
    heading, author, seen = "", "", set()
    prev_text, prev_role = "", ""
    for line, role in lines:
        if role == "junk":
            continue
        if role == "heading":
            heading, prev_role = line.text, "heading"
            continue
        if role == "comments":
            heading, prev_role = line.text, "heading"
            continue
        if role.startswith("author:"):
            author, prev_role = role.removeprefix("author:"), "author"
            continue
        if role == "dateline":
            # "Publicerad 7 november 2018" answers "När publicerades artikeln om …?": its own
            # passage, indexed under the document's title.
            groups.append({"heading": doc.title, "author": "", "spans": [(line.start, line.end)]})
            prev_role = "dateline"
            continue
        key = _normal(line.text)
        if key in seen:
            continue
        seen.add(key)
        group = groups[-1] if groups and prev_role in ("content", "list") else None
        if group and _continues(prev_text, line, group):
            group["spans"][-1] = (group["spans"][-1][0], line.end)
        elif group and _joins(prev_text, prev_role, line.text, role):
            group["spans"].append((line.start, line.end))
        else:
            groups.append({"heading": heading, "author": author, "spans": [(line.start, line.end)]})
        prev_text, prev_role = line.text, role
    stem = Path(doc.name).stem
    return [
        Passage(
            id=f"{stem}-p{n:03d}",
            doc=doc.name,
            heading=g["heading"],
            spans=tuple(g["spans"]),
            text="\n".join(doc.raw[s:e] for s, e in g["spans"]),
            author=g["author"],
        )
        for n, g in enumerate(groups, 1)
    ]


def _continues(prev: str, line: _Line, group: dict) -> bool:
    """A line broken mid-sentence: previous line unfinished, this one starts in lower case."""
    last_end = group["spans"][-1][1]
    return (not prev.endswith(_END_PUNCT) and line.text[0].islower()
            and line.start - last_end <= 2)


def _joins(prev: str, prev_role: str, text: str, role: str) -> bool:
    """List items join their lead-in or the item before; an interview answer joins its question."""
    if role == "list":
        return prev.endswith(":") or prev_role == "list"
    return prev.endswith("?") and not _DASH_LINE.match(prev) and bool(_DASH_LINE.match(text))
