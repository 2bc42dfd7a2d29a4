"""Turn the files of a corpus folder into documents and passages.

Every format is first turned into the text that is indexed and quoted (retrieval/formats).
Web scrapes carry ads, subscription prompts, comment forms and photo credits between the
paragraphs. Each line is classified (junk, heading, comment author, content); content lines become
passages that keep their exact offsets in that text, so every quote can be checked against it.

The folder is read with its subfolders: a document's name is its path relative to the folder
("rapporter/2023.pdf"). Hidden files and folders (".cache", ".git") are passed over silently;
a file of a format citatbot does not read is named once as skipped.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
from collections.abc import Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass, field
from typing import Protocol
from functools import cache
from importlib import resources
from pathlib import Path

from retrieval.errors import CorpusEmpty, CorpusMissing
from retrieval.extracted import ExtractionCache
from retrieval.files import FileRefused, link_problem, read_capped
from retrieval.formats import SUFFIXES, Extracted, ExtractionFailed, extract
from retrieval.metadata import METADATA_FILE, CorpusInfo, CorpusProblem, read_metadata
from retrieval.parallel import BATCH_FILES, POOL_MIN_FILES, BrokenProcessPool, batches, pooled
from retrieval.passage import DASH_LINE, Document, DocumentMaker, Documents, Passage
from retrieval.synonyms import SYNONYMS_FILE  # read by retrieval/synonyms.py, not a document

__all__ = ["METADATA_FILE", "CorpusInfo", "CorpusProblem", "Corpus", "load_corpus",
           "corpus_files", "SUFFIXES"]

MB = 1024 * 1024
# A bigger file is skipped unread: 10 MB is some 1,500 pages of text, far beyond any article,
# and reading, cleaning and indexing 50 MB takes half a minute and close to a gigabyte.
MAX_FILE_BYTES = 10 * MB
# A title taken from the document's first line (no title in sources.toml or the file) is cut
# here: a file whose first line is its whole text must not make a 12 MB title.
MAX_FALLBACK_TITLE = 120
# Files that sit beside the documents and are never documents themselves.
NOT_DOCUMENTS = {METADATA_FILE, SYNONYMS_FILE, "gold.jsonl", "blind.jsonl", "blind_b.jsonl",
                 "blind_c.jsonl", "blind_d.jsonl", "blind_e.jsonl", "blind_f.jsonl",
                 "blind_g.jsonl", "blind_h.jsonl", "dialogues.jsonl"}

BOM = "\ufeff"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_END_PUNCT = tuple(".!?:;,…”\"»)")
_LIST_ITEM = re.compile(r"^(?:\d{1,2}[.)]|[•*▪·])\s+\S")
_PHOTO_CREDIT = re.compile(r"^(?P<body>.*?)\s*Foto:\s*[^.!?]{0,60}$")
MIN_CAPTION_WORDS = 2  # a caption of fewer words says nothing ("Foto: URBAN NILSSON" has none)
_PERSON_NAME = re.compile(r"^[A-ZÅÄÖÉ][a-zåäöéü]+(?:[ -][A-ZÅÄÖÉ][a-zåäöéü]+){1,2}$")
_COMMENTS_START = re.compile(r"^\d+ kommentar(?:er)?$", re.IGNORECASE)
_COMMENT_AUTHOR = re.compile(r"^(?:\d{1,3}\.|•)\s+(?P<author>[^.?]{1,60})$")
_REPLY_HEADER = re.compile(r"^Svar på .{1,60} kommentar\b.*$")
_SECTION = re.compile(r"^Del \d+\.?$")
_SEPARATOR = re.compile(r"^[_\-=*~]{3,}$")
# A table row as the extractors write it (Markdown, Word): cells between " | ".
_TABLE_ROW = re.compile(r"\S \| \S")


@dataclass(slots=True)
class Corpus:
    """Everything loaded from a corpus folder; `digest` is passages_digest of its passages
    when a snapshot already knew it (retrieval/snapshot.py), so a start hashes nothing."""

    folder: Path
    documents: Mapping[str, Document]
    passages: Sequence[Passage]
    problems: list[CorpusProblem] = field(default_factory=list)
    info: CorpusInfo = CorpusInfo()
    digest: str | None = None
    # Name, size and time of every file it was made from, taken as it was loaded: the index
    # cache's key (retrieval/store.py), without walking the folder again.
    manifest: list[tuple[str, int, int]] | None = None


class KnownDocuments(Protocol):
    """What a load kept from an earlier one (retrieval/snapshot.py): documents of unchanged
    files, and the extracted text of files whose sources.toml entry alone changed."""

    def made(self, name: str, path: Path, meta: dict[str, str]
             ) -> tuple[Document | DocumentMaker, Sized] | None:
        """The document made before (or what makes it when first asked for) and its passages
        (or as many stand-ins), when its file and metadata are unchanged."""

    def extracted(self, name: str, path: Path) -> Extracted | None:
        """The file's text from before, when the file is unchanged."""

    def remember(self, name: str, path: Path, meta: dict[str, str], extracted: Extracted,
                 document: Document, passages: Sequence[Passage]) -> None:
        """Keep a freshly made document for the next load."""

    def passages(self, documents: Mapping[str, Document]) -> Sequence[Passage]:
        """Every passage of the documents made and remembered, in load order."""


