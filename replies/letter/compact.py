"""Compact faces: a pan-CJK font cut down to the characters letters print day to day.

Why: WeasyPrint subsets each font with HarfBuzz but keeps glyph ids (``RETAIN_GIDS``, its page
content refers to the original ids), so every embedded subset still carries an entry in the
outline index and both metrics tables for each glyph up to the highest one used. Noto CJK has
65,535 glyphs and its Chinese ideographs sit high: the ~20 characters of a title set in Noto
Serif CJK SC Bold brought 750 KB of font program (140 KB compressed) into every letter. The
same face cut to ``common_characters()``, glyphs renumbered, has about 7,900 glyphs, so a
title costs a few kilobytes (22 KB compressed in reply 110).

WeasyPrint gets the compact face in front of the whole face (``fonts.served_faces``); a
character outside the repertoire (喆) still prints from the whole face behind it.

Cut with HarfBuzz's subsetter (libharfbuzz-subset0), loaded here with cffi as WeasyPrint loads
it, and kept in a per-user cache on disk (``cached``); where the subsetter is missing there is no
compact face (the start-up check already warns that rendering is then slow).
"""

import hashlib
import io
import os
import struct
import tempfile
import threading
from functools import cache
from pathlib import Path

# A face with more glyphs than this gets a compact face (pan-CJK fonts such as Noto CJK; the
# Fandol fonts and licensed GB2312/GBK fonts have fewer, and low ids for common characters).
LARGE_FACE_GLYPHS = 30_000

# OpenType features kept in the compact face: those HarfBuzz applies by default to horizontal
# text. Not ``vert`` (no vertical text), nor ``locl``: keeping it keeps the Japanese, Korean and
# Traditional forms of thousands of ideographs (5,500 more glyphs). The few characters that
# ``locl`` changes for Simplified Chinese (—, ", ‼ …; ``localized_characters``) are left out of
# the compact face and print from the whole face behind it, where ``locl`` applies.
LAYOUT_FEATURES = tuple("abvm blwm ccmp mark mkmk rlig calt clig curs dist kern liga rclt".split())
LANGUAGE_SYSTEM = "ZHS"  # how OpenType names the letter's language (lang="zh-CN")

# Raise when the way compact faces are cut changes: cached ones are then cut again.
CACHE_VERSION = 2

_FLAG_NOTDEF_OUTLINE = 0x40
_SETS_UNICODE = 1
_SETS_LAYOUT_FEATURE_TAG = 6


def _gb2312() -> set[int]:
    codes = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                codes.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return codes


@cache
def common_characters() -> frozenset[int]:
    """The repertoire of compact faces: GB2312 (6,763 hanzi and its symbols), printable ASCII
    and Latin-1, general punctuation, CJK symbols, enclosed and Roman numerals, full-width
    forms."""
    ranges = [
        (0x20, 0x7E),
        (0xA0, 0xFF),
        (0x2000, 0x206F),
        (0x2100, 0x218F),
        (0x2460, 0x24FF),
        (0x3000, 0x303F),
        (0xFF00, 0xFFEF),
    ]
    codes = _gb2312()
    for low, high in ranges:
        codes.update(range(low, high + 1))
    return frozenset(codes)


_CDEF = """
    typedef ... hb_blob_t;
    typedef ... hb_face_t;
    typedef ... hb_set_t;
    typedef ... hb_subset_input_t;
    typedef uint32_t hb_codepoint_t;
    typedef uint32_t hb_tag_t;
    hb_blob_t * hb_blob_create (const char *data, unsigned int length, int mode,
                                void *user_data, void *destroy);
    void hb_blob_destroy (hb_blob_t *blob);
    const char * hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
    hb_face_t * hb_face_create (hb_blob_t *blob, unsigned int index);
    void hb_face_destroy (hb_face_t *face);
    hb_blob_t * hb_face_reference_blob (hb_face_t *face);
    hb_tag_t hb_tag_from_string (const char *str, int len);
    void hb_set_add (hb_set_t *set, hb_codepoint_t codepoint);
    void hb_set_add_range (hb_set_t *set, hb_codepoint_t first, hb_codepoint_t last);
    void hb_set_clear (hb_set_t *set);
    hb_subset_input_t * hb_subset_input_create_or_fail (void);
    void hb_subset_input_destroy (hb_subset_input_t *input);
    hb_set_t * hb_subset_input_set (hb_subset_input_t *input, int set_type);
    void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned value);
    hb_face_t * hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
"""
_lock = threading.Lock()


