"""Builders for EPUB and PDF fixtures, made at test time so the repository holds no binaries."""

from __future__ import annotations

import io
import pathlib
import re
import zipfile

from bot.ingest import Book

CONTAINER = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>"""


def xhtml(body: str, title: str = "x") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" '
        f'xmlns:epub="http://www.idpf.org/2007/ops"><head><title>{title}</title></head><body>{body}</body></html>'
    )


def build_epub(*, with_nav: bool = True, extra: dict[str, bytes] | None = None) -> bytes:
    """A two-chapter EPUB 3 (nav.xhtml) or EPUB 2 (toc.ncx) whose spine order differs from file names."""
    para = "The {0} chapter tells how the valley changed. Farmers, millers and carters all had their say, " * 3
    ch_a = xhtml(
        "<h1>The Flood</h1>"
        + f"<p>{para.format('first')}</p>"
        + '<p>The water rose for three days.<a epub:type="noteref" href="#n1">1</a> Then it stopped.</p>'
        + '<h2 id="after">After the Water</h2>'
        + f"<p>{para.format('closing part of the first')}</p>"
        + '<aside epub:type="footnote" id="n1"><p>1. Recorded by the parish clerk.</p></aside>'
    )
    ch_b = xhtml("<h1>The Bridge</h1>" + f"<p>{para.format('second')}</p>")
    nav = xhtml(
        '<nav epub:type="toc"><ol>'
        '<li><a href="z_flood.xhtml">The Flood</a>'
        '<ol><li><a href="z_flood.xhtml#after">After the Water</a></li></ol></li>'
        '<li><a href="a_bridge.xhtml">The Bridge</a></li></ol></nav>'
    )
    ncx = """<?xml version="1.0"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><navMap>
      <navPoint id="p1"><navLabel><text>The Flood</text></navLabel><content src="z_flood.xhtml"/>
        <navPoint id="p2"><navLabel><text>After the Water</text></navLabel>
          <content src="z_flood.xhtml#after"/></navPoint>
      </navPoint>
      <navPoint id="p3"><navLabel><text>The Bridge</text></navLabel><content src="a_bridge.xhtml"/></navPoint>
    </navMap></ncx>"""
    nav_item = (
        '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>' if with_nav else ""
    )
    opf = f"""<?xml version="1.0"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:title>A Valley Chronicle</dc:title><dc:creator>Rosa Kell</dc:creator><dc:date>1911-04-02</dc:date>
  </metadata>
  <manifest>{nav_item}
    <item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>
    <item id="b" href="a_bridge.xhtml" media-type="application/xhtml+xml"/>
    <item id="a" href="z_flood.xhtml" media-type="application/xhtml+xml"/>
  </manifest>
  <spine toc="ncx"><itemref idref="a"/><itemref idref="b"/></spine>