@dataclass(slots=True)
class _Line:
    start: int
    end: int
    text: str
    block: int


@cache
def _boilerplate() -> re.Pattern[str]:
    """Every line pattern as one alternation: one match a line, not one per pattern (a 1M
    passage build matched 28 patterns against each of its million lines)."""
    text = resources.files("retrieval").joinpath("data/boilerplate_sv.txt").read_text("utf-8")
    rows = [r for r in text.splitlines() if r.strip() and not r.startswith("# ")]
    return re.compile("^(?:" + "|".join(f"(?:{r})" for r in rows) + ")$", re.IGNORECASE)


def is_boilerplate(line: str) -> bool:
    """True when a stripped line is an ad, prompt, form, byline or separator."""
    return _boilerplate().match(line) is not None


def document_name(folder: Path, path: Path) -> str:
    """A document's name: its path relative to the corpus folder, with "/" between parts."""
    return path.relative_to(folder).as_posix()


def named_files(folder: Path) -> tuple[list[tuple[str, Path]], list[tuple[str, Path]],
                                       list[tuple[str, Path, str]]]:
    """(documents, other files, refused documents with why) under `folder` as (name, path),
    sorted by name; hidden files and folders (the index cache among them) are none of them.
    A document is refused when it is a link that leads outside the folder or nowhere, or no
    regular file (a named pipe, a device): reading it would quote what the folder does not
    hold, or hang. Names are made from the walk's strings: Path.relative_to for each of 5,000
    files took a tenth of a second."""
    root = folder.resolve()
    documents: list[tuple[str, Path]] = []
    others: list[tuple[str, Path]] = []
    refused: list[tuple[str, Path, str]] = []
    pending = [(os.fspath(folder), "")]
    while pending:
        current, prefix = pending.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if _is_dir(entry):
                if not entry.is_symlink() and not name.startswith("__"):
                    pending.append((entry.path, prefix + name + "/"))
                continue
            if not prefix and name in NOT_DOCUMENTS:
                continue
            pair = (prefix + name, Path(entry.path))
            if _suffix(name) not in SUFFIXES:
                others.append(pair)
            elif problem := _refusal(root, entry):
                refused.append((*pair, problem))
            else:
                documents.append(pair)
    return (sorted(documents, key=_first), sorted(others, key=_first),
            sorted(refused, key=_first))


def _first(pair: tuple) -> str:
    return pair[0]


def _suffix(name: str) -> str:
    """A file name's suffix in lower case, as Path.suffix gives it ("" for "a." or ".a")."""
    dot = name.rfind(".")
    return name[dot:].lower() if 0 < dot < len(name) - 1 else ""


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _refusal(root: Path, entry: os.DirEntry) -> str:
    """Why a listed document must not be read, or "" (a link is followed only within `root`)."""
    try:
        if entry.is_symlink() and (problem := link_problem(root, Path(entry.path))):
            return problem
        return "" if entry.is_file() else "not_regular"
    except OSError:
        return "unreadable"


def walk(folder: Path) -> tuple[list[Path], list[Path]]:
    """(documents, other files) under `folder`, sorted by name (see named_files)."""
    documents, others, _ = named_files(folder)
    return [p for _, p in documents], [p for _, p in others]


def named_corpus_files(folder: Path, documents: list[tuple[str, Path]] | None = None
                       ) -> list[tuple[str, Path]]:
    """Every file a corpus is made from, as (name, path): its documents (`documents` when
    walked already), their metadata and its synonyms."""
    extra = [(n, folder / n) for n in (METADATA_FILE, SYNONYMS_FILE) if (folder / n).is_file()]
    return sorted((named_files(folder)[0] if documents is None else documents) + extra,
                  key=_first)


def corpus_files(folder: Path) -> list[Path]:
    """Every file a corpus is made from: its documents, their metadata and its synonyms."""
    return [p for _, p in named_corpus_files(folder)]


