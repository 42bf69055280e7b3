"""Which font files print each typeface role of the official letter, and how WeasyPrint gets them.

Roles (GB/T 9704): 仿宋 ``fang`` (body), 楷体 ``kai`` (（一） headings, signer's name),
黑体 ``hei`` (一、 headings, category mark), 宋体 ``song`` (page numbers), 小标宋 ``xbs``
(issuing-authority mark, title).

For each role the letter uses a *stack* of files, tried character by character:

1. licensed fonts found in ``settings.LETTER_FONT_DIR`` (searched recursively), recognised by
   file name (see ``LICENSED_FILE_NAMES``; case, spaces, ``_`` and ``-`` are ignored, so
   ``仿宋_GB2312.ttf``, ``FangSong_GB2312.TTF`` and ``FZXBSJW--GB1-0.ttf`` all match);
2. the first free Debian font of the role that is installed (``FREE_FONTS``);
3. a wide fallback (Noto Serif/Sans CJK SC, ``WIDE_FONTS``) so that names outside GB2312
   (喆 犇 堃) print with a real glyph instead of an empty box;
4. for the rare ideographs Noto lacks (CJK Extension B to F, 𠀀), ``EXTENSION_FONTS``
   (HanaMinB), the same for every role: ``print_stacks()`` is ``font_stacks()`` plus that one.

WeasyPrint gets a large first face (Noto CJK, 65,535 glyphs) led by its compact cut
(``served_faces``, see ``compact``: the common characters only, so that an embedded subset
stays small).

A character counts as covered by a face only when the face draws it right: ``WRONG_GLYPHS``
lists the characters some faces map to another character's glyph (Fandol prints ￥ as $). Such
a character is cut out of the face's ``cmap`` before WeasyPrint gets the face, so it prints from
the next face of the stack, and ``uncovered()`` does not count the face for it.

Every file is declared with ``@font-face`` under a family name of our own ("Jianyi …"): if the
name equalled an installed family, fontconfig would use the system copy instead. From a font
collection (``.ttc``, e.g. Noto CJK, whose first face is the Japanese one) only the Simplified
Chinese face is handed to WeasyPrint, as a stand-alone font, so Chinese glyph shapes are used.

One ``FontConfiguration`` serves the whole process; the ``@font-face`` stylesheet is parsed
once per set of files (fonts are read and registered at parse time, not per render).
"""

import atexit
import bisect
import dataclasses
import hashlib
import io
import os
import re
import shutil
import struct
import tempfile
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from . import compact, outlines

ROLES = ("fang", "kai", "hei", "song", "xbs")
ROLE_NAMES = {"fang": "仿宋", "kai": "楷体", "hei": "黑体", "song": "宋体", "xbs": "小标宋"}

# Licensed fonts an office may drop into LETTER_FONT_DIR, by file name without extension,
# in order of preference within a role (the names the standard uses come first).
LICENSED_FILE_NAMES = {
    "xbs": (
        "方正小标宋简体",
        "FZXBSJW--GB1-0",
        "FZXBSJW",
        "方正小标宋_GBK",
        "FZXBSK--GBK1-0",
        "FZXBSK",
        "方正小标宋",
        "小标宋",
        "FZXiaoBiaoSong-B05S",
        "FZXiaoBiaoSong-B05",
    ),
    "fang": (
        "仿宋_GB2312",
        "FangSong_GB2312",
        "方正仿宋简体",
        "FZFSJW--GB1-0",
        "FZFSJW",
        "方正仿宋_GBK",
        "FZFSK--GBK1-0",
        "FZFSK",
        "仿宋",
        "FangSong",
        "simfang",
    ),
    "kai": (
        "楷体_GB2312",
        "KaiTi_GB2312",
        "方正楷体简体",
        "FZKTJW--GB1-0",
        "FZKTJW",
        "方正楷体_GBK",
        "FZKTK--GBK1-0",
        "FZKTK",
        "楷体",
        "KaiTi",
        "simkai",
    ),
    "hei": (
        "黑体",
        "SimHei",
        "方正黑体简体",
        "FZHTJW--GB1-0",
        "FZHTJW",
        "方正黑体_GBK",
        "FZHTK--GBK1-0",
        "FZHTK",
    ),
    "song": (
        "宋体",
        "SimSun",
        "方正书宋简体",
        "FZSSJW--GB1-0",
        "FZSSJW",
        "方正书宋_GBK",
        "FZSSK--GBK1-0",
        "FZSSK",
    ),
}
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")

