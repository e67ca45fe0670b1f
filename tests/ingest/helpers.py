"""Builders for EPUB and PDF fixtures, made at test time so the repository holds no binaries."""

from __future__ import annotations

import io
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
