"""Real documents of every format, made the way people's files are made: a PDF written by a
PDF library, a saved news page with navigation, a cookie banner, ads and comments around its
article, a Word file and a Markdown file with links, emphasis, lists and a table.

Used by the tests and benchmarks/documents.py; each answer sentence below is quoted by a test.
"""

from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

PDF_PAGE_2 = "Personalomsättningen i hemtjänsten var 18 procent under året, enligt förvaltningens egen mätning."
HTML_ANSWER = "Kalmar kommun anställer tolv nya socialsekreterare under våren för att korta väntetiderna."
HTML_NOISE = ("Godkänn alla kakor", "Köp billiga flygresor", "Skicka kommentar", "Bra satsning",
              "Alla rättigheter förbehållna", "Sport")
DOCX_ANSWER = "Antalet hushåll med ekonomiskt bistånd i Borgholm minskade med 7 procent under 2023."
MD_ANSWER = "Väntetiden till en första kontakt med familjerätten i Nybro var i genomsnitt åtta veckor under 2023, enligt Nybro kommun."

MARKDOWN = """# Familjerätten i Nybro

## Sammanfattning

Väntetiden till en första kontakt med familjerätten i Nybro var i genomsnitt **åtta veckor** under 2023, enligt [Nybro kommun](https://nybro.se/familjeratt).
Det är *längre* än året innan.

Åtgärderna som föreslås:

- fler handläggare
- digital tidsbokning

| År | Veckor |
|---|---|
| 2022 | 6 |
| 2023 | 8 |
"""

HTML = """<!doctype html><html lang="sv"><head><meta charset="utf-8">
<title>Kalmar kommun satsar på socialtjänsten | Barometern</title>
<meta name="author" content="Anna Berg">
<meta property="article:published_time" content="2024-03-05">
<meta property="og:site_name" content="Barometern">
</head><body>
<nav><ul><li><a href="/">Start</a></li><li><a href="/sport">Sport</a></li><li><a href="/kultur">Kultur</a></li></ul></nav>
<div class="cookie-banner">Vi använder kakor för att ge dig en bättre upplevelse. Godkänn alla kakor.</div>
<article><h1>Kalmar kommun satsar på socialtjänsten</h1>
<p>""" + HTML_ANSWER + """</p>
<p>Väntetiden för ett första samtal är i dag i genomsnitt sex veckor, enligt förvaltningen.</p>
<div class="ad">Annons: Köp billiga flygresor nu till Mallorca och Kreta!</div>
<p>Förvaltningschefen säger att satsningen ska utvärderas efter ett år.</p></article>
<section class="comments"><h3>Kommentarer</h3><form><textarea>Skriv din kommentar här</textarea>
<button>Skicka kommentar</button></form><div class="comment">Bra satsning, äntligen! /Olle</div></section>
<footer>© Barometern 2024. Alla rättigheter förbehållna.</footer></body></html>
"""


def pdf_bytes() -> bytes:
    """A two-page report written with fpdf2, its title, author and date in the PDF info."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title("Årsrapport om hemtjänsten i Mörbylånga")
    pdf.set_author("Vård- och omsorgsförvaltningen")
    pdf.set_creation_date(datetime(2024, 2, 1, tzinfo=timezone.utc))
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, "Hemtjänsten i Mörbylånga\n\nUnder 2023 fick 1 250 personer hemtjänst i "
                         "kommunen. Det är fler än något år tidigare.")
    pdf.add_page()
    pdf.multi_cell(0, 6, "Personal\n\n" + PDF_PAGE_2)
    return bytes(pdf.output())


def docx_bytes() -> bytes:
    """A memo written with python-docx: heading, paragraphs, a bulleted list and a table."""
    import docx

    document = docx.Document()
    props = document.core_properties
    props.title, props.author = "PM om ekonomiskt bistånd i Borgholm", "Karin Ek"
    props.created = datetime(2024, 1, 15, tzinfo=timezone.utc)
    document.add_heading("Ekonomiskt bistånd", 1)
    document.add_paragraph(DOCX_ANSWER)
    document.add_paragraph("Orsakerna till minskningen är:")
    document.add_paragraph("fler jobb i regionen", style="List Bullet")
    document.add_paragraph("bättre uppföljning av planerna", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for (row, col), text in {(0, 0): "År", (0, 1): "Hushåll", (1, 0): "2023",
                             (1, 1): "812"}.items():
        table.cell(row, col).text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def write_documents(folder: Path) -> dict[str, str]:
    """Write one document of each format, two in subfolders; {name: the sentence it answers}."""
    files = {"rapporter/hemtjanst.pdf": pdf_bytes(), "webb/kalmar.html": HTML.encode(),
             "pm.docx": docx_bytes(), "familjeratt.md": MARKDOWN.encode()}
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return {"rapporter/hemtjanst.pdf": PDF_PAGE_2, "webb/kalmar.html": HTML_ANSWER,
            "pm.docx": DOCX_ANSWER, "familjeratt.md": MD_ANSWER}


PUBLISHERS = ("Barometern", "Smålandsposten", "Sveriges Radio Kalmar", "Kalmar kommun",
              "Vision", "Akademikerförbundet SSR", "Socialstyrelsen", "Dagens Samhälle")
TOWNS = ("Kalmar", "Nybro", "Borgholm", "Mörbylånga", "Torsås", "Emmaboda", "Oskarshamn",
         "Västervik", "Vimmerby", "Hultsfred")


def write_many(folder: Path, count: int) -> None:
    """`count` short news articles with full sources.toml entries (long titles, urls), as a
    newsroom's folder grows; no [corpus] description, so the folder must describe itself."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = []
    for n in range(count):
        town, publisher = TOWNS[n % len(TOWNS)], PUBLISHERS[n % len(PUBLISHERS)]
        name = f"artikel_{n:04d}.txt"
        (folder / name).write_text(
            f"Socialtjänsten i {town}, del {n}\n\nI {town} väntade familjer i genomsnitt {n % 9 + 2} "
            f"veckor på ett första samtal med socialtjänsten under {2000 + n % 24}.\n\n"
            f"Förvaltningen i {town} vill anställa {n % 7 + 3} nya handläggare.\n", "utf-8")
        tables.append(
            f'[documents."{name}"]\ntitle = "Långa köer till socialtjänsten i {town}: familjer får '
            f'vänta i veckor på ett första samtal, visar en granskning (del {n})"\n'
            f'publisher = "{publisher}"\nauthor = "Reporter {n}"\ndate = "2024-{n % 12 + 1:02d}-01"\n'
            f'kind = "nyhetsartikel"\nurl = "https://example.org/nyheter/{town.lower()}/{n}"\n')
    (folder / "sources.toml").write_text("\n".join(tables), "utf-8")