_FANDOL = Path("/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol")  # texlive-lang-chinese
_NOTO = Path("/usr/share/fonts/opentype/noto")  # fonts-noto-cjk, fonts-noto-cjk-extra
_TRUETYPE = Path("/usr/share/fonts/truetype")

FREE_FONTS = {
    "fang": [_FANDOL / "FandolFang-Regular.otf"],
    "kai": [
        _FANDOL / "FandolKai-Regular.otf",
        _TRUETYPE / "arphic-gkai00mp" / "gkai00mp.ttf",  # fonts-arphic-gkai00mp
        _TRUETYPE / "lxgw-wenkai" / "LXGWWenKai-Regular.ttf",  # fonts-lxgw-wenkai
    ],
    # Fandol first for 黑体 and 宋体: as good a design for headings and page numbers, and its
    # small glyph ids make WeasyPrint's subsetting several times cheaper than a Noto CJK face's.
    "hei": [_FANDOL / "FandolHei-Regular.otf", _NOTO / "NotoSansCJK-Regular.ttc"],
    "song": [_FANDOL / "FandolSong-Regular.otf", _NOTO / "NotoSerifCJK-Regular.ttc"],
    "xbs": [
        _NOTO / "NotoSerifCJK-Bold.ttc",
        _NOTO / "NotoSerifCJK-Black.ttc",
        _FANDOL / "FandolSong-Bold.otf",
    ],
}
_SERIF_WIDE = [_NOTO / "NotoSerifCJK-Regular.ttc", _NOTO / "NotoSansCJK-Regular.ttc"]
# Last in every role's stack: CJK Extension B-F (60,000 ideographs, 𠀀 U+20000 on), a Mincho
# (宋体-like) design. Not HanaMinA or BabelStone Han: they also map emoji and private-use code
# points, which would then print as whatever those fonts happen to draw there.
EXTENSION_FONTS = [_TRUETYPE / "hanazono" / "HanaMinB.ttf"]  # fonts-hanazono
WIDE_FONTS = {
    "fang": _SERIF_WIDE,
    "kai": _SERIF_WIDE,
    "song": _SERIF_WIDE,
    "hei": [_NOTO / "NotoSansCJK-Regular.ttc", _NOTO / "NotoSerifCJK-Regular.ttc"],
    "xbs": [_NOTO / "NotoSerifCJK-Bold.ttc", *_SERIF_WIDE],
}

# A font "can print Chinese" when it has these (common characters, all in GB2312); an
# extension font when it has these (CJK Extension B, C, E).
_CJK_PROBE = "中国人民代表建议答复"
_EXTENSION_PROBE = "\U00020000\U0002a700\U0002b820"

# Characters a face maps to a glyph of another character, by PostScript name prefix. Found by
# drawing the full-width forms (U+FF01-FF5E, U+FFE0-FFE6) of every Fandol face next to Noto
# CJK SC and comparing outlines and advances: in all of them ￥ (U+FFE5, full-width yuan) is the
# dollar sign $ (their glyph for Adobe-GB1 CID 265), and ￣ (U+FFE3, full-width macron) a short
# dash at mid height that reads as a hyphen. Other differences are design, not meaning (～ sits
# high in FandolKai/Hei/Song, － is short, ￠ is narrow in FandolFang) and are left alone.
WRONG_GLYPHS = {"Fandol": "\uffe5\uffe3"}
# Private-use code points mean what the system that typed them agreed with its own fonts (a
# 造字 in an office's font, GB18030 characters of old systems): whatever glyph a font of ours
# has there is not the author's character, so they are never covered.
PRIVATE_USE = ((0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD))
# How a collection names its Simplified Chinese face: NotoSerifCJKsc-Bold, "Noto Sans CJK SC".
_SIMPLIFIED_FACE = re.compile(r"CJKsc|(?<![A-Za-z])SC(?![A-Za-z])|GB|Hans|简")

