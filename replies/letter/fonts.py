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
   (喆 犇 堃) print with a real glyph instead of an empty box.

Every file is declared with ``@font-face`` under a family name of our own ("Jianyi …"): if the
name equalled an installed family, fontconfig would use the system copy instead. From a font
collection (``.ttc``, e.g. Noto CJK, whose first face is the Japanese one) only the Simplified
Chinese face is handed to WeasyPrint, as a stand-alone font, so Chinese glyph shapes are used.

One ``FontConfiguration`` serves the whole process; the ``@font-face`` stylesheet is parsed
once per set of files (fonts are read and registered at parse time, not per render).
"""

import atexit
import bisect
import hashlib
import os
import re
import shutil
import struct
import tempfile
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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
WIDE_FONTS = {
    "fang": _SERIF_WIDE,
    "kai": _SERIF_WIDE,
    "song": _SERIF_WIDE,
    "hei": [_NOTO / "NotoSansCJK-Regular.ttc", _NOTO / "NotoSerifCJK-Regular.ttc"],
    "xbs": [_NOTO / "NotoSerifCJK-Bold.ttc", *_SERIF_WIDE],
}

# A font "can print Chinese" when it has these (common characters, all in GB2312).
_CJK_PROBE = "中国人民代表建议答复"
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

    @property
    def key(self) -> str:
        raw = f"{self.path}|{self.index}|{self.stamp[0]}|{self.stamp[1]}"
        return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:10]

    @property
    def family(self) -> str:
        """Our own family name; never equal to an installed one (see module docstring)."""
        ascii_name = re.sub(r"[^A-Za-z0-9]+", "", self.postscript_name)[:40] or "Font"
        return f"Jianyi {ascii_name} {self.key}"

    @property
    def is_collection(self) -> bool:
        return self.path.suffix.lower() in (".ttc", ".otc")


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
            self.starts, self.ends = groups[0::3], groups[1::3]
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

    def __call__(self, char: str) -> bool:
        code = ord(char)
        if self.format == 0:
            return False
        seg = bisect.bisect_left(self.ends, code)
        if seg == len(self.ends) or self.starts[seg] > code:
            return False
        if self.format == 12:
            return True
        if self.ranges[seg] == 0:
            return (code + self.deltas[seg]) & 0xFFFF != 0
        at = self.ranges_at + 2 * seg + self.ranges[seg] + 2 * (code - self.starts[seg])
        glyph = struct.unpack_from(">H", self.cmap, at)[0]
        return glyph != 0 and (glyph + self.deltas[seg]) & 0xFFFF != 0

    def covers(self, text: str) -> bool:
        return all(self(char) for char in text)


@cache
def _inspect(path: Path, stamp: tuple[int, int]) -> tuple[int, str, bool] | None:
    """(face index, PostScript name, prints Chinese) for the face we would use, or None.

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
            return chosen, name, cmap is not None and CmapCoverage(cmap).covers(_CJK_PROBE)
    except (OSError, TTLibError, KeyError, struct.error, AssertionError, IndexError):
        return None


def _font_file(path: Path, *, licensed: bool) -> FontFile | None:
    stamp = _stamp(path)
    if stamp is None:
        return None
    inspected = _inspect(path, stamp)
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


def font_report() -> dict[str, list[Path]]:
    """For each role, the font files used, first choice first."""
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
    """The characters of ``text`` that the role's first font has no glyph for (they print
    from a fallback face)."""
    stack = font_stacks()[role]
    if not stack:
        return set(text)
    font = stack[0]
    lacking = set()
    for char in set(text):
        known = _covered.get((font.key, char))
        if known is None:
            known = _covered[(font.key, char)] = _coverage(font.path, font.index, font.stamp)(char)
        if not known:
            lacking.add(char)
    return lacking


def family_stacks(stacks: dict[str, tuple[FontFile, ...]] | None = None) -> dict[str, str]:
    """For each role, the CSS ``font-family`` value naming its stack."""
    stacks = font_stacks() if stacks is None else stacks
    return {
        role: ", ".join(f'"{font.family}"' for font in stack) or "serif"
        for role, stack in stacks.items()
    }


def font_face_css(stacks: dict[str, tuple[FontFile, ...]] | None = None) -> str:
    """One ``@font-face`` per face used, under our own family names."""
    stacks = font_stacks() if stacks is None else stacks
    seen: dict[str, FontFile] = {}
    for stack in stacks.values():
        for font in stack:
            seen.setdefault(font.key, font)
    return "\n".join(
        f'@font-face {{ font-family: "{font.family}"; '
        f'src: url("{FONT_URL_SCHEME}:{font.key}"); font-weight: 400; font-style: normal; }}'
        for font in seen.values()
    )


def font_bytes(font: FontFile) -> bytes:
    """The font program WeasyPrint registers: the file, or one face cut out of a collection."""
    data = font.path.read_bytes()
    return extract_face(data, font.index) if data[:4] == b"ttcf" else data


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
    header = bytearray(collection[offset : offset + 12])
    directory = bytearray()
    tables = bytearray()
    position = 12 + 16 * num_tables
    for tag, checksum, table_offset, length in records:
        directory += struct.pack(">4sLLL", tag, checksum, position + len(tables), length)
        tables += collection[table_offset : table_offset + length]
        tables += b"\0" * (-length % 4)
    return bytes(header + directory + tables)


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
    stacks = font_stacks() if stacks is None else stacks
    cache_key = tuple((role, tuple(font.key for font in stack)) for role, stack in stacks.items())
    stylesheet = _stylesheets.get(cache_key)
    if stylesheet is None:
        config = font_config()
        with _lock:
            stylesheet = _stylesheets.get(cache_key)
            if stylesheet is None:
                from weasyprint import CSS

                fonts = {font.key: font for stack in stacks.values() for font in stack}
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