def file_manifest(files: list[tuple[str, Path]]) -> list[tuple[str, int, int]]:
    """Name, size and modification time (ns) of each file; a file removed meanwhile is left
    out (the change that removed it brings a rebuild)."""
    manifest = []
    for name, path in files:
        try:
            info = path.stat()
        except OSError:
            continue
        manifest.append((name, info.st_size, info.st_mtime_ns))
    return manifest


def load_corpus(folder: Path, max_file_bytes: int = MAX_FILE_BYTES,
                cache_path: Path | None = None, known: KnownDocuments | None = None,
                workers: int = 1) -> Corpus:
    """Load every readable document of `folder` and its subfolders; unreadable, too big or
    unknown files become problems. `cache_path` keeps extracted PDF/HTML/Word/Markdown text;
    `known` (retrieval/snapshot.py) gives back the documents of files that did not change;
    many files to read are read on `workers` processes (retrieval/parallel.py).

    Each document's text stays in memory as it was read: quotes are spans of that text, so a
    file changed or removed while the bot runs never changes what an answer quotes.
    """
    if not folder.is_dir():
        raise CorpusMissing(path=str(folder))
    metadata = read_metadata(folder)
    problems = list(metadata.problems)
    paths, others, refused = named_files(folder)
    problems += [CorpusProblem(name, "unsupported", _suffix(p.name)) for name, p in others]
    problems += [CorpusProblem(name, problem) for name, _, problem in refused]
    root = folder.resolve()
    extracted_cache = ExtractionCache(cache_path)
    documents = Documents()
    passages: list[Passage] = []
    files = [(name, path, metadata.of(name)) for name, path in paths]
    kept = [known.made(name, path, meta) if known else None for name, path, meta in files]
    fresh = made_afresh([f for f, k in zip(files, kept) if k is None], max_file_bytes,
                        extracted_cache, known, workers, root)
    for (name, path, meta), made in zip(files, kept):
        if made is None:
            extracted, problem, made = next(fresh)
            if extracted is None or made is None:
                problems.append(CorpusProblem(name, problem,
                                              _detail(path, problem, max_file_bytes)))
                continue
            if known:
                known.remember(name, path, meta, extracted, *made)
        doc, doc_passages = made
        if not doc_passages:
            problems.append(CorpusProblem(name, "no_content"))
            continue
        documents.add(name, doc)
        if not known:
            passages.extend(doc_passages)  # type: ignore[arg-type]  # Passages without `known`
    extracted_cache.save()
    skipped = {p.path for p in problems}
    problems += metadata.orphans(set(documents) | skipped)
    if not documents:
        raise CorpusEmpty(path=str(folder))
    return Corpus(folder, documents, known.passages(documents) if known else passages,
                  problems, metadata.info,
                  manifest=file_manifest(named_corpus_files(folder, paths)))


Made = tuple[Extracted | None, str, tuple[Document, Sequence[Passage]] | None]


def made_afresh(files: list[tuple[str, Path, dict[str, str]]], limit: int,
                extracted_cache: ExtractionCache, known: KnownDocuments | None, workers: int,
                root: Path) -> Iterator[Made]:
    """For each (name, path, sources.toml entry), in order: its extracted text, or None and the
    problem, and its document and passages; on `workers` processes when there are many. No
    file is read outside `root`, the resolved corpus folder."""
    if workers > 1 and len(files) >= POOL_MIN_FILES:
        return _made_in_pool(files, limit, extracted_cache, known, workers, root)
    return _made_here(files, limit, extracted_cache, known, root)


def _made_here(files: list[tuple[str, Path, dict[str, str]]], limit: int,
               extracted_cache: ExtractionCache, known: KnownDocuments | None,
               root: Path) -> Iterator[Made]:
    for name, path, meta in files:
        extracted, problem = _read(root, path, name, limit, extracted_cache, known)
        yield extracted, problem, (None if extracted is None
                                   else document_passages(name, extracted, meta))


def _made_in_pool(files: list[tuple[str, Path, dict[str, str]]], limit: int,
                  extracted_cache: ExtractionCache, known: KnownDocuments | None, workers: int,
                  root: Path) -> Iterator[Made]:
    """Files read, cleaned and split by worker processes, each document's passages sent back
    as a table's arrays (retrieval/table.py), not a list of objects to unpickle."""
    from retrieval.table import PassageTable  # retrieval.table imports this module

    tasks = [(name, path, meta, *_prepare(path, name, limit, extracted_cache, known))
             for name, path, meta in files]
    done = 0
    try:
        work = [(*t[:5], root, limit) for t in tasks]
        for results in pooled(_make_batch, batches(work, BATCH_FILES), workers):
            for extracted, problem, doc, parts in results:
                name, path, _, _, _, stamp = tasks[done]
                done += 1
                if doc is None or parts is None:
                    yield None, problem, None
                    continue
                if stamp is not None and _suffix(path.name) != ".txt":
                    extracted_cache.put(name, stamp, extracted)
                yield extracted, "", (doc, PassageTable.from_parts(parts, doc.raw))
    except BrokenProcessPool:  # a worker died (killed, out of memory): the rest here
        yield from _made_here(files[done:], limit, extracted_cache, known, root)