FONT_URL_SCHEME = "jianyi-font"


@dataclass(frozen=True)
class FontFile:
    """One face of one font file, as used in a role's stack."""

    path: Path
    index: int  # face number inside a collection (.ttc), 0 for a single font
    postscript_name: str
    licensed: bool
    stamp: tuple[int, int]  # (size, mtime_ns): a replaced file gets a new family name
    # The face cut to the common characters (``compact``), served to WeasyPrint in front of the
    # whole face (``served_faces``); coverage is always the whole face's.
    compact: bool = False

    @property
    def key(self) -> str:
        raw = f"{self.path}|{self.index}|{self.stamp[0]}|{self.stamp[1]}"
        if self.compact:
            raw += "|compact"
        return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:10]

    @property
    def family(self) -> str:
        """Our own family name; never equal to an installed one (see module docstring)."""
        ascii_name = re.sub(r"[^A-Za-z0-9]+", "", self.postscript_name)[:40] or "Font"
        if self.compact:  # the whole face's name and a mark: PDF font names show where it is from
            whole = dataclasses.replace(self, compact=False)
            return f"{whole.family} compact"
        return f"Jianyi {ascii_name} {self.key}"

    @property
    def is_collection(self) -> bool:
        return self.path.suffix.lower() in (".ttc", ".otc")

    @property
    def wrong_glyphs(self) -> str:
        """The characters this face maps to a wrong glyph (``WRONG_GLYPHS``)."""
        return "".join(
            chars
            for prefix, chars in WRONG_GLYPHS.items()
            if self.postscript_name.startswith(prefix)
        )

    def draws(self, char: str) -> bool:
        """Whether this face prints ``char`` with a glyph of its own, and the right one."""
        known = _covered.get((self.key, char))
        if known is None:
            known = _covered[(self.key, char)] = (
                bool(_coverage(self.path, self.index, self.stamp).glyph(char))
                and char not in self.wrong_glyphs
            )
        return known


def _normalise(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name).casefold()


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns)


def _face_offsets(file) -> list[int]:
    """Where each face's table directory starts: one for a font, several in a collection."""
    header = file.read(12)
    if header[:4] != b"ttcf":
        return [0]
    count = struct.unpack(">L", header[8:12])[0]
    return list(struct.unpack(f">{count}L", file.read(4 * count)))


def _read_table(file, face_offset: int, tag: bytes) -> bytes | None:
    file.seek(face_offset)
    num_tables = struct.unpack(">4sH", file.read(6))[1]
    file.seek(face_offset + 12)
    directory = file.read(16 * num_tables)
    for i in range(num_tables):
        table_tag, _checksum, offset, length = struct.unpack_from(">4sLLL", directory, 16 * i)
        if table_tag == tag:
            file.seek(offset)
            return file.read(length)
    return None


