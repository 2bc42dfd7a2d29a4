"""The extracted text of PDF, HTML, Word and Markdown files, kept between starts.

Extracting 300 PDFs takes seconds; reading their text back from one JSON file takes
milliseconds, so a start with a cached index stays fast. An entry is used only while its
file has the size and modification time it had when it was extracted; a file that cannot be
read is ignored and rewritten. Plain .txt files are never cached: reading them is the cheap part.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from retrieval.formats import Extracted

FORMAT = 2  # 2: Markdown offsets of files with "\r\n" line ends are the file's own


class ExtractionCache:
    """Extracted texts by document name, valid for one (size, mtime) of their file."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._old: dict[str, dict] = self._read() if path else {}
        self._new: dict[str, dict] = {}

    def _read(self) -> dict[str, dict]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))  # type: ignore[union-attr]
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return {}
        files = data.get("files")
        return files if isinstance(files, dict) else {}

    def get(self, name: str, stamp: tuple[int, int]) -> Extracted | None:
        """The cached extraction of `name` when its file still has `stamp`, else None."""
        entry = self._old.get(name)
        if not isinstance(entry, dict) or entry.get("stamp") != list(stamp):
            return None
        try:
            found = Extracted(str(entry["text"]), tuple(int(p) for p in entry["pages"]),
                              tuple((int(a), int(b)) for a, b in entry["origin"]),
                              {str(k): str(v) for k, v in entry["meta"].items()})
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        self._new[name] = entry
        return found

    def put(self, name: str, stamp: tuple[int, int], extracted: Extracted) -> None:
        """Remember a fresh extraction."""
        self._new[name] = {"stamp": list(stamp), "text": extracted.text,
                           "pages": list(extracted.pages),
                           "origin": [list(o) for o in extracted.origin],
                           "meta": dict(extracted.meta)}

    def save(self) -> None:
        """Write the entries used this time, atomically, when they differ from the file's.
        A read-only disk only costs the next start the extraction."""
        if self.path is None or self._new == self._old:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=self.path.name, suffix=".tmp", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"format": FORMAT, "files": self._new}, handle, ensure_ascii=False)
            os.chmod(tmp, 0o600)  # owner-only: it holds the documents' text
            os.replace(tmp, self.path)
        except OSError:
            return
