"""The letter's pages, decided here rather than by WeasyPrint (GB/T 9704 on a 22-line grid).

Everything under the header is counted in grid lines (225 mm / 22): a page holds 22, and
every page but the last is full. Page breaks go between lines, with these exceptions:

- the title never splits, and the salutation stays with the title;
- a heading on a line of its own never ends a page;
- a table row never splits, and a table's header row never ends a page;
- the signing bureau, date and notes (the closing) stay together and keep at least two lines
  of body text above them on their page, so the closing never sits alone and no single body
  line sits alone above it; the rest of the last paragraph may stay on the page before;
- blank lines at the top of a page (the gap above a salutation or attachments note) go.

The colophon (版记) ends the document on an even page, the back of the last sheet
(GB/T 9704 7.4, double-sided printing): on the last page of the body when that page is even
and has room for it under the closing, else on the next even page. When the body ends on an
even page with no room left, an odd blank page comes between; the standard (7.5) numbers
neither that blank page nor the colophon page after it. 「（此页无正文）」 is never printed: the
2012 standard has no such mark (for a closing that does not fit it speaks of adjusting the
spacing, 7.3.5), and here the closing always keeps two body lines on its page instead.
WeasyPrint then only stacks the lines: each page's first element is given ``break-before``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

ROWS = 22  # grid lines of a full page


@dataclass
class Piece:
    """A block of the flow: its parts (lines, table rows) and how many grid lines each takes.

    ``html(indices, style)`` gives the element holding those parts; ``style`` is its style
    attribute (`` style="…"``) or "".
    """

    html: Callable[[list[int], str], str]
    rows: list[int]
    gap: int = 0  # blank grid lines above it
    keep: bool = False  # never split over two pages
    keep_first: bool = False  # its first part stays on the page of the second (a table's header)
    keep_last: bool = False  # its last part stays on the page of what follows
    body: bool = True  # its lines count as body lines for the closing's keep


@dataclass
class Unit:
    piece: int
    part: int  # -1: a blank line of the gap above the piece
    rows: int = 1
    keep_next: bool = False

    @property
    def gap(self) -> bool:
        return self.part < 0


@dataclass
class Pages:
    pages: list[list[Unit]] = field(default_factory=list)

    def used(self, number: int) -> int:
        return sum(unit.rows for unit in self.pages[number - 1])


def units(pieces: list[Piece], closing: int | None) -> list[Unit]:
    """The flow as units of whole grid lines, with the keeps above set."""
    flow: list[Unit] = []
    for index, piece in enumerate(pieces):
        flow += [Unit(index, -1, keep_next=True) for _ in range(piece.gap)]
        for part, rows in enumerate(piece.rows):
            last = part == len(piece.rows) - 1
            keep = (piece.keep and not last) or (last and piece.keep_last)
            keep = keep or (part == 0 and piece.keep_first and not last)
            flow.append(Unit(index, part, rows, keep_next=keep))
    if closing is not None:
        start = next(i for i, unit in enumerate(flow) if unit.piece == closing)
        lines = 0
        for unit in reversed(flow[:start]):
            if lines == 2 or not pieces[unit.piece].body:
                break
            unit.keep_next = True
            lines += not unit.gap
    return flow


def paginate(flow: list[Unit], rows: int = ROWS) -> Pages:
    """Fill pages of ``rows`` grid lines, breaking at the last place the keeps allow."""
    result = Pages()
    page: list[Unit] = []
    used = 0
    queue = list(flow)
    position = 0
    while position < len(queue):
        unit = queue[position]
        if not page and unit.gap and result.pages:
            position += 1  # no blank line at the top of a page
            continue
        if used + unit.rows <= rows or not page:
            page.append(unit)
            used += unit.rows
            position += 1
            continue
        cut = len(page)
        while cut > 0 and page[cut - 1].keep_next:
            cut -= 1
        if cut == 0:  # nowhere to break: the keep gives way
            cut = len(page)
        result.pages.append(page[:cut])
        position -= len(page) - cut
        page, used = [], 0
    if page:
        result.pages.append(page)
    return result


def colophon_place(pages: Pages, colophon_rows: int) -> str:
    """Where the colophon goes: "here" (the body's last page), "next" (the next page, even)
    or "after_blank" (an unnumbered blank page, then an unnumbered colophon page)."""
    last = len(pages.pages)
    if last % 2:
        return "next"
    if pages.used(last) + colophon_rows <= ROWS:
        return "here"
    return "after_blank"


def style_attribute(styles: list[str]) -> str:
    return f' style="{"; ".join(styles)}"' if styles else ""


def flow_html(pieces: list[Piece], pages: Pages) -> str:
    """The pieces as HTML, page by page: one element per piece and page."""
    html = []
    for number, page in enumerate(pages.pages, 1):
        first = True
        index = 0
        while index < len(page):
            piece = page[index].piece
            gap = 0
            parts = []
            while index < len(page) and page[index].piece == piece:
                if page[index].gap:
                    gap += 1
                else:
                    parts.append(page[index].part)
                index += 1
            if not parts:
                continue
            styles = [f"margin-top: {gap * 10.227:.3f}mm"] if gap else []
            if first and number > 1:
                styles.append("break-before: page")
            first = False
            html.append(pieces[piece].html(parts, style_attribute(styles)))
    return "\n".join(html)