class CmapCoverage:
    """Which characters a font maps to a glyph, read from its raw ``cmap`` table.

    Uses the Unicode subtable in place (format 12, else 4): fontTools would decode the whole
    table first, about 0.3 s for a Noto CJK face, at every start-up check.
    """

    _UNICODE = {(3, 10), (0, 4), (0, 6), (3, 1), (0, 3), (0, 1), (0, 0)}

    def __init__(self, cmap: bytes):
        self.format = 0
        found: dict[int, int] = {}
        for i in range(struct.unpack_from(">H", cmap, 2)[0]):
            platform, encoding, offset = struct.unpack_from(">HHL", cmap, 4 + 8 * i)
            if (platform, encoding) in self._UNICODE:
                found.setdefault(struct.unpack_from(">H", cmap, offset)[0], offset)
        if 12 in found:
            offset, self.format = found[12], 12
            count = struct.unpack_from(">L", cmap, offset + 12)[0]
            groups = struct.unpack_from(f">{3 * count}L", cmap, offset + 16)
            self.starts, self.ends, self.first_glyphs = groups[0::3], groups[1::3], groups[2::3]
        elif 4 in found:
            offset, self.format = found[4], 4
            segments = struct.unpack_from(">H", cmap, offset + 6)[0] // 2
            self.ends = struct.unpack_from(f">{segments}H", cmap, offset + 14)
            starts_at = offset + 16 + 2 * segments
            self.starts = struct.unpack_from(f">{segments}H", cmap, starts_at)
            self.deltas = struct.unpack_from(f">{segments}h", cmap, starts_at + 2 * segments)
            self.ranges_at = starts_at + 4 * segments
            self.ranges = struct.unpack_from(f">{segments}H", cmap, self.ranges_at)
            self.cmap = cmap

    def glyph(self, char: str) -> int:
        """The glyph id ``char`` maps to; 0 (.notdef) when the font has none."""
        code = ord(char)
        if self.format == 0:
            return 0
        seg = bisect.bisect_left(self.ends, code)
        if seg == len(self.ends) or self.starts[seg] > code:
            return 0
        if self.format == 12:
            return self.first_glyphs[seg] + code - self.starts[seg]
        if self.ranges[seg] == 0:
            return (code + self.deltas[seg]) & 0xFFFF
        at = self.ranges_at + 2 * seg + self.ranges[seg] + 2 * (code - self.starts[seg])
        glyph = struct.unpack_from(">H", self.cmap, at)[0]
        return (glyph + self.deltas[seg]) & 0xFFFF if glyph else 0

    def __call__(self, char: str) -> bool:
        return self.glyph(char) != 0

    def covers(self, text: str) -> bool:
        return all(self(char) for char in text)


@cache
def _inspect(
    path: Path, stamp: tuple[int, int], probe: str = _CJK_PROBE
) -> tuple[int, str, bool] | None:
    """(face index, PostScript name, has every character of ``probe``) for the face we would
    use, or None.

    Cached per file version; a file that cannot be read as a font is treated as absent.
    """
    from fontTools.ttLib import TTFont, TTLibError

    def names(font: TTFont) -> tuple[str, str]:
        table = font["name"]
        return (table.getDebugName(6) or table.getDebugName(4) or "", table.getDebugName(1) or "")

    try:
        with path.open("rb") as file:
            offsets = _face_offsets(file)
            chosen, name = 0, ""
            for index in range(len(offsets)):
                with TTFont(path, fontNumber=index, lazy=True) as font:
                    face_names = names(font)
                if index == 0:
                    name = face_names[0]
                if len(offsets) > 1 and any(_SIMPLIFIED_FACE.search(n) for n in face_names):
                    chosen, name = index, face_names[0]
                    break
            cmap = _read_table(file, offsets[chosen], b"cmap")
            return chosen, name, cmap is not None and CmapCoverage(cmap).covers(probe)
    except (OSError, TTLibError, KeyError, struct.error, AssertionError, IndexError):
        return None


def _font_file(path: Path, *, licensed: bool, probe: str = _CJK_PROBE) -> FontFile | None:
    stamp = _stamp(path)
    if stamp is None:
        return None
    inspected = _inspect(path, stamp, probe)
    if inspected is None or not inspected[2]:
        return None
    index, name, _ = inspected
    return FontFile(path=path, index=index, postscript_name=name, licensed=licensed, stamp=stamp)


def licensed_font_dir() -> Path | None:
    from django.conf import settings

    try:
        value = getattr(settings, "LETTER_FONT_DIR", None)
    except Exception:  # settings not configured: the renderer still works with free fonts
        value = None
    return Path(value) if value else None


def _licensed_files(font_dir: Path | None) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {role: [] for role in ROLES}
    if font_dir is None or not font_dir.is_dir():
        return found
    by_name: dict[str, list[Path]] = {}
    for root, dirs, files in os.walk(font_dir):
        dirs.sort()
        for file in sorted(files):
            path = Path(root) / file
            if path.suffix.lower() in FONT_SUFFIXES:
                by_name.setdefault(_normalise(path.stem), []).append(path)
    for role, names in LICENSED_FILE_NAMES.items():
        for name in names:
            found[role].extend(by_name.get(_normalise(name), []))
    return found


