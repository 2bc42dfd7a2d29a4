"""The files of a corpus folder, read only when they are what they claim to be.

A corpus folder is often a place many people write to, and whatever it holds the bot will quote
to anyone: a link to a `.env` elsewhere would put the bot's token in its answers. So a file is
read only when its real path lies inside the folder (links within it are fine), it is a regular
file (a named pipe would block the read forever, `/dev/zero` never ends), and never beyond a
byte limit, whatever its size said when it was looked at. Anything else is refused with a code
the front end words ("link_outside", "link_dangling", "not_regular", "too_large",
"unreadable").
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

# os.open flags: a pipe or device must not block the open itself (the check after the open
# refuses it); O_NOFOLLOW makes a link show as one (ELOOP) instead of being followed silently.
_OPEN = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_CHUNK = 64 * 1024
# What a file is refused for because of what it is, not what it holds.
REFUSED = frozenset({"link_outside", "link_dangling", "not_regular"})


class FileRefused(Exception):
    """A corpus file that is not read; `problem` is the code the warning line words."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def link_problem(root: Path, path: Path) -> str:
    """Why the link `path` must not be followed ("link_dangling", "link_outside"), or "" when it
    leads to a file inside `root` (the corpus folder, resolved)."""
    try:
        real = Path(os.path.realpath(path, strict=True))
    except FileNotFoundError:
        return "link_dangling"
    except OSError:  # a loop of links, or no permission to look
        return "link_dangling"
    return "" if real.is_relative_to(root) else "link_outside"


def read_capped(root: Path, path: Path, limit: int) -> bytes:
    """The bytes of a regular file inside `root` (resolved), at most `limit` of them; raises
    FileNotFoundError when there is none, FileRefused for any other reason not to read it. The size is checked on the opened file and again while reading, so a
    file swapped or grown after it was listed cannot make the read hang or exhaust memory."""
    try:
        fd = os.open(path, _OPEN)
    except FileNotFoundError:
        raise  # not there is not refused: the caller knows what a missing file means
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise FileRefused("unreadable") from None
        problem = link_problem(root, path)
        if problem:
            raise FileRefused(problem) from None
        try:
            fd = os.open(os.path.realpath(path), _OPEN)
        except OSError:
            raise FileRefused("unreadable") from None
    with os.fdopen(fd, "rb", buffering=0) as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused("not_regular")
        if info.st_size > limit:
            raise FileRefused("too_large")
        os.set_blocking(fd, True)
        # the size it has, and one byte more to notice that it grew; then on in chunks
        chunks, size, ask = [], 0, info.st_size + 1
        try:
            while chunk := handle.read(min(ask, limit + 1 - size)):
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    raise FileRefused("too_large")
                ask = _CHUNK
        except OSError:
            raise FileRefused("unreadable") from None
    return b"".join(chunks)
