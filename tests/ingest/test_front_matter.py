"""Front and back matter in every format: Gutenberg headers and licences, contents lists, copyright and
colophon pages, print page numbers, doubled heading numbers; and metadata from every place a format
keeps it. Each document is generated here in the shape such files have, with text written for the test."""

from __future__ import annotations

import io

from bot.ingest import Book, ingest_bytes
from tests.ingest.helpers import _zip_epub, reading_text, xhtml

PROSE = [
    "The orchard ran down from the house to the river, and in the spring the whole slope was white with "
    "blossom, so that from the far bank the house seemed to float on a cloud.",
    "Her brother did not care for the orchard. He cared for the river, and for the boats that went down it "
    "to the town, and for anything at all that was not the same as yesterday.",
    "In the autumn a letter came. It had been three weeks on the road and had crossed the sea twice, for "
    "it had gone first to the wrong house in the wrong country and come back again.",
    "The harvest that year was the best anyone could remember, and the carts went up and down the lane "
    "from dawn until the lamps were lit, and nobody complained about anything at all.",
]
CHAPTERS = ["The Orchard", "A Letter", "The Harvest"]
PG_HEADER = [
    "The Project Gutenberg eBook of The Orchard Letters, by Agnes Merrow",
    "This eBook is for the use of anyone anywhere in the United States and most other parts of the world "
    "at no cost and with almost no restrictions whatsoever.",
    "Title: The Orchard Letters",
    "Author: Agnes Merrow",
    "Release date: June 9, 2021 [eBook #65501]",
    "*** START OF THE PROJECT GUTENBERG EBOOK THE ORCHARD LETTERS ***",
]
PG_FOOTER = [
    "*** END OF THE PROJECT GUTENBERG EBOOK THE ORCHARD LETTERS ***",
    "Updated editions will replace the previous one--the old editions will be renamed.",
    "Section 1. General Terms of Use and Redistributing Project Gutenberg electronic works",
    "THE FULL PROJECT GUTENBERG LICENSE PLEASE READ THIS BEFORE YOU DISTRIBUTE OR USE THIS WORK",
]
DEBRIS = ("Gutenberg", "eBook", "LICENSE", "Release date", "Contents", "CONTENTS")


def chapter_texts(book: Book) -> list[str | None]:
    return [s.heading for s in book.sections]


def assert_clean(book: Book) -> None:
    text = reading_text(book)
    for debris in DEBRIS:
        assert debris not in text, debris
    for para in PROSE:
        assert para in text


def test_gutenberg_html_header_licence_contents_and_page_numbers() -> None:
    contents = "".join(f'<p class="toc"><a href="#c{i}">CHAPTER {i}. {t}</a></p>' for i, t in enumerate(CHAPTERS, 1))
    chapters = "".join(
        f'<h2 id="c{i}">CHAPTER {i}. {t}</h2><p>{PROSE[i - 1]}</p><p>{PROSE[i]}</p>' for i, t in enumerate(CHAPTERS, 1)
    )
    chapters = chapters.replace("from the far bank", 'from the far <span class="pagenum">[176]</span>bank')
    page = (
        "<html><head><title>The Project Gutenberg eBook of The Orchard Letters, by Agnes Merrow</title>"
        '<meta name="dc.creator" content="Merrow, Agnes"></head><body>'
        + "".join(f"<p>{x}</p>" for x in PG_HEADER)
        + "<h1>THE ORCHARD LETTERS</h1><h2>CONTENTS</h2>"
        + contents
        + chapters
        + "".join(f"<p>{x}</p>" for x in PG_FOOTER)
        + "</body></html>"
    )
    book = ingest_bytes(page.encode(), "orchard.html")
    assert (book.title, book.authors) == ("The Orchard Letters", ("Agnes Merrow",))
    assert chapter_texts(book) == [f"CHAPTER {i}. {t}" for i, t in enumerate(CHAPTERS, 1)]
    assert_clean(book)
    assert "176" not in reading_text(book)


def test_html_heading_numbers_glued_or_doubled_and_a_byline() -> None:
    body = (
        "<article><h1>The Salt Roads</h1><p class='byline'>By Ines Varga</p>"
        f"<h2>3.1The Mines</h2><p>{PROSE[0]}</p><h2>17. 16. The Pans</h2><p>{PROSE[1]}</p>"
        f"<h2>1. 1. The Caravans</h2><p>{PROSE[2]}</p></article>"
    )
    book = ingest_bytes(f"<html><body>{body}</body></html>".encode(), "salt.html")
    assert book.authors == ("Ines Varga",)
    assert chapter_texts(book) == ["3.1 The Mines", "16. The Pans", "1. The Caravans"]