def _make_batch(tasks: list[tuple[str, Path, dict[str, str], Extracted | None, str, Path, int]]
                ) -> list[tuple[Extracted | None, str, Document | None, tuple | None]]:
    """In a worker: each file read (unless its text came along), cleaned and split."""
    from retrieval.table import PassageTable

    out: list[tuple[Extracted | None, str, Document | None, tuple | None]] = []
    for name, path, meta, extracted, problem, root, limit in tasks:
        if extracted is None and not problem:
            extracted, problem = _extract(root, path, limit)
        if extracted is None:
            out.append((None, problem, None, None))
            continue
        doc, passages = document_passages(name, extracted, meta)
        out.append((extracted, "", doc, PassageTable.of_document(doc, passages).parts()))
    return out


def document_passages(name: str, extracted: Extracted, meta: dict[str, str]
                      ) -> tuple[Document, list[Passage]]:
    """A document and its passages from its extracted text and its sources.toml fields."""
    lines = classify_lines(extracted.text)
    doc = _document(name, extracted, meta, lines)
    return doc, build_passages(doc, lines)


def _size(path: Path) -> int:
    """The file's size in bytes; 0 when it cannot be read (reading it will say why)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _detail(path: Path, problem: str, limit: int) -> str:
    """What the warning line shows beside the problem: size/limit in MB for a file too big."""
    return f"{_size(path) / MB:.0f}/{limit / MB:g}" if problem == "too_large" else ""


def _read(root: Path, path: Path, name: str, limit: int, extracted_cache: ExtractionCache,
          known: KnownDocuments | None = None) -> tuple[Extracted | None, str]:
    """A file's extracted text, or None and the problem. A file over `limit` bytes is not read
    at all; the extraction of a non-.txt file comes from the cache while the file is unchanged."""
    extracted, problem, stamp = _prepare(path, name, limit, extracted_cache, known)
    if extracted is not None or problem:
        return extracted, problem
    extracted, problem = _extract(root, path, limit)
    if extracted is not None and stamp is not None and _suffix(path.name) != ".txt":
        extracted_cache.put(name, stamp, extracted)
    return extracted, problem


def _prepare(path: Path, name: str, limit: int, extracted_cache: ExtractionCache,
             known: KnownDocuments | None) -> tuple[Extracted | None, str, tuple[int, int] | None]:
    """What is known of a file before reading it: its problem (unreadable, too big), or its
    text from a cache; else (None, "", its size and time), and it must be read."""
    try:
        info = path.stat()
    except OSError:
        return None, "unreadable", None
    if not stat.S_ISREG(info.st_mode):
        return None, "not_regular", None
    if info.st_size > limit:
        return None, "too_large", None
    stamp = (info.st_size, info.st_mtime_ns)
    if _suffix(path.name) != ".txt" and (found := extracted_cache.get(name, stamp)) is not None:
        return found, "", None
    if known and (found := known.extracted(name, path)) is not None:
        return found, "", None
    return None, "", stamp


def _extract(root: Path, path: Path, limit: int) -> tuple[Extracted | None, str]:
    """A file read (inside `root`, regular, at most `limit` bytes) and its text extracted, or
    None and the problem."""
    try:
        data = read_capped(root, path, limit)
    except FileRefused as exc:
        return None, exc.problem
    except OSError:  # gone since it was listed
        return None, "unreadable"
    try:
        return extract(path, data), ""
    except ExtractionFailed as exc:
        return None, exc.problem


def _document(name: str, extracted: Extracted, meta: dict[str, str],
              lines: list[tuple[_Line, str]]) -> Document:
    """The document with sources.toml's fields, the file's own where sources.toml has none,
    and its first line (shortened) as the title when neither gives one."""
    own = extracted.meta
    first = next((line.text for line, role in lines if role != "junk"), name)
    fields = {k: meta.get(k) or own.get(k, "") for k in ("publisher", "author", "date", "kind",
                                                          "url")}
    title = _clean_title(meta.get("title") or own.get("title") or "") or shorten(
        _clean_title(first), MAX_FALLBACK_TITLE)
    return Document(name=name, raw=extracted.text, title=title, pages=extracted.pages,
                    origin=extracted.origin, **fields)


def _clean_title(title: str) -> str:
    """A title without byte-order marks, and with control characters (which a terminal would
    obey) as spaces."""
    return _CONTROL.sub(" ", title.replace(BOM, "")).strip()


def shorten(text: str, limit: int) -> str:
    """`text` within `limit` characters, cut at a word boundary and ended with "…"."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[: limit - 1]
    return cut.rstrip(" –-,:;") + "…"