def font_stacks() -> dict[str, tuple[FontFile, ...]]:
    """For each role, the faces the letter uses, in order (licensed, free, wide fallback)."""
    font_dir = licensed_font_dir()
    stacks = {}
    licensed = _licensed_files(font_dir)
    for role in ROLES:
        stack: list[FontFile] = []
        for path in licensed[role]:
            if (font := _font_file(path, licensed=True)) is not None:
                stack.append(font)
        for candidates in (FREE_FONTS[role], WIDE_FONTS[role]):
            for path in candidates:
                if (font := _font_file(Path(path), licensed=False)) is not None:
                    if font not in stack:
                        stack.append(font)
                    break
        stacks[role] = tuple(stack)
    return stacks


def extension_font() -> FontFile | None:
    """The face for ideographs beyond Noto CJK (``EXTENSION_FONTS``), if one is installed."""
    for path in EXTENSION_FONTS:
        if (font := _font_file(Path(path), licensed=False, probe=_EXTENSION_PROBE)) is not None:
            return font
    return None


def print_stacks() -> dict[str, tuple[FontFile, ...]]:
    """For each role, the faces the letter prints with: the role's stack, then the extension
    face. A role without a face of its own gets none (it is missing, see ``missing_roles``)."""
    extension = extension_font()
    return {
        role: (*stack, extension) if stack and extension and extension not in stack else stack
        for role, stack in font_stacks().items()
    }


def served_faces(stack: tuple[FontFile, ...]) -> tuple[FontFile, ...]:
    """The faces WeasyPrint gets for a stack: a large first face (Noto CJK) led by its compact
    cut (``compact``), which prints the common characters; the others print from the whole face.
    The cut draws nothing the whole face does not, so coverage is the stack's."""
    if stack and _is_large(stack[0]) and compact.available():
        return (dataclasses.replace(stack[0], compact=True), *stack)
    return stack


def _is_large(font: FontFile) -> bool:
    return _glyph_count(font.path, font.index, font.stamp) > compact.LARGE_FACE_GLYPHS


@cache
def _glyph_count(path: Path, index: int, stamp: tuple[int, int]) -> int:
    with path.open("rb") as file:
        maxp = _read_table(file, _face_offsets(file)[index], b"maxp")
    return struct.unpack_from(">H", maxp, 4)[0] if maxp and len(maxp) >= 6 else 0


def font_report() -> dict[str, list[Path]]:
    """For each role, its own font files, first choice first (after them every role prints
    with ``extension_font()``)."""
    return {role: [font.path for font in stack] for role, stack in font_stacks().items()}


def missing_roles() -> list[str]:
    """Roles for which no font able to print Chinese was found."""
    return [role for role, stack in font_stacks().items() if not stack]


@cache
def _coverage(path: Path, index: int, stamp: tuple[int, int]) -> CmapCoverage:
    with path.open("rb") as file:
        cmap = _read_table(file, _face_offsets(file)[index], b"cmap")
    return CmapCoverage(cmap or b"\0\0\0\0")


_covered: dict[tuple[str, str], bool] = {}


def first_font_lacks(role: str, text: str) -> set[str]:
    """The characters of ``text`` that the role's first font does not draw (they print from a
    fallback face)."""
    stack = font_stacks()[role]
    if not stack:
        return set(text)
    return {char for char in set(text) if not stack[0].draws(char)}


def is_private_use(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in PRIVATE_USE)


def uncovered(stack: tuple[FontFile, ...], chars) -> list[str]:
    """The characters of ``chars`` (in their order) that no face of ``stack`` draws."""
    return [
        char
        for char in chars
        if is_private_use(char) or not any(font.draws(char) for font in stack)
    ]


@cache
def _horizontal_metrics(path: Path, index: int, stamp: tuple[int, int]) -> tuple[int, int, bytes]:
    """(units per em, number of advance widths, the hmtx table) of a face."""
    with path.open("rb") as file:
        offset = _face_offsets(file)[index]
        head = _read_table(file, offset, b"head")
        hhea = _read_table(file, offset, b"hhea")
        hmtx = _read_table(file, offset, b"hmtx")
    if not (head and hhea and hmtx):
        return 1000, 0, b""
    return struct.unpack_from(">H", head, 18)[0], struct.unpack_from(">H", hhea, 34)[0], hmtx