</package>"""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/container.xml", CONTAINER)
        zf.writestr("OEBPS/content.opf", opf)
        if with_nav:
            zf.writestr("OEBPS/nav.xhtml", nav)
        zf.writestr("OEBPS/toc.ncx", ncx)
        zf.writestr("OEBPS/z_flood.xhtml", ch_a)
        zf.writestr("OEBPS/a_bridge.xhtml", ch_b)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def build_pdf(*, outline: bool = True) -> bytes:
    """Three pages with a running header and page numbers; two outline entries."""
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A5)
    c.setTitle("Harbour Notes")
    c.setAuthor("Ole Brandt")
    chapters = [
        (
            "Arrivals",
            "Ships came in at dawn with the tide. The harbour master counted them from his window "
            "and wrote each name in a thick ledger that nobody else was allowed to touch.",
        ),
        (
            "Departures",
            "In the evening the boats went out again. Their lights moved slowly past the pier "
            "until the fog swallowed them one by one, and the town went quiet.",
        ),
        (
            None,
            "Every winter the ledger was bound and sent to the archive, where it still sits today "
            "among a hundred others of the same colour.",
        ),
    ]
    for n, (heading, text) in enumerate(chapters, start=1):
        y = 560
        c.setFont("Helvetica", 8)
        c.drawString(40, 580, "Harbour Notes")
        c.setFont("Helvetica", 10)
        if heading:
            key = f"ch{n}"
            c.bookmarkPage(key)
            if outline:
                c.addOutlineEntry(heading, key, level=0)
            c.setFont("Helvetica-Bold", 14)
            c.drawString(40, y, heading)
            c.setFont("Helvetica", 10)
            y -= 30
        words = text.split()
        line: list[str] = []
        for w in words:
            if len(" ".join([*line, w])) > 60:
                c.drawString(40, y, " ".join(line))
                y -= 14
                line = []
            line.append(w)
        c.drawString(40, y, " ".join(line))
        c.drawString(200, 30, str(n))
        c.showPage()
    c.save()
    return buf.getvalue()


def reading_text(book: Book) -> str:
    return "\n\n".join(s.text for s in book.sections)


def headings(book: Book) -> list[str]:
    return [s.heading for s in book.sections if s.heading is not None and s.part == 1]


def words_of(text: str) -> set[str]:
    """Letter runs, split where a lowercase letter meets a capital (glued headings are re-divided)."""
    out: set[str] = set()
    for run in re.findall(r"[^\W\d_]+", text):
        out.update(re.split(r"(?<=[a-z])(?=[A-Z])", run))
    return out


def _zip_epub(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/container.xml", CONTAINER)
        for name, text in files.items():
            zf.writestr(f"OEBPS/{name}", text)
    return buf.getvalue()


MILL_TEXT = {
    "one": "The mill stood where the river bent twice before the weir. Its wheel had turned for two hundred "
    "years, and the miller's family had kept the same ledger for most of them, one line for every sack.",
    "one_more": "In dry summers the wheel stopped and the village ate rye bread from the town, which everyone "
    "agreed was worse, though nobody could say exactly why.",
    "two": "The flood of the wet year took the footbridge and half the orchard. The miller's daughter watched "
    "it from the loft and counted the trees as they went, nine of them, one after another.",
    "two_more": "When the water went down there was a salmon in the millpond, which had never happened before "
    "and never happened again.",
    "three": "Electricity came to the valley in the spring of the year the old miller died. His daughter "
    "kept the wheel turning anyway, for the sound of it, long after the stones had stopped grinding.",
    "three_more": "Visitors still ask why the wheel turns when it drives nothing. She tells them it is "
    "counting the years.",
}


def build_epub2_book() -> bytes:
    """EPUB 2, toc.ncx only: a cover, a copyright page, chapter 1 across two files, chapters 2 and 3 in one."""
    t = MILL_TEXT
    cover = xhtml('<div class="cover"><img src="cover.jpg" alt="The Mill at the Bend, a novel"/></div>', "Cover")
    copyright_page = xhtml(
        '<div class="copyright"><p>The Mill at the Bend</p><p>Copyright © 2016 Ilse Marr</p>'
        "<p>All rights reserved. No part of this publication may be reproduced without permission.</p>"
        "<p>ISBN 978-0-00-000000-0</p><p>First published in 2016 by Weir Press, Lindford.</p>"
        "<p>Printed and bound in Lindford.</p></div>",
        "Copyright",
    )
    ch1a = xhtml(f'<h2 id="c1">Chapter One: The Wheel</h2><p>{t["one"]}</p>')
    ch1b = xhtml(f"<p>{t['one_more']}</p>")  # chapter one goes on in a second file, with no entry of its own
    ch23 = xhtml(
        f'<h2 id="c2">Chapter Two: The Flood</h2><p>{t["two"]}</p><p>{t["two_more"]}</p>'
        f'<h2 id="c3">Chapter Three: The Wire</h2><p>{t["three"]}</p><p>{t["three_more"]}</p>'
    )
    ncx = """<?xml version="1.0"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><navMap>
      <navPoint id="n0"><navLabel><text>Cover</text></navLabel><content src="cover.xhtml"/></navPoint>
      <navPoint id="n1"><navLabel><text>Copyright</text></navLabel><content src="copyright.xhtml"/></navPoint>
      <navPoint id="n2"><navLabel><text>Chapter One: The Wheel</text></navLabel>
        <content src="ch1.xhtml#c1"/></navPoint>
      <navPoint id="n3"><navLabel><text>Chapter Two: The Flood</text></navLabel>
        <content src="ch23.xhtml#c2"/></navPoint>
      <navPoint id="n4"><navLabel><text>Chapter Three: The Wire</text></navLabel>
        <content src="ch23.xhtml#c3"/></navPoint>
    </navMap></ncx>"""
    opf = """<?xml version="1.0"?>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
    <dc:title>The Mill at the Bend</dc:title><dc:creator opf:role="aut">Ilse Marr</dc:creator><dc:date>2016</dc:date>
  </metadata>
  <manifest>
    <item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>
    <item id="cover" href="cover.xhtml" media-type="application/xhtml+xml"/>
    <item id="copy" href="copyright.xhtml" media-type="application/xhtml+xml"/>
    <item id="c1" href="ch1.xhtml" media-type="application/xhtml+xml"/>
    <item id="c1b" href="ch1b.xhtml" media-type="application/xhtml+xml"/>
    <item id="c23" href="ch23.xhtml" media-type="application/xhtml+xml"/>
  </manifest>
  <spine toc="ncx"><itemref idref="cover"/><itemref idref="copy"/><itemref idref="c1"/><itemref idref="c1b"/>
    <itemref idref="c23"/></spine>
