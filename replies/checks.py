"""Start-up checks for the official letter: fonts that print Chinese, and fast font subsetting.

A PDF whose Chinese text comes out as empty boxes, or a render that takes 10 s instead of
0.5 s, must be found when the app starts (``manage.py check``, runserver, migrate, the worker's
``django.setup()``), not by a deputy reading the reply.
"""

from django.core.checks import Error, Tags, Warning, register

from replies.letter import fonts

# The names WeasyPrint's own loader (weasyprint.text.ffi) tries, in its order.
HARFBUZZ_SUBSET_NAMES = (
    "libharfbuzz-subset-0",
    "harfbuzz-subset",
    "harfbuzz-subset-0.0",
    "libharfbuzz-subset.so.0",
    "libharfbuzz-subset.0.dylib",
    "libharfbuzz-subset-0.dll",
)
HARFBUZZ_NAMES = (
    "libharfbuzz-0",
    "harfbuzz",
    "harfbuzz-0.0",
    "libharfbuzz.so.0",
    "libharfbuzz.0.dylib",
    "libharfbuzz-0.dll",
)


def _load(names):
    import ctypes

    for name in names:
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    return None


def harfbuzz_subset_available() -> bool:
    """Whether WeasyPrint can subset fonts with HarfBuzz (libharfbuzz-subset0, HarfBuzz >= 4.1).

    Checked with ctypes, as WeasyPrint loads it, so that ``manage.py`` commands do not pay for
    importing WeasyPrint.
    """
    subset, harfbuzz = _load(HARFBUZZ_SUBSET_NAMES), _load(HARFBUZZ_NAMES)
    if subset is None or harfbuzz is None:
        return False
    try:
        return bool(harfbuzz.hb_version_atleast(4, 1, 0))
    except AttributeError:
        return False


@register(Tags.compatibility)
def check_letter_fonts(app_configs=None, **kwargs):
    errors = []
    for role in fonts.missing_roles():
        errors.append(
            Error(
                f"No font that can print Chinese was found for the letter's "
                f"{fonts.ROLE_NAMES[role]} ({role}) text.",
                hint=(
                    "Install the Debian packages fonts-noto-cjk, fonts-noto-cjk-extra and "
                    "texlive-lang-chinese, or put a licensed font in LETTER_FONT_DIR "
                    f"(recognised names: {', '.join(fonts.LICENSED_FILE_NAMES[role][:4])}, …)."
                ),
                id="replies.E001",
            )
        )
    return errors


@register(Tags.compatibility)
def check_font_subsetting(app_configs=None, **kwargs):
    if harfbuzz_subset_available():
        return []
    return [
        Warning(
            "HarfBuzz's subsetting library is not available: WeasyPrint falls back to "
            "fontTools and every letter PDF takes about 20 times longer (10-13 s instead of "
            "0.3-0.6 s).",
            hint="Install the Debian package libharfbuzz-subset0.",
            id="replies.W001",
        )
    ]


@register(Tags.compatibility)
def check_rare_character_font(app_configs=None, **kwargs):
    if fonts.extension_font() is not None:
        return []
    return [
        Warning(
            "No font for the ideographs beyond Noto CJK (CJK Extension B-F, such as 𠀀 in a "
            "name) was found: letters cannot print them.",
            hint="Install the Debian package fonts-hanazono.",
            id="replies.W002",
        )
    ]
