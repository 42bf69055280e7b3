"""How a document's plain text splits into paragraphs and headings (一、 （一） 1. （1））.

Proposals, replies and opinions are all stored as plain text; the pages and the official letter
read them through this one parser.
"""

import re
from dataclasses import dataclass

_NUM = "一二三四五六七八九十百零〇"
HEADING_PATTERNS = [
    (1, re.compile(rf"^[{_NUM}]+、")),
    (2, re.compile(rf"^[（(][{_NUM}]+[）)]")),
    (3, re.compile(r"^\d+[.．](?!\d)")),
    (4, re.compile(r"^[（(]\d+[）)]")),
]
_WHITESPACE = " \t\u3000\r"



@dataclass(frozen=True)
class Paragraph:
    level: int  # 0 for body text, 1..4 for the heading levels
    heading: str  # the heading sentence (up to and including the first 。), or ""
    rest: str  # what follows it in body type

    @property
    def text(self) -> str:
        return self.heading + self.rest


def heading_level(line: str) -> int:
    for level, pattern in HEADING_PATTERNS:
        if pattern.match(line):
            return level
    return 0


def paragraphs(body: str) -> list[Paragraph]:
    """One paragraph per non-blank line; surrounding white space is layout noise."""
    result = []
    for raw in (body or "").split("\n"):
        line = raw.strip(_WHITESPACE)
        if not line:
            continue
        level = heading_level(line)
        if level == 0:
            result.append(Paragraph(0, "", line))
            continue
        end = line.find("。")
        if end == -1 or end == len(line) - 1:
            result.append(Paragraph(level, line, ""))
        else:
            result.append(Paragraph(level, line[: end + 1], line[end + 1 :]))
    return result