</package>"""
    return _zip_epub(
        {
            "content.opf": opf,
            "toc.ncx": ncx,
            "cover.xhtml": cover,
            "copyright.xhtml": copyright_page,
            "ch1.xhtml": ch1a,
            "ch1b.xhtml": ch1b,
            "ch23.xhtml": ch23,
        }
    )


def build_epub3_nested() -> bytes:
    """EPUB 3 whose nav.xhtml has three levels: part → chapter → section."""
    t = MILL_TEXT
    part = xhtml(
        '<h1 id="p1">Part I: The Valley</h1>'
        f'<h2 id="c1">The Wheel</h2><p>{t["one"]}</p><h3 id="s1">Dry Summers</h3><p>{t["one_more"]}</p>'
        f'<h2 id="c2">The Flood</h2><p>{t["two"]} {t["two_more"]}</p>'
    )
    part2 = xhtml(f'<h1 id="p2">Part II: The Wire</h1><p>{t["three"]}</p><p>{t["three_more"]}</p>')
    nav = xhtml(
        '<nav epub:type="toc"><h1>Contents</h1><ol>'
        '<li><a href="part1.xhtml#p1">Part I: The Valley</a><ol>'
        '<li><a href="part1.xhtml#c1">The Wheel</a><ol><li><a href="part1.xhtml#s1">Dry Summers</a></li></ol></li>'
        '<li><a href="part1.xhtml#c2">The Flood</a></li></ol></li>'
        '<li><a href="part2.xhtml#p2">Part II: The Wire</a></li></ol></nav>'
        '<nav epub:type="landmarks"><ol><li><a href="part1.xhtml">Start</a></li></ol></nav>'
    )
    opf = """<?xml version="1.0"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>The Mill at the Bend</dc:title>
    <dc:creator>Ilse Marr</dc:creator></metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="p1" href="part1.xhtml" media-type="application/xhtml+xml"/>
    <item id="p2" href="part2.xhtml" media-type="application/xhtml+xml"/>
  </manifest>
  <spine><itemref idref="nav" linear="no"/><itemref idref="p1"/><itemref idref="p2"/></spine>
