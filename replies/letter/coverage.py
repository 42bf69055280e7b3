"""Which characters of a letter no font of ours can print: to be refused before signing.

Each character is checked against the faces of the role that prints it (``render.printed_text``
says which role prints what; ``fonts.print_stacks`` which faces a role has), as the renderer
falls back face by face: a character is covered when one of them draws it, and draws it right
(``fonts.WRONG_GLYPHS``: Fandol's ￥ is a $, so ￥ must come from a later face).
"""

import unicodedata

from . import fonts
from .data import LetterData
from .render import printed_text

# Not printed at all, so nothing to cover: joiners and other format characters (U+200B, U+FEFF,
# soft hyphen), and variation selectors, which only pick a form of the character before them.
_VARIATION_SELECTORS = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF))


def is_printed(char: str) -> bool:
    """Whether ``char`` needs a glyph: not white space, not a format character."""
    if char.isspace() or unicodedata.category(char) == "Cf":
        return False
    code = ord(char)
    return not any(low <= code <= high for low, high in _VARIATION_SELECTORS)


def uncovered_characters(letter: LetterData) -> list[str]:
    """The characters of the letter that no face of the role printing them draws, in order of
    first appearance (header, title, salutation, body, closing, cc), each once.

    Emoji and private-use characters (whose meaning no font of ours knows) are among them, as
    are control characters (a font's glyph for U+0001 is never what the author meant); white
    space and characters the renderer never prints (a category mark on an opinion, U+200B) are
    not. Lookups are cached per face and character: a ten-page letter takes a few milliseconds.
    """
    stacks = fonts.print_stacks()
    checked: set[tuple[str, str]] = set()
    found: dict[str, None] = {}
    for role, text in printed_text(letter):
        stack = stacks[role]
        for char in dict.fromkeys(text):
            if (role, char) in checked or char in found:
                continue
            checked.add((role, char))
            if not is_printed(char):
                continue
            if unicodedata.category(char) == "Cc" or fonts.uncovered(stack, char):
                found[char] = None
    return list(found)
