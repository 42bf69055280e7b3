"""Where a line of a title may break: between words, never inside one (GB/T 9704 7.3.1 词意完整).

Words come from the jieba segmenter (dictionary only, no HMM guessing: an unknown place name
falls apart into single characters, which the rules below glue back together). On top of the
segmentation some words are fixed and never split, whatever jieba makes of them: session names
(市十八届人大一次会议, 市十三届政协二次会议), 人大 and 政协, numbers with their unit (2019年,
3000万元, 第110号, 〔2022〕3号) and the names the caller passes (bureaus, cc recipients).

The caller's words are matched in the text, never added to jieba's dictionary: the dictionary
is shared by the whole process, and a word added for one letter would change how the next one
breaks. For the same reason the letter has its own ``jieba.Tokenizer``, which no other code
can add words to.
"""

import logging
import os
import re
import tempfile
import threading
import warnings
from collections.abc import Iterable

# How bad a break is: tiers are tried in turn (a title uses tier-2 breaks only when no layout
# with tier-1 breaks exists), penalties rank the breaks of a tier.
BETWEEN_WORDS = 1
WEAK = 2  # next to a single character that probably belongs to its neighbour (补短/板, 观海/卫/镇)
INSIDE_WORD = 3  # inside a word or a fixed word: a last resort
GOOD_BREAK = 0.0  # after 的 or 会议, before 关于 or 第, at a comma
PLAIN_BREAK = 12.0  # words stay whole, but a phrase boundary is better
BAD_BREAK = 30.0  # a line ending in a preposition, away from its object (…提案关于)

NO_BREAK_BEFORE = set("，。、；：？！）》」』”’…—·%％〕］】")
NO_BREAK_AFTER = set("（《「『“‘〔［【")
_GOOD_AFTER = ("会议", "的", "、", "，", "；", "：")
_GOOD_BEFORE = ("关于", "第", "对")
_BAD_AFTER = ("关于", "对于", "围绕", "按照", "根据", "对", "在", "为", "把", "将", "从", "向")
# Single-character words that stand on their own: a line may end or start next to them.
FUNCTION_WORDS = set(
    "的地得了着过和与及或并而且对在为向从由把被将以于之等其给跟同按即则也还又再都就更"
)
# Single characters jieba leaves alone that belong to the word before them (第239/号,
# 计划/中, 白沙/路) or to the one after them (第/3, 全/市); any other one sticks to both sides.
GLUE_LEFT = set(
    "号届次年月日局委办处厅科所站院馆市县区镇乡村路街巷省元项件条家户批期中上下内外里间后时性化型式率者员"
)
GLUE_RIGHT = set("第副总各每全本该非超")
# A place name ends in one of these; the (at most two) words before it belong to the name:
# 宁波/前湾/新区, 慈溪市/杭州湾/新区, 白沙/路/街道.
PLACE_SUFFIXES = {"新区", "街道", "社区", "开发区", "园区", "新城", "高新区", "镇", "乡", "村"}

_HAN_NUMERALS = "一二三四五六七八九十百千万零〇两"
_SESSION = re.compile(
    rf"[省市县区]?(?:第?[{_HAN_NUMERALS}]+届(?:人大|政协|人民代表大会)(?:常委会)?"
    rf"|(?:人大|政协)(?:常委会)?[{_HAN_NUMERALS}]+届)"
    rf"(?:第?[{_HAN_NUMERALS}]+次(?:全体)?会议)?"
)
_UNIT = (
    r"(?:[万亿千百]?(?:元|美元|平方米|平方公里|公里|千米|米|吨|千瓦|人次|人|户|家|个|项|件|条"
    r"|所|座|台|辆|套|亩|公顷|岁)|周年|年度|年|个月|月|日|号|届|次|期|批|%|％|[万亿千百])"
)
_FIXED_PATTERNS = (
    _SESSION,
    re.compile(r"\d{4}年\d{1,2}月(?:\d{1,2}日)?"),  # a date
    re.compile(r"〔\d{4}〕\d+号"),  # a document number's year and number
    re.compile(rf"第?\d+(?:[.．]\d+)?(?:[-－—–~～至]\d+(?:[.．]\d+)?)?{_UNIT}?"),
    re.compile(rf"第[{_HAN_NUMERALS}]+{_UNIT}?|[{_HAN_NUMERALS}]+{_UNIT}"),
)
FIXED_WORDS = ("人大常委会", "人大代表", "政协委员", "人大", "政协")


# --- jieba, once per process ------------------------------------------------------------------

_lock = threading.Lock()
_tokenizer = None