@cache
def _libraries():
    """(ffi, harfbuzz, harfbuzz-subset), or None when HarfBuzz's subsetter is not installed."""
    import cffi

    from replies.checks import HARFBUZZ_NAMES, HARFBUZZ_SUBSET_NAMES, harfbuzz_subset_available

    if not harfbuzz_subset_available():
        return None
    ffi = cffi.FFI()
    ffi.cdef(_CDEF)

    def load(names):
        for name in names:
            try:
                return ffi.dlopen(name)
            except OSError:
                continue
        return None

    harfbuzz, subset = load(HARFBUZZ_NAMES), load(HARFBUZZ_SUBSET_NAMES)
    return (ffi, harfbuzz, subset) if harfbuzz and subset else None


def available() -> bool:
    return _libraries() is not None


def cached(font_key: str, make) -> bytes:
    """The compact face of the face ``font_key`` names (``FontFile.key``, which changes with the
    file), from a per-user cache on disk, else ``make()``'s, then stored there.

    Cutting a Noto face takes about a second (0.3 s HarfBuzz, the rest reading its ``locl``);
    reading it back, a few milliseconds.
    """
    name = hashlib.sha1(
        f"{font_key}|{CACHE_VERSION}|{LAYOUT_FEATURES}".encode(), usedforsecurity=False
    ).hexdigest()[:16]
    data = read_cached(f"compact-{name}.otf")
    if data is None:
        data = make()
        store_cached(f"compact-{name}.otf", data)
    return data


def read_cached(name: str) -> bytes | None:
    """A file of the per-user letter-font cache (compact faces, converted outlines), or None."""
    folder = _cache_folder()
    try:
        return (folder / name).read_bytes() if folder else None
    except OSError:
        return None


def store_cached(name: str, data: bytes) -> bool:
    """Keep ``data`` in the per-user letter-font cache, whole or not at all; False when it could
    not be written (which only costs time)."""
    folder = _cache_folder()
    if folder is None:
        return False
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".part-", delete=False) as file:
            file.write(data)
        os.replace(file.name, folder / name)
    except OSError:
        return False
    return True


def _cache_folder() -> Path | None:
    """Our folder in the temporary directory, if it is ours alone (created 0700, our uid)."""
    uid = getattr(os, "getuid", lambda: 0)()
    folder = Path(tempfile.gettempdir()) / f"jianyi-letter-fonts-{uid}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        status = folder.stat()
    except OSError:
        return None
    if hasattr(os, "getuid") and (status.st_uid != uid or status.st_mode & 0o077):
        return None
    return folder


def _ranges(codes) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for code in sorted(codes):
        if runs and runs[-1][1] == code - 1:
            runs[-1] = (runs[-1][0], code)
        else:
            runs.append((code, code))
    return runs