def advance_em(stack: tuple[FontFile, ...], char: str) -> float:
    """How far ``char`` advances, in em, printed with the first face of ``stack`` that draws it
    (1 em, an ideograph's width, when none does)."""
    for font in stack:
        if font.draws(char):
            upem, count, hmtx = _horizontal_metrics(font.path, font.index, font.stamp)
            if not count:
                break
            glyph = _coverage(font.path, font.index, font.stamp).glyph(char)
            advance = struct.unpack_from(">H", hmtx, 4 * min(glyph, count - 1))[0]
            return advance / upem
    return 1.0


def family_stacks(stacks: dict[str, tuple[FontFile, ...]] | None = None) -> dict[str, str]:
    """For each role, the CSS ``font-family`` value naming the faces it prints with."""
    stacks = print_stacks() if stacks is None else stacks
    return {
        role: ", ".join(f'"{font.family}"' for font in served_faces(stack)) or "serif"
        for role, stack in stacks.items()
    }


def font_face_css(stacks: dict[str, tuple[FontFile, ...]] | None = None) -> str:
    """One ``@font-face`` per face used, under our own family names."""
    stacks = print_stacks() if stacks is None else stacks
    seen: dict[str, FontFile] = {}
    for stack in stacks.values():
        for font in served_faces(stack):
            seen.setdefault(font.key, font)
    return "\n".join(
        f'@font-face {{ font-family: "{font.family}"; '
        f'src: url("{FONT_URL_SCHEME}:{font.key}"); font-weight: 400; font-style: normal; }}'
        for font in seen.values()
    )


def font_bytes(font: FontFile) -> bytes:
    """The font program WeasyPrint registers: the file, or one face cut out of a collection,
    without the mappings of its ``wrong_glyphs``; for a ``compact`` face, cut to the common
    characters; with TrueType outlines on a fine grid once they are made (``outlines``)."""
    return outlines.served(font_program(font))


def font_program(font: FontFile) -> bytes:
    """``font_bytes`` before the outlines' conversion (``outlines``), which is keyed on it."""
    if font.compact:  # cut from the whole face's program (its wrong glyphs already unmapped)
        full = dataclasses.replace(font, compact=False)
        return compact.cached(font.key, lambda: compact.compact_face(font_program(full)))
    data = font.path.read_bytes()
    if data[:4] == b"ttcf":
        data = extract_face(data, font.index)
    if font.wrong_glyphs:
        data = without_mappings(data, font.wrong_glyphs)
    return data


def convertible_faces() -> list[FontFile]:
    """The PostScript faces the letters print with that ``outlines`` converts ahead: every
    face of every role as served, but the whole pan-CJK ones (65,535 glyphs; their compact cut
    prints the common characters and is converted)."""
    found = {}
    for stack in print_stacks().values():
        for font in served_faces(stack):
            if font.compact or not _is_large(font):
                found.setdefault(font.key, font)
    return list(found.values())


def without_mappings(data: bytes, chars: str) -> bytes:
    """The font ``data`` with ``chars`` removed from its Unicode ``cmap`` subtables, so that
    fontconfig and HarfBuzz see the font as not having them. Only ``cmap`` changes; every other
    table is copied as it is."""
    num_tables = struct.unpack_from(">H", data, 4)[0]
    for i in range(num_tables):
        tag, _, offset, length = struct.unpack_from(">4sLLL", data, 12 + 16 * i)
        if tag == b"cmap":
            cmap = bytearray(data[offset : offset + length])
            break
    else:
        return data
    if all(_unmap_in_place(cmap, ord(char)) for char in chars):
        # Same size: patch a copy of the file where the table is (a few ms for a Fandol face).
        patched = bytearray(data)
        patched[offset : offset + length] = cmap
        struct.pack_into(">L", patched, 12 + 16 * i + 4, _checksum(bytes(cmap)))
        return bytes(patched)
    # A layout the in-place edit does not handle: rebuild the table (~30 ms a Fandol face).
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data), lazy=True)
    for table in font["cmap"].tables:
        if table.isUnicode():
            for char in chars:
                table.cmap.pop(ord(char), None)
    return replace_table(data, b"cmap", font["cmap"].compile(font))


