"""The arrays of an uncompressed .npz, memory-mapped instead of read.

`np.load` reads every member of an archive into memory: a 1M-passage start read some 0.3 GB
before it could answer. np.savez stores each array as it is (ZIP_STORED), so a member's bytes
lie whole in the file, and a map of the file gives each array without reading it; the pages a
question touches are read when it touches them. The arrays are read-only views of the map, which
stays open while any of them lives; a file replaced meanwhile (os.replace) keeps its old pages.
"""

from __future__ import annotations

import mmap
import struct
import zipfile
from pathlib import Path

import numpy as np

# A zip member's local header: 30 bytes, the name's and the extra field's lengths at 26 and 28.
_LOCAL = struct.Struct("<4s22xHH")
_LOCAL_MAGIC = b"PK\x03\x04"


def mapped_npz(path: Path) -> dict[str, np.ndarray]:
    """Every array of the .npz at `path` as a read-only view of a map of the file.

    Raises ValueError when a member is compressed, holds Python objects or is not an array,
    OSError when the file cannot be read, zipfile.BadZipFile when it is no archive."""
    with open(path, "rb") as handle:
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
        size = handle.seek(0, 2)
        if size == 0:
            raise ValueError("an empty file")
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    return {m.filename.removesuffix(".npy"): _member(mapped, m, size) for m in members}


def _member(mapped: mmap.mmap, member: zipfile.ZipInfo, size: int) -> np.ndarray:
    """One stored member's array, after its local header and its .npy header."""
    if member.compress_type != zipfile.ZIP_STORED or member.file_size != member.compress_size:
        raise ValueError(f"{member.filename} is compressed: not an index citatbot wrote")
    at = member.header_offset
    magic, name_len, extra_len = _LOCAL.unpack(mapped[at:at + _LOCAL.size])
    if magic != _LOCAL_MAGIC:
        raise ValueError(f"{member.filename}: no local header")
    start = at + _LOCAL.size + name_len + extra_len
    end = start + member.file_size
    if end > size:
        raise ValueError(f"{member.filename} runs past the end of the file")
    view = memoryview(mapped)[start:end]
    header = _NpyHeader(view)
    dtype, shape, fortran = header.parse()
    if dtype.hasobject:
        raise ValueError(f"{member.filename} holds Python objects")
    count = int(np.prod(shape, dtype=np.int64))
    if header.offset + count * dtype.itemsize != len(view):
        raise ValueError(f"{member.filename}: its size does not match its shape")
    flat = np.frombuffer(view, dtype=dtype, count=count, offset=header.offset)
    return flat.reshape(shape, order="F" if fortran else "C")


class _NpyHeader:
    """The header of one .npy member, read from a view of its bytes as numpy reads a file."""

    def __init__(self, view: memoryview) -> None:
        self.view = view
        self.offset = 0

    def parse(self) -> tuple[np.dtype, tuple[int, ...], bool]:
        """(dtype, shape, Fortran order); `offset` then points at the data."""
        fmt = np.lib.format
        version = fmt.read_magic(self)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(self)
        elif version == (2, 0):
            shape, fortran, dtype = fmt.read_array_header_2_0(self)
        else:
            raise ValueError(f"unknown .npy version {version}")
        return dtype, shape, fortran

    def read(self, n: int) -> bytes:
        """The next `n` bytes (fewer at the end), as a file's read gives them."""
        data = bytes(self.view[self.offset:self.offset + n])
        self.offset += len(data)
        return data