def _epub(docs: list[tuple[str, str, str]], nav: list[tuple[str, str]], creator: str = "Merrow, Agnes") -> bytes:
    """docs: (file name, epub:type of the body, body html); nav: (label, file name)."""
    files = {name: xhtml(body).replace("<body>", f'<body epub:type="{etype}">') for name, etype, body in docs}
    files["nav.xhtml"] = xhtml(
        '<nav epub:type="toc"><ol>' + "".join(f'<li><a href="{h}">{t}</a></li>' for t, h in nav) + "</ol></nav>"
    )
    items = "".join(
        f'<item id="d{i}" href="{n}" media-type="application/xhtml+xml"/>' for i, (n, _e, _b) in enumerate(docs)
    )
    spine = "".join(f'<itemref idref="d{i}"/>' for i in range(len(docs)))
    files["content.opf"] = (
        '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>The Orchard Letters</dc:title>'
        f"<dc:creator>{creator}</dc:creator><dc:date>1909</dc:date></metadata>"
        '<manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
        f"{items}</manifest><spine>{spine}</spine></package>"
    )
    return _zip_epub(files)


def test_epub_headings_once_page_numbers_and_matter_documents_out() -> None:
    docs = [
        ("copyright.xhtml", "copyright-page", "<p>Copyright 1909 by Agnes Merrow. All rights reserved.</p>"),
        ("toc.xhtml", "toc", "".join(f"<p>{t}</p>" for t in CHAPTERS)),
    ]
    for i, title in enumerate(CHAPTERS, 1):
        body = f"<h2>Chapter {i}: {title}</h2><p>{PROSE[i - 1]}</p><p>{PROSE[i]}</p>"
        body = body.replace(" with ", ' with <span epub:type="pagebreak" id="p17" title="17">17</span>', 1)
        docs.append((f"c{i}.xhtml", "bodymatter chapter", body))
    docs.append(("colophon.xhtml", "colophon", "<p>This ebook was produced from scans by volunteers.</p>"))
    nav = (
        [("Contents", "toc.xhtml")] + [(str(i), f"c{i}.xhtml") for i in range(1, 4)] + [("Colophon", "colophon.xhtml")]
    )
    book = ingest_bytes(_epub(docs, nav), "orchard.epub")
    assert book.authors == ("Agnes Merrow",)
    assert chapter_texts(book) == [f"Chapter {i}: {t}" for i, t in enumerate(CHAPTERS, 1)]
    assert all(s.words > 20 for s in book.sections)  # no empty section for a heading kept twice
    text = reading_text(book)
    assert "17" not in text and "All rights reserved" not in text and "volunteers" not in text
    assert_clean(book)


def test_gutenberg_epub_licence_document_is_dropped() -> None:
    docs = [("pg-header.xhtml", "", "".join(f"<p>{x}</p>" for x in PG_HEADER))]
    docs += [
        (f"c{i}.xhtml", "chapter", f"<h2>{t}</h2><p>{PROSE[i - 1]}</p><p>{PROSE[i]}</p>")
        for i, t in enumerate(CHAPTERS, 1)
    ]
    docs.append(("pg-footer.xhtml", "", "".join(f"<p>{x}</p>" for x in PG_FOOTER)))
    nav = [(t, f"c{i}.xhtml") for i, t in enumerate(CHAPTERS, 1)]
    book = ingest_bytes(_epub(docs, nav), "orchard.epub")
    assert chapter_texts(book) == CHAPTERS
    assert_clean(book)


def _pdf(pages: list[list[str]], author: str, producer: str) -> bytes:
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A5)
    c.setAuthor(author)
    c.setProducer(producer)
    c.setTitle("doc1.docx")
    for lines in pages:
        y = 560
        for line in lines:
            words, row = line.split(), ""
            for w in words:  # wrap at ~60 characters, as a typesetter would
                if len(row) + len(w) > 60:
                    c.drawString(40, y, row)
                    y -= 14
                    row = ""
                row = f"{row} {w}".strip()
            c.drawString(40, y, row)
            y -= 24
        c.showPage()
    c.save()
    return buf.getvalue()


def test_pdf_gutenberg_pages_contents_page_and_producer_as_author() -> None:
    pages = [PG_HEADER, ["Contents", *(f"Chapter {i}. {t} ........ {i * 2}" for i, t in enumerate(CHAPTERS, 1))]]
    pages += [[f"Chapter {i}. {t}", PROSE[i - 1], PROSE[i]] for i, t in enumerate(CHAPTERS, 1)]
    pages.append(PG_FOOTER)
    book = ingest_bytes(_pdf(pages, "Microsoft® Word 2016", "Microsoft® Word 2016"), "orchard.pdf")
    assert book.authors == ("Agnes Merrow",)  # from the Gutenberg header, not the producer
    assert book.title == "The Orchard Letters"  # not "doc1.docx"
    assert chapter_texts(book) == [f"Chapter {i}. {t}" for i, t in enumerate(CHAPTERS, 1)]
    assert_clean(book)


