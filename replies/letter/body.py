"""A letter's body text as blocks: paragraphs, tables and the attachments note.

The body is plain text, one paragraph per line (``proposals.text.paragraphs`` finds the
headings). Two more shapes, as clerks paste them from Word:

- consecutive lines with tab-separated cells (a Word table copied as text) are a table;
- a line starting 「附件：」 at the end of the body, with the numbered lines after it
  (「2.……」), is the attachments note (附件说明, GB/T 9704 7.3.4).
"""

import re
from dataclasses import dataclass

from proposals.text import Paragraph
from proposals.text import paragraphs as text_paragraphs

_SPACES = " \u3000\r"
_ATTACHMENTS = re.compile(r"^附\s*件\s*[：:]\s*")
_ITEM_NUMBER = re.compile(r"^(\d+)\s*[.．、]\s*")


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[str, ...], ...]  # every row as wide as the widest

    @property
    def columns(self) -> int:
        return len(self.rows[0])


@dataclass(frozen=True)
class Attachments:
    """The attachments note: each item as (number, name); number "" for a single one."""

    items: tuple[tuple[str, str], ...]


Block = Paragraph | Table | Attachments


def _table(rows: list[list[str]]) -> Table:
    width = max(len(row) for row in rows)
    return Table(tuple(tuple(row + [""] * (width - len(row))) for row in rows))


def _attachments(lines: list[str]) -> Attachments | None:
    first = _ATTACHMENTS.sub("", lines[0], count=1)
    items = []
    for line in [first, *lines[1:]]:
        number = _ITEM_NUMBER.match(line)
        if number is None:
            if len(lines) > 1 or not line:
                return None  # a second line that is no numbered item: not an attachments note
            items.append(("", line))
        else:
            items.append((f"{number.group(1)}.", line[number.end() :].strip()))
    return Attachments(tuple(items))


def body_blocks(body: str) -> list[Block]:
    """The body's blocks in order (blank lines and the spaces around a line are noise)."""
    lines = [raw.strip(_SPACES) for raw in (body or "").split("\n")]
    blocks: list[Block] = []
    prose: list[str] = []
    rows: list[list[str]] = []

    def flush() -> None:
        if prose:
            blocks.extend(text_paragraphs("\n".join(prose)))
            prose.clear()
        if rows:
            blocks.append(_table(rows[:]))
            rows.clear()

    attachments = None
    starts = [i for i, line in enumerate(lines) if _ATTACHMENTS.match(line)]
    if starts:
        tail = [line for line in lines[starts[-1] :] if line.strip("\t")]
        attachments = _attachments(tail)
        if attachments is not None:
            lines = lines[: starts[-1]]
    for line in lines:
        if "\t" in line.strip("\t"):
            if prose:
                flush()
            rows.append([cell.strip(_SPACES) for cell in line.strip("\t").split("\t")])
        elif line.strip("\t"):
            if rows:
                flush()
            prose.append(line)
        elif rows:
            flush()  # a blank line ends a table
    flush()
    if attachments is not None:
        blocks.append(attachments)
    return blocks


def printed_runs(body: str, heading_role) -> list[tuple[str, str]]:
    """What the body prints, as (role, text): ``heading_role(level)`` prints a heading."""
    runs: list[tuple[str, str]] = []
    for block in body_blocks(body):
        if isinstance(block, Table):
            runs += [("fang", cell) for row in block.rows for cell in row]
        elif isinstance(block, Attachments):
            runs.append(("fang", "附件："))
            runs += [("fang", number + name) for number, name in block.items]
        else:
            runs += [(heading_role(block.level), block.heading), ("fang", block.rest)]
    return [(role, text) for role, text in runs if text]