def _unmap_in_place(cmap: bytearray, code: int) -> bool:
    """Map ``code`` to glyph 0 (none) in every Unicode subtable of ``cmap``, without changing
    the table's size; False when a subtable's layout does not allow it."""
    offsets = set()
    for i in range(struct.unpack_from(">H", cmap, 2)[0]):
        platform, encoding, offset = struct.unpack_from(">HHL", cmap, 4 + 8 * i)
        if (platform, encoding) in CmapCoverage._UNICODE:
            offsets.add(offset)
    for offset in sorted(offsets):
        kind = struct.unpack_from(">H", cmap, offset)[0]
        if kind == 4:
            segments = struct.unpack_from(">H", cmap, offset + 6)[0] // 2
            ends = struct.unpack_from(f">{segments}H", cmap, offset + 14)
            seg = bisect.bisect_left(ends, code)
            starts_at = offset + 16 + 2 * segments
            if seg == segments or struct.unpack_from(">H", cmap, starts_at + 2 * seg)[0] > code:
                continue  # not mapped here
            start = struct.unpack_from(">H", cmap, starts_at + 2 * seg)[0]
            deltas_at = starts_at + 2 * segments
            ranges_at = deltas_at + 2 * segments
            range_offset = struct.unpack_from(">H", cmap, ranges_at + 2 * seg)[0]
            if range_offset:
                at = ranges_at + 2 * seg + range_offset + 2 * (code - start)
                struct.pack_into(">H", cmap, at, 0)
            elif start == code == ends[seg]:
                struct.pack_into(
                    ">h", cmap, deltas_at + 2 * seg, -code if code < 0x8000 else 0x10000 - code
                )
            else:
                return False
        elif kind == 12:
            count = struct.unpack_from(">L", cmap, offset + 12)[0]
            groups = struct.unpack_from(f">{3 * count}L", cmap, offset + 16)
            seg = bisect.bisect_left(groups[1::3], code)
            if seg == count or groups[3 * seg] > code:
                continue
            if groups[3 * seg] != code or groups[3 * seg + 1] != code:
                return False
            struct.pack_into(">L", cmap, offset + 16 + 12 * seg + 8, 0)
        else:
            return False
    return True


def _sfnt(header: bytes, tables: list[tuple[bytes, int, bytes]]) -> bytes:
    """A font file from its offset table's first 12 bytes and its (tag, checksum, data)."""
    directory = bytearray()
    body = bytearray()
    position = 12 + 16 * len(tables)
    for tag, checksum, table in tables:
        directory += struct.pack(">4sLLL", tag, checksum, position + len(body), len(table))
        body += table + b"\0" * (-len(table) % 4)
    return bytes(header[:12]) + bytes(directory) + bytes(body)


def _checksum(table: bytes) -> int:
    padded = table + b"\0" * (-len(table) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}L", padded)) & 0xFFFFFFFF


def replace_table(data: bytes, tag: bytes, table: bytes) -> bytes:
    """A copy of the (single) font ``data`` with table ``tag`` replaced."""
    num_tables = struct.unpack_from(">H", data, 4)[0]
    tables = []
    for i in range(num_tables):
        record_tag, checksum, offset, length = struct.unpack_from(">4sLLL", data, 12 + 16 * i)
        if record_tag == tag:
            tables.append((tag, _checksum(table), table))
        else:
            tables.append((record_tag, checksum, data[offset : offset + length]))
    return _sfnt(data, tables)


def extract_face(collection: bytes, index: int) -> bytes:
    """Copy one face of a TrueType/OpenType collection into a stand-alone font.

    A byte copy of the face's tables (fontTools would take ~1 s per Noto face to do the same);
    the checksums are kept as they were, which FreeType and HarfBuzz do not verify.
    """
    count = struct.unpack_from(">L", collection, 8)[0]
    if not 0 <= index < count:
        raise ValueError(f"collection has {count} faces, not {index + 1}")
    offset = struct.unpack_from(">L", collection, 12 + 4 * index)[0]
    num_tables = struct.unpack_from(">H", collection, offset + 4)[0]
    records = [
        struct.unpack_from(">4sLLL", collection, offset + 12 + 16 * i) for i in range(num_tables)
    ]
    return _sfnt(
        collection[offset : offset + 12],
        [(tag, checksum, collection[at : at + length]) for tag, checksum, at, length in records],
    )