def test_markdown_gutenberg_markers_contents_links_and_title_heading() -> None:
    lines = [*PG_HEADER, "# The Orchard Letters", "## Contents"]
    lines += [f"- [{t}](#{t.lower().replace(' ', '-')})" for t in CHAPTERS]
    for i, t in enumerate(CHAPTERS, 1):
        lines += [f"## {t}", PROSE[i - 1], PROSE[i]]
    lines += PG_FOOTER
    book = ingest_bytes("\n\n".join(lines).encode(), "orchard-letters-final-v2.md")
    assert book.title == "The Orchard Letters"
    assert chapter_texts(book) == CHAPTERS
    assert_clean(book)


def test_markdown_without_front_matter_is_titled_by_its_first_heading() -> None:
    text = "# The Patient Garden\n\n" + "\n\n".join(
        f"## {t}\n\n{PROSE[i]}\n\n{PROSE[i + 1]}" for i, t in enumerate(CHAPTERS)
    )
    book = ingest_bytes(text.encode(), "draft_7.md")
    assert book.title == "The Patient Garden"
    assert chapter_texts(book) == CHAPTERS


def test_the_title_page_ends_with_its_last_line_naming_the_book_a_person_or_the_press() -> None:
    """A line in capitals after the translator's line is the first dialogue's title, not the title page;
    a dedication stays with the page."""
    dialogue = "SOCRATES: Why have you come at this hour, Crito? It must be quite early, for the dawn is breaking."
    text = (
        "*** START OF THE PROJECT GUTENBERG EBOOK THREE DIALOGUES ***\n\nTHREE DIALOGUES\n\nBy Plato\n\n"
        "Translated by Benjamin Jowett\n\nTO MY PUPILS\n\nEUTHYPHRO\n\nPERSONS OF THE DIALOGUE: Socrates.\n\n"
        f"{dialogue}\n\n{dialogue}\n\nAPOLOGY\n\n{dialogue}\n\n{dialogue}\n\nCRITO\n\n{dialogue}\n\n{dialogue}\n\n"
        "*** END OF THE PROJECT GUTENBERG EBOOK THREE DIALOGUES ***\n"
    )
    header = "Title: Three Dialogues\n\nAuthor: Plato\n\n"
    book = ingest_bytes((header + text).encode(), "dialogues.txt")
    assert [s.heading for s in book.sections] == ["EUTHYPHRO", "APOLOGY", "CRITO"]
    assert "TO MY PUPILS" in book.removed


def test_a_title_page_line_that_begins_the_title_or_names_the_author_with_degrees() -> None:
    """ "GULLIVER'S TRAVELS" for a longer header title, "BY JONATHAN SWIFT, D.D.," with his office under it
    and "[First published in 1726-7.]" are the title page; the first part's label is not."""
    from bot.ingest.clean import Block, strip_title_page
    from bot.ingest.contents import drop_title_page

    lines = [
        "GULLIVER'S TRAVELS",
        "into several",
        "REMOTE NATIONS OF THE WORLD",
        "",
        "BY JONATHAN SWIFT, D.D.,",
        "DEAN OF ST. PATRICK'S, DUBLIN.",
        "",
        "[First published in 1726-7.]",
        "",
        "PART I. A VOYAGE TO LILLIPUT.",
        "",
        "CHAPTER I.",
        "",
        "My father had a small estate in Nottinghamshire.",
    ]
    hints = {"title": "Gulliver's Travels into Several Remote Nations of the World", "author": "Jonathan Swift"}
    removed: list[str] = []
    kept = strip_title_page(lines, hints, removed)
    assert next(x for x in kept if x.strip()) == "PART I. A VOYAGE TO LILLIPUT."
    assert "DEAN OF ST. PATRICK'S, DUBLIN." in removed
    # run together, the same page is one paragraph ending in a sentence: it names the title and the author
    page = Block(
        "para",
        "GULLIVER'S TRAVELS into several REMOTE NATIONS OF THE WORLDBY JONATHAN SWIFT, D.D., DEAN OF ST. "
        "PATRICK'S, DUBLIN.[First published in 1726-7.]",
    )
    label = Block("heading", "PART I. A VOYAGE TO LILLIPUT.", 1, True)
    kept_blocks, _ = drop_title_page([page, label], hints["title"], [], ("Jonathan Swift",))
    assert kept_blocks == [label]