def compact_face(data: bytes, codes=None) -> bytes:
    """The (single) font ``data`` cut to the characters ``codes`` (``common_characters()``),
    glyphs renumbered from 0. Outlines, metrics and the kept layout features are HarfBuzz's
    exact copies; names and other tables stay. Raises ValueError if HarfBuzz fails."""
    libraries = _libraries()
    if libraries is None:
        raise ValueError("HarfBuzz subsetting (libharfbuzz-subset0) is not installed")
    ffi, hb, hb_subset = libraries
    codes = (common_characters() if codes is None else set(codes)) - localized_characters(data)
    with _lock:
        source = ffi.from_buffer(data)  # kept alive until the blob is destroyed
        blob = hb.hb_blob_create(source, len(data), 1, ffi.NULL, ffi.NULL)  # read-only
        face = hb.hb_face_create(blob, 0)
        subset_input = hb_subset.hb_subset_input_create_or_fail()
        result = None
        try:
            if subset_input == ffi.NULL:
                raise ValueError("HarfBuzz could not start a subset")
            unicodes = hb_subset.hb_subset_input_set(subset_input, _SETS_UNICODE)
            for low, high in _ranges(codes):
                hb.hb_set_add_range(unicodes, low, high)
            features = hb_subset.hb_subset_input_set(subset_input, _SETS_LAYOUT_FEATURE_TAG)
            hb.hb_set_clear(features)
            for tag in LAYOUT_FEATURES:
                hb.hb_set_add(features, hb.hb_tag_from_string(tag.encode(), 4))
            hb_subset.hb_subset_input_set_flags(subset_input, _FLAG_NOTDEF_OUTLINE)
            result = hb_subset.hb_subset_or_fail(face, subset_input)
            if result == ffi.NULL:
                raise ValueError("HarfBuzz could not subset the font")
            out_blob = hb.hb_face_reference_blob(result)
            length = ffi.new("unsigned int *")
            pointer = hb.hb_blob_get_data(out_blob, length)
            compacted = bytes(ffi.buffer(pointer, length[0]))
            hb.hb_blob_destroy(out_blob)
        finally:
            if result is not None and result != ffi.NULL:
                hb.hb_face_destroy(result)
            if subset_input != ffi.NULL:
                hb_subset.hb_subset_input_destroy(subset_input)
            hb.hb_face_destroy(face)
            hb.hb_blob_destroy(blob)
    if not compacted:
        raise ValueError("HarfBuzz gave an empty font")
    return with_identity_charset(compacted)


def localized_characters(data: bytes) -> frozenset[int]:
    """The characters the (single) font ``data`` draws otherwise in Simplified Chinese text: the
    inputs of its ``locl`` lookups for the ZHS language system (Noto CJK SC: —, \", ', ‼, ⸺ …)."""
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data), lazy=True)
    if "GSUB" not in font:
        return frozenset()
    table = font["GSUB"].table
    if not (table.ScriptList and table.FeatureList and table.LookupList):
        return frozenset()
    lookups = set()
    for script in table.ScriptList.ScriptRecord:
        for language in script.Script.LangSysRecord:
            if language.LangSysTag.strip() != LANGUAGE_SYSTEM:
                continue
            for index in language.LangSys.FeatureIndex:
                feature = table.FeatureList.FeatureRecord[index]
                if feature.FeatureTag == "locl":
                    lookups.update(feature.Feature.LookupListIndex)
    glyphs = set()
    for index in lookups:
        for subtable in table.LookupList.Lookup[index].SubTable:
            subtable = getattr(subtable, "ExtSubTable", subtable)
            glyphs.update(getattr(subtable, "mapping", None) or ())  # single substitutions
            glyphs.update(getattr(subtable, "alternates", None) or ())
            glyphs.update(getattr(subtable, "ligatures", None) or ())
            glyphs.update(getattr(subtable, "multiple", None) or ())
    if not glyphs:
        return frozenset()
    return frozenset(code for code, name in font.getBestCmap().items() if name in glyphs)


# --- CID numbers ------------------------------------------------------------------------------
# WeasyPrint writes glyph ids into the page as CIDs (Identity-H) and embeds CFF fonts as
# CIDFontType0, where a viewer finds the glyph of a CID through the CFF ``charset``. Noto CJK
# and Fandol number their glyphs so that CID equals glyph id, but HarfBuzz keeps each glyph's
# old CID when it renumbers glyphs: glyph 1000 of the compact face is CID 10063, and a viewer
# that goes by the charset would draw another character. So the compact face gets an identity
# charset (glyph n is CID n), written over the old one in place (it is never shorter).