</package>"""
    return _zip_epub({"content.opf": opf, "nav.xhtml": nav, "part1.xhtml": part, "part2.xhtml": part2})


def build_pdf_book() -> bytes:
    """Four pages, no outline: a running title and page numbers on every page, chapter headings as lines
    of their own, and words hyphenated across line ends ("revo-" / "lution")."""
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfgen import canvas

    pages = [
        [
            ("h", "Chapter One"),
            ("t", "The salt road ran from the coast to the hill towns, and for three hundred years it was"),
            ("t", "the only way inland. Carts went up loaded and came down empty, and the inns along"),
            ("t", "the way grew rich on the drivers. Then came the railway, which was a quiet revo-"),
            ("t", "lution: within ten years the inns had closed and the road was grass."),
            ("t", "Nobody in the hill towns missed it. They had never liked the drivers, who were"),
            ("t", "loud and paid in foreign coin, and the railway brought the salt cheaper and clean-"),
            ("t", "er than the carts ever had."),
        ],
        [
            ("t", "Only the innkeepers mourned the road. One of them, a widow called Ana Petrak, kept"),
            ("t", "her inn open for another twenty years, serving whoever came, which was mostly no-"),
            ("t", "body. Her accounts survive, and they show a single guest in the whole of one win-"),
            ("t", "ter: a surveyor who stayed a week and complained about the soup."),
        ],
        [
            ("h", "Chapter Two"),
            ("t", "The road came back in the end, as roads do. A motor company bought the old line"),
            ("t", "in the thirties and laid tarmac over the cobbles, and the first buses ran up to the"),
            ("t", "hill towns on market days. The revolution had turned full circle."),
            ("t", "Ana Petrak was eighty by then. She sat outside the inn and counted the buses, and"),
            ("t", "when the driver of the first one stopped for water she charged him for it."),
        ],
        [
            ("t", "Her grand-daughter runs the inn today. It has a car park where the stables were, and"),
            ("t", "a painted sign with a salt cart on it, and the soup, the guests say, is very good."),
        ],
    ]
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A5)
    c.setTitle("The Salt Road")
    c.setAuthor("Mirko Hale")
    for number, lines in enumerate(pages, start=1):
        c.setFont("Helvetica", 8)
        c.drawString(40, 580, "The Salt Road")
        c.drawString(200, 25, str(number))
        y = 550
        for kind, text in lines:
            if kind == "h":
                c.setFont("Helvetica-Bold", 14)
                c.drawString(40, y, text)
                y -= 28
            else:
                c.setFont("Helvetica", 9)
                c.drawString(30, y, text)
                y -= 13
        c.showPage()
    c.save()
    return buf.getvalue()


def identical_pages_pdf(pages: int, lines: int = 30) -> bytes:
    """A PDF of `pages` pages that all share one content stream of `lines` lines of prose (written by hand:
    reportlab would take longer to draw the pages than the ingester to read them)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    text = " ".join(
        f"(The same page again, with the same words on it each time, line {letters[k % 26] * 3}) '"
        for k in range(lines)
    )
    content = f"BT /F1 12 Tf 72 720 Td 14 TL {text} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{' '.join(f'{5 + i} 0 R' for i in range(pages))}] /Count {pages} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
    )
    objects.extend([page] * pages)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def held_out_bytes(path: pathlib.Path, together: bool) -> bytes:
    """A held-out book as bench/headings_f1.py reads it: a file, or an EPUB folder zipped; run together, every
    paragraph glued to the next (an EPUB's XHTML files each)."""
    from bot.ingest.clean import lines_to_paragraphs

    def form(text: str) -> str:
        return "".join(lines_to_paragraphs(text)) if together else text

    if not path.is_dir():
        return form(path.read_text()).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        for part in sorted(path.rglob("*")):
            if part.is_file() and part.name != "mimetype":
                text = part.read_text()
                zf.writestr(str(part.relative_to(path)), form(text) if part.suffix == ".xhtml" else text)
    return buf.getvalue()
