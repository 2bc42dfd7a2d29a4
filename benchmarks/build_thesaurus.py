"""Build retrieval/data/thesaurus_sv.txt from Synlex, the Swedish thesaurus LibreOffice ships.

    apt-get download mythes-sv
    python -m benchmarks.build_thesaurus mythes-sv_1%3a7.5.0-1_all.deb [--readme README_th_sv_SE.txt]

A maintainer's tool, never run at install or test time. It reads the package's MyThes file
(usr/share/mythes/th_sv_SE_v2.dat: its first line names the encoding, then a "word|count" line
and count "(pos)|synonym|synonym|…" lines per entry) and writes one line a headword,
`word<TAB>syn1|syn2|…`: single words only, lower-case, duplicates dropped, the synonyms in
Synlex's order (by their voted level), the lines sorted so a lookup can bisect them. The header
keeps the licence's notices, as the licence asks: the package's copyright stanza for the file
and, with --readme, the upstream README (LibreOffice's dictionaries repository,
sv_SE/README_th_sv_SE.txt, which the Debian package leaves out).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from retrieval.thesaurus import read_mythes

OUT = Path(__file__).resolve().parent.parent / "retrieval" / "data" / "thesaurus_sv.txt"
DAT = Path("usr/share/mythes/th_sv_SE_v2.dat")
COPYRIGHT = Path("usr/share/doc/mythes-sv/copyright")
STANZA = "Files: dictionaries/sv_SE/th_sv_SE.dat"


def copyright_stanza(text: str) -> str:
    """The stanza of Debian's copyright file that covers the Swedish thesaurus."""
    stanzas = text.split("\n\n")
    found = [s for s in stanzas if s.startswith(STANZA)]
    if not found:
        raise SystemExit(f"no '{STANZA}' stanza in the package's copyright file")
    return found[0]


def header(version: str, stanza: str, readme: str) -> list[str]:
    """The comment lines that open the file: source, version, modification, the notices."""
    lines = [
        "Synlex, the Swedish thesaurus of Viggo Kann (KTH), as LibreOffice ships it",
        f"(Debian package mythes-sv {version}, usr/share/mythes/th_sv_SE_v2.dat).",
        "MODIFIED for citatbot by benchmarks/build_thesaurus.py: converted to UTF-8, lower-cased,",
        "headwords and synonyms of more than one word dropped, parts of speech and meanings",
        "merged, one line a headword: word<TAB>synonym|synonym|... (Synlex's order kept).",
        "",
        "The notices of the original, retained as its licence asks:",
        "",
    ]
    if readme:
        lines += ["--- README_th_sv_SE.txt ---", *readme.strip().splitlines(), ""]
    lines += ["--- Debian copyright (usr/share/doc/mythes-sv/copyright) ---",
              *stanza.strip().splitlines()]
    return [f"# {line}".rstrip() for line in lines]


def build(deb: Path, readme: Path | None, out: Path) -> tuple[int, int]:
    """Write the thesaurus file from the .deb; returns its headwords and bytes."""
    version = subprocess.run(["dpkg-deb", "-f", str(deb), "Version"], check=True,
                             capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as root:
        subprocess.run(["dpkg-deb", "-x", str(deb), root], check=True)
        raw = (Path(root) / DAT).read_bytes()
        encoding = raw.split(b"\n", 1)[0].decode("ascii").strip()
        entries = read_mythes(raw.decode(encoding))
        stanza = copyright_stanza((Path(root) / COPYRIGHT).read_text("utf-8"))
    notes = readme.read_bytes().decode("iso-8859-1") if readme else ""
    body = [f"{head}\t{'|'.join(entries[head])}" for head in sorted(entries)]
    text = "\n".join(header(version, stanza, notes) + body) + "\n"
    out.write_text(text, "utf-8")
    return len(entries), len(text.encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("deb", type=Path, help="the mythes-sv .deb")
    parser.add_argument("--readme", type=Path, help="upstream README_th_sv_SE.txt (ISO-8859-1)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    heads, size = build(args.deb, args.readme, args.out)
    print(f"{args.out}: {heads} headwords, {size / 1000:.0f} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