def _raw_lines(raw: str) -> list[_Line]:
    """Non-blank lines with the offsets of their stripped text; `block` counts blank-line gaps."""
    lines, block, pos = [], 0, 0
    for chunk in raw.splitlines(keepends=True):
        body = chunk.rstrip("\r\n")
        text = body.lstrip().lstrip(BOM).lstrip()  # a byte-order mark begins a file, not its text
        stripped = text.rstrip()
        if stripped:
            start = pos + len(body) - len(text)
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
    """Label each non-blank line: junk, heading, comments, author:<name>, list, row (of a
    table) or content."""
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
                roles[i] = "reply"
            continue
        if _LIST_ITEM.match(line.text):
            roles[i] = "list"
        elif _TABLE_ROW.search(line.text):
            roles[i] = "row"
        elif _is_heading(line.text) and any(r != "junk" for r in roles[i + 1:]):
            roles[i] = "heading"
    return list(zip(lines, roles))


def _junk_or_content(line: _Line) -> str:
    if _DATELINE.match(line.text):
        return "dateline"
    if is_boilerplate(line.text) or _SEPARATOR.match(line.text):
        return "junk"
    if m := _PHOTO_CREDIT.match(line.text):
        # A caption says who is pictured ("Heike Erkers förbundsordförande i Akademikerförbundet
        # SSR."), often nowhere else: its words are kept, the photographer's credit is not.
        body = m["body"]
        if len(body.split()) < MIN_CAPTION_WORDS:
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
    return not (DASH_LINE.match(text) or text[0] in "”\"«„")


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
        group = groups[-1] if groups and prev_role in ("content", "list", "row", "reply") else None
        if group and _continues(prev_text, line, group, doc.raw):
            group["spans"][-1] = (group["spans"][-1][0], line.end)
        elif group and _joins(prev_text, prev_role, line.text, role):
            group["spans"].append((line.start, line.end))
        else:
            groups.append({"heading": heading, "author": author, "spans": [(line.start, line.end)]})
        prev_text, prev_role = line.text, role
    stem = passage_stem(doc.name)
    return [
        Passage(
            id=passage_id(stem, n),
            doc=doc.name,
            heading=g["heading"],
            spans=tuple(g["spans"]),
            text="\n".join(doc.raw[s:e] for s, e in g["spans"]),
            author=g["author"],
        )
        for n, g in enumerate(groups, 1)
    ]


def _continues(prev: str, line: _Line, group: dict, raw: str) -> bool:
    """A line broken mid-sentence: previous line unfinished, this one starts in lower case."""
    last_end = group["spans"][-1][1]
    # at most a line end and a space between them ("\r\n" is one line end)
    return (not prev.endswith(_END_PUNCT) and line.text[0].islower()
            and line.start - last_end - raw.count("\r", last_end, line.start) <= 2)


def _joins(prev: str, prev_role: str, text: str, role: str) -> bool:
    """List items join their lead-in or the item before, table rows the row before, and an
    interview answer joins its question."""
    if role == "list":
        return prev.endswith(":") or prev_role == "list"
    if role == "row":  # a table is one passage, its header row with it
        return prev_role == "row"
    if prev_role == "reply":  # "Svar på Gracchus kommentar 29/4-2023" and the reply itself
        return True
    return prev.endswith("?") and not DASH_LINE.match(prev) and bool(DASH_LINE.match(text))


def passage_id(stem: str, number: int) -> str:
    """The id of a document's passage `number` (1-based), so a snapshot remakes ids alike."""
    return f"{stem}-p{number:03d}"


def passage_stem(name: str) -> str:
    """What a document's passage ids begin with: its name (relative path), less a ".txt" as ids
    always were, unless the rest is itself a document's name ("a.md.txt" beside "a.md"): then
    the whole name. So two files never share ids, and a file's ids never depend on which other
    files the folder holds."""
    if name.endswith(".txt"):
        stem = name[: -len(".txt")]
        if posixpath.splitext(stem)[1].lower() not in SUFFIXES:  # Path.suffix, no Path made
            return stem
    return name