def _read_index(cff: bytes, at: int) -> tuple[list[bytes], int]:
    """The items of the CFF INDEX at ``at`` and where the next structure starts."""
    count = struct.unpack_from(">H", cff, at)[0]
    if count == 0:
        return [], at + 2
    size = cff[at + 2]
    offsets = [
        int.from_bytes(cff[at + 3 + i * size : at + 3 + (i + 1) * size], "big")
        for i in range(count + 1)
    ]
    data = at + 3 + (count + 1) * size - 1
    return [cff[data + offsets[i] : data + offsets[i + 1]] for i in range(count)], data + offsets[
        -1
    ]


def _dict_operators(data: bytes) -> dict[int, list[float]]:
    """A CFF DICT as {operator: operands} (escaped operators as 1200 + b1)."""
    found: dict[int, list[float]] = {}
    operands: list[float] = []
    i = 0
    while i < len(data):
        b0 = data[i]
        if b0 <= 21:
            if b0 == 12:
                i += 1
                b0 = 1200 + data[i]
            found[b0], operands = operands, []
            i += 1
        elif b0 == 28:
            operands.append(struct.unpack_from(">h", data, i + 1)[0])
            i += 3
        elif b0 == 29:
            operands.append(struct.unpack_from(">i", data, i + 1)[0])
            i += 5
        elif b0 == 30:  # a real number: nibbles up to 0xf; never an offset, skipped
            i += 1
            while data[i] & 0x0F != 0x0F and data[i] >> 4 != 0x0F:
                i += 1
            i += 1
            operands.append(0)
        elif b0 <= 246:
            operands.append(b0 - 139)
            i += 1
        elif b0 <= 250:
            operands.append((b0 - 247) * 256 + data[i + 1] + 108)
            i += 2
        else:
            operands.append(-(b0 - 251) * 256 - data[i + 1] - 108)
            i += 2
    return found


def _charset_length(cff: bytes, at: int, glyphs: int) -> int:
    kind = cff[at]
    if kind == 0:
        return 1 + 2 * (glyphs - 1)
    if kind not in (1, 2):
        raise ValueError(f"unknown CFF charset format {kind}")
    left_size = 1 if kind == 1 else 2
    position, covered = at + 1, 0
    while covered < glyphs - 1:
        left = int.from_bytes(cff[position + 2 : position + 2 + left_size], "big")
        covered += left + 1
        position += 2 + left_size
    return position - at


def with_identity_charset(font: bytes) -> bytes:
    """The OpenType/CFF ``font`` with glyph n as CID n (see above); other fonts as they are."""
    for i in range(struct.unpack_from(">H", font, 4)[0]):
        tag, _, offset, length = struct.unpack_from(">4sLLL", font, 12 + 16 * i)
        if tag == b"CFF ":
            break
    else:
        return font
    cff = bytearray(font[offset : offset + length])
    _, after_names = _read_index(cff, cff[2])
    top_dicts, _ = _read_index(cff, after_names)
    top = _dict_operators(top_dicts[0])
    if 1230 not in top:  # no ROS: not CID-keyed, glyphs are found by name
        return font
    glyphs = struct.unpack_from(">H", cff, int(top[17][0]))[0]
    at = int(top[15][0])
    if glyphs < 2:
        return font
    room = _charset_length(cff, at, glyphs)
    identity = struct.pack(">BHH", 2, 1, glyphs - 2)  # one range: CIDs 1 … glyphs - 1
    if room < len(identity):
        identity = struct.pack(">BHB", 1, 1, glyphs - 2)
        if room < len(identity) or glyphs - 2 > 255:
            raise ValueError("no room for an identity charset")
    cff[at : at + len(identity)] = identity
    # Table checksums are left as they were: FreeType and HarfBuzz do not verify them.
    return font[:offset] + bytes(cff) + font[offset + length :]