def tokenizer():
    """The letter's jieba tokenizer, loaded on first use (about 0.6 s), quietly.

    jieba logs its progress to stderr and caches its dictionary in a file; the cache goes to a
    folder of this user's under the temp dir (never the working directory or the repository).
    """
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                with warnings.catch_warnings():  # jieba may import pkg_resources (deprecated)
                    warnings.simplefilter("ignore")
                    import jieba
                logging.getLogger("jieba").setLevel(logging.WARNING)
                segmenter = jieba.Tokenizer()
                segmenter.tmp_dir = _cache_dir()
                segmenter.initialize()
                _tokenizer = segmenter
    return _tokenizer


def _cache_dir() -> str:
    uid = getattr(os, "getuid", lambda: 0)()
    path = os.path.join(tempfile.gettempdir(), f"jianyi-jieba-{uid}")
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return tempfile.mkdtemp(prefix="jianyi-jieba-")
    # A folder another user made (a shared /tmp) could hold a planted cache: use a fresh one.
    if not os.path.isdir(path) or os.stat(path).st_uid != uid:
        return tempfile.mkdtemp(prefix="jianyi-jieba-")
    return path


def segment(text: str) -> list[str]:
    """The words of ``text`` by jieba's dictionary (no HMM: unknown words fall into characters)."""
    return list(tokenizer().cut(text, HMM=False))


# --- breaks -----------------------------------------------------------------------------------


def fixed_spans(text: str, words: Iterable[str] = ()) -> list[tuple[int, int]]:
    """(start, end) of every fixed word in ``text``: the patterns, FIXED_WORDS and ``words``."""
    spans = []
    for pattern in _FIXED_PATTERNS:
        spans += [m.span() for m in pattern.finditer(text) if m.end() - m.start() > 1]
    for word in {*FIXED_WORDS, *(w.strip() for w in words)}:
        if len(word) < 2:
            continue
        start = text.find(word)
        while start != -1:
            spans.append((start, start + len(word)))
            start = text.find(word, start + 1)
    return sorted(spans)


def _is_free(word: str) -> bool:
    """A word a neighbour need not stick to: a function word, punctuation, white space."""
    return word in FUNCTION_WORDS or not any(c.isalnum() for c in word)


def title_breaks(text: str, words: Iterable[str] = ()) -> dict[int, tuple[int, float]]:
    """Where ``text`` may break, as {offset: (tier, penalty)}: offset ``i`` breaks between
    ``text[i-1]`` and ``text[i]``. Offsets missing never break (before a closing bracket or
    comma, after an opening one, inside a Latin word or number)."""
    tokens = segment(text)
    starts = [0]
    for token in tokens:
        starts.append(starts[-1] + len(token))
    tier = dict.fromkeys(range(1, len(text)), INSIDE_WORD)
    for k in range(1, len(tokens)):
        tier[starts[k]] = BETWEEN_WORDS
    # A single character jieba could not join to a word sticks to its neighbours (unless they
    # are free themselves): 补短/板/和 keeps 补短板, 观海/卫/镇 and 周/巷/镇 stay whole.
    for k, token in enumerate(tokens):
        if len(token) != 1 or _is_free(token):
            continue
        if k > 0 and token not in GLUE_RIGHT and not _is_free(tokens[k - 1]):
            tier[starts[k]] = max(tier[starts[k]], WEAK)
        if k + 1 < len(tokens) and token not in GLUE_LEFT and not _is_free(tokens[k + 1]):
            tier[starts[k + 1]] = max(tier[starts[k + 1]], WEAK)
    # A place name: its suffix and the words before it, up to a free word (宁波/前湾/新区).
    for k, token in enumerate(tokens):
        if token not in PLACE_SUFFIXES:
            continue
        j = k
        while j > 0 and k - j < 2 and not _is_free(tokens[j - 1]) and len(tokens[j - 1]) <= 3:
            tier[starts[j]] = max(tier[starts[j]], WEAK)
            j -= 1
    for start, end in fixed_spans(text, words):
        for i in range(start + 1, end):
            tier[i] = INSIDE_WORD

    breaks = {}
    for i, level in tier.items():
        before, after = text[i - 1], text[i]
        if after in NO_BREAK_BEFORE or before in NO_BREAK_AFTER:
            continue
        if before.isascii() and after.isascii() and before.isalnum() and after.isalnum():
            continue
        if text[:i].endswith(_BAD_AFTER) and not text[:i].endswith(_GOOD_AFTER):
            penalty = BAD_BREAK
        elif text[:i].endswith(_GOOD_AFTER) or text[i:].startswith(_GOOD_BEFORE):
            penalty = GOOD_BREAK
        else:
            penalty = PLAIN_BREAK
        breaks[i] = (level, penalty)
    return breaks
