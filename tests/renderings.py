"""Render a plain-text white paper as a saved web page and as a PDF, for cross-format tests.

Each non-blank line of the .txt becomes a block (the first an <h1> / a large
title line), consecutive lines stay in one block joined by <br> / a new line
of their own, and blank lines separate blocks, as a news site would lay the
page out. The PDF gets a running header and a page-number footer on every
page, so its furniture must be recognized.
"""
from __future__ import annotations

import html
import io
import re


def blocks(text: str) -> list[list[str]]:
    """Group the non-blank lines of ``text`` into blocks separated by blank lines."""
    return [[line.strip("\n") for line in block.split("\n") if line.strip()] for block in re.split(r"\n\s*\n", text) if block.strip()]


def to_html(text: str, title: str = "China's Export Controls", pager: str = "") -> str:
    """Return a web page whose article is ``text``, wrapped in site navigation and scripts."""
    body = []
    for i, block in enumerate(blocks(text)):
        inner = "<br>\n      ".join(_inline(line) for line in block)
        tag = "h1" if i == 0 else "p"
        body.append(f"    <{tag}>{inner}</{tag}>")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{html.escape(title)} - Xinhua</title>
  <meta property="og:site_name" content="Xinhua">
  <meta name="publishdate" content="2021-12-29">
  <script>var pager = "<p>not text</p>";</script>
  <style>p {{ margin: 0 }}</style>
</head>
<body>
  <nav class="top-nav"><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav>
  <div class="share-bar"><a href="#">Share</a> <a href="#">Print</a></div>
  <div id="article">
<!-- article body -->
{chr(10).join(body)}
{pager}
  </div>
  <footer><p>Copyright &copy; Xinhua. All rights reserved.</p></footer>
</body>
</html>
"""


def _inline(line: str) -> str:
    """Escape a line, spelling NBSP as &nbsp; and a quote as an entity, with some inline markup."""
    out = html.escape(line, quote=False).replace("\xa0", "&nbsp;").replace("'", "&#39;")
    return re.sub(r"\b(China)\b", r"<b>\1</b>", out, count=1)


def to_pdf(text: str, header: str = "China's Export Controls | Xinhua", page_size=None, **encrypt) -> bytes:
    """Return PDF bytes laying out ``text`` (one paragraph per line, space for blank lines)."""
    from reportlab.lib.pagesizes import A5
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    size = page_size or A5
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], spaceBefore=0, spaceAfter=0)
    story = []
    for i, block in enumerate(blocks(text)):
        if i:
            story.append(Spacer(1, 12))
        for line in block:
            story.append(Paragraph(html.escape(line, quote=False), styles["Title"] if i == 0 else body))

    def furniture(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(doc.leftMargin, size[1] - 30, header)
        canvas.drawCentredString(size[0] / 2, 25, str(doc.page))
        canvas.restoreState()

    buffer = io.BytesIO()
    options = {}
    if encrypt:
        from reportlab.lib import pdfencrypt

        options["encrypt"] = pdfencrypt.StandardEncryption(**encrypt)
    doc = SimpleDocTemplate(buffer, pagesize=size, title="China's Export Controls", invariant=1, **options)
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return buffer.getvalue()