# --- WeasyPrint objects, one set per process -------------------------------------------------

_lock = threading.Lock()
_font_config = None
_stylesheets: dict[tuple, object] = {}


def font_config():
    """The process's single ``FontConfiguration``, for every ``CSS()`` and ``write_pdf()``."""
    global _font_config
    if _font_config is None:
        with _lock:
            if _font_config is None:
                from weasyprint.text.fonts import FontConfiguration

                outlines.install()  # TrueType subsets keep only the tables a PDF uses
                config = FontConfiguration()
                # WeasyPrint copies every @font-face file (~90 MB here) into ``_folder`` and
                # removes it in __del__, which never runs in processes that end with os._exit
                # (Celery's prefork children) or are killed. In a folder of ours, named by
                # process id, the next process removes the copies of dead ones.
                if hasattr(config, "_folder"):
                    config._folder = _font_copies_folder()
                atexit.register(_remove_font_folder, config)
                _font_config = config
    return _font_config


def _font_copies_folder() -> Path:
    uid = getattr(os, "getuid", lambda: 0)()
    base = Path(tempfile.gettempdir()) / f"jianyi-letter-fonts-{uid}"
    base.mkdir(mode=0o700, exist_ok=True)
    for folder in base.iterdir():
        pid = folder.name.partition("-")[0]
        if pid.isdigit() and not _process_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=base))


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_font_folder(config) -> None:
    # Also done here rather than in FontConfiguration.__del__, which fails noisily when it
    # runs during interpreter shutdown.
    folder = getattr(config, "_folder", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        config._folder = None


def _font_fetcher(fonts: dict[str, FontFile]):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class FontFetcher(URLFetcher):
        """Serves ``jianyi-font:<key>`` URLs from the font files; nothing else."""

        def fetch(self, url, headers=None):
            scheme, _, key = url.partition(":")
            if scheme != FONT_URL_SCHEME or key not in fonts:
                raise ValueError(f"not a letter font: {url}")
            return URLFetcherResponse(url, font_bytes(fonts[key]))

    return FontFetcher()


def font_stylesheet(stacks: dict[str, tuple[FontFile, ...]] | None = None):
    """The parsed ``@font-face`` stylesheet for these stacks, registered in ``font_config()``.

    Parsing it reads and registers the font files, so it is done once per process and set of
    files, never per letter.
    """
    stacks = print_stacks() if stacks is None else stacks
    cache_key = tuple((role, tuple(font.key for font in stack)) for role, stack in stacks.items())
    stylesheet = _stylesheets.get(cache_key)
    if stylesheet is None:
        config = font_config()
        with _lock:
            stylesheet = _stylesheets.get(cache_key)
            if stylesheet is None:
                from weasyprint import CSS

                fonts = {font.key: font for stack in stacks.values() for font in served_faces(stack)}
                stylesheet = CSS(
                    string=font_face_css(stacks),
                    font_config=config,
                    url_fetcher=_font_fetcher(fonts),
                )
                _stylesheets[cache_key] = stylesheet
    return stylesheet


@cache
def _hhea(path: Path, index: int, stamp: tuple[int, int]) -> tuple[float, float]:
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=index, lazy=True) as font:
        upem = font["head"].unitsPerEm
        return font["hhea"].ascent / upem, -font["hhea"].descent / upem


def vertical_metrics(role: str) -> tuple[float, float]:
    """(ascent, descent) in em of the role's first font, as Pango places it in a line.

    Used to put the *characters* of the header where the standard wants them: a face with a
    tall ascent sits lower in its line box than the ideographic em box suggests.
    """
    stack = font_stacks()[role]
    if not stack:
        return 0.88, 0.12
    font = stack[0]
    try:
        return _hhea(font.path, font.index, font.stamp)
    except Exception:
        return 0.88, 0.12
