"""Letter fonts with TrueType outlines on a fine grid: how reply 110 fits in 300 KB.

Measured on reply 110 (10 pages, 783 distinct body characters): FandolFang's embedded subset
was 374 KB of a 507 KB file. Its outlines are detailed (about 100 segments a glyph); WeasyPrint
already drops hinting and compresses at zlib level 9, and re-subroutinizing made it bigger. What
the compressor rewards is coordinates on a grid. So each PostScript (CFF) face the letter prints
with is converted once to TrueType outlines: cubic curves to quadratic ones within ``ERROR``
font units, every point on a ``GRID``-unit grid. At 16 pt one unit is 0.0056 mm: the largest
move, ERROR + GRID/√2 units, is about 0.04 mm, under one dot of a 600-dpi printer; rendered at
600 dpi by poppler, MuPDF and pdfium no difference is three pixels wide (the three renderers
disagree with each other on the unchanged file far more). Widths, the cmap, the layout tables and
the glyph order stay the same, so lines, pages and the extracted text do not change.

Converting a Fandol face takes 15–40 s, so it is done ahead (``manage.py prepare_letter_fonts``,
run by ``make run``, ``make test`` and the Docker image) into the per-user font cache, and a
render only reads it (``served``); a face not yet converted prints as it is (a larger file, the
same letter). ``JIANYI_LETTER_OUTLINE_GRID=0`` turns the conversion off.

A TrueType subset embedded in a PDF needs only a few tables (``PDF_TABLES``): the others
(cmap, name, OS/2, post, the layout tables) are dropped from WeasyPrint's subset as it is made
(``install``), about 10 KB a letter.
"""

import hashlib
import io
import struct

from django.conf import settings

from . import compact

ERROR = 3.0  # font units a quadratic curve may stray from the cubic one
# Raise when the conversion changes: converted faces in the cache are then made again.
CONVERSION_VERSION = 1
PDF_TABLES = {b"head", b"hhea", b"hmtx", b"loca", b"glyf", b"maxp", b"cvt ", b"fpgm", b"prep"}
POSTSCRIPT = b"OTTO"


def grid() -> int:
    return int(getattr(settings, "LETTER_OUTLINE_GRID", 6) or 0)


def _name(data: bytes) -> str:
    digest = hashlib.sha1(data, usedforsecurity=False).hexdigest()[:20]
    return f"outlines-{digest}-{ERROR}-{grid()}-v{CONVERSION_VERSION}.ttf"


def served(data: bytes) -> bytes:
    """The converted face of a PostScript font program when it has been made; ``data`` as it is
    otherwise (and for TrueType fonts, and with the conversion off)."""
    if data[:4] != POSTSCRIPT or grid() < 1:
        return data
    return compact.read_cached(_name(data)) or data


def prepare(data: bytes) -> bool:
    """Convert a PostScript font program and keep it in the font cache; False when there is
    nothing to do (TrueType, conversion off, already made) or it could not be kept."""
    if data[:4] != POSTSCRIPT or grid() < 1 or compact.read_cached(_name(data)) is not None:
        return False
    return compact.store_cached(_name(data), truetype(data, error=ERROR, grid=grid()))


def truetype(data: bytes, *, error: float, grid: int) -> bytes:
    """The font with its CFF outlines replaced by TrueType ones (cu2qu within ``error`` units,
    points snapped to multiples of ``grid``), contours turned to TrueType's direction, glyph
    names dropped (``post`` format 3). Every other table is kept."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.roundingPen import RoundingPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(io.BytesIO(data))
    order, glyphs = font.getGlyphOrder(), font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    snap = (lambda value: grid * round(value / grid)) if grid > 1 else round
    for name in order:
        pen = TTGlyphPen(None)
        glyphs[name].draw(Cu2QuPen(RoundingPen(pen, roundFunc=snap), max_err=error, reverse_direction=True))
        glyf[name] = pen.glyph(dropImpliedOnCurves=True)
    font["loca"], font["glyf"] = newTable("loca"), glyf
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements", "maxPoints",
                  "maxContours", "maxCompositePoints", "maxCompositeContours", "maxComponentDepth"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 3.0, [], {}
    font.sfntVersion = "\x00\x01\x00\x00"
    out = io.BytesIO()
    font.save(out)  # bounding boxes and maxp counts are computed again
    return out.getvalue()


def pdf_tables(font: bytes) -> bytes:
    """A TrueType subset with only the tables a PDF's TrueType CIDFont uses; others unchanged."""
    if font[:4] != b"\x00\x01\x00\x00":
        return font
    tables = []
    for i in range(struct.unpack_from(">H", font, 4)[0]):
        tag, _checksum, offset, length = struct.unpack_from(">4sLLL", font, 12 + 16 * i)
        if tag in PDF_TABLES:
            tables.append((tag, font[offset : offset + length]))
    tables.sort()
    count = len(tables)
    power = max(i for i in range(17) if 2**i <= count)
    header = [struct.pack(">4sHHHH", font[:4], count, 16 * 2**power, power, 16 * count - 16 * 2**power)]
    offset, body = 12 + 16 * count, []
    for tag, table in tables:
        padded = table + b"\0" * (-len(table) % 4)
        checksum = sum(struct.unpack(f">{len(padded) // 4}L", padded)) & 0xFFFFFFFF
        header.append(struct.pack(">4sLLL", tag, checksum, offset, len(table)))
        body.append(padded)
        offset += len(padded)
    return b"".join(header + body)


def install() -> None:
    """Drop the tables a PDF does not use from each TrueType subset WeasyPrint makes."""
    from weasyprint.pdf import fonts

    original = fonts.Font.subset
    if getattr(original, "_jianyi_pdf_tables", False):
        return

    def subset(self, to_unicode, hinting):
        original(self, to_unicode, hinting)
        self.file_content = pdf_tables(self.file_content)

    subset._jianyi_pdf_tables = True
    fonts.Font.subset = subset
