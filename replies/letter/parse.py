"""A published reply or opinion, pasted as plain text, split back into the letter's fields.

The text comes from a government website or a Word file: header block (类别标记, 发文机关标志,
发文字号 and 签发人), title, salutation, body, signing bureau and date, note (联系人, 公开属性), cc
list and the 印发 line, with the website's furniture (来源, 发布时间, 打印本页, breadcrumbs …) around
it. ``parse_letter_text`` places each line it recognises, drops the furniture, and lists every
line it could not place with a reason instead of guessing.

The body is kept as pasted (one paragraph per line, indentation and blank lines included: the
layout ignores them), so a seed document parses to exactly the body the demo data stores.
"""

import datetime
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from proposals.text import heading_level

from .data import CcRecipient, LetterData, LetterKind

# --- what comes out ---------------------------------------------------------------------------


class Line(NamedTuple):
    """One line of the pasted text: its number (from 1), the text as pasted, and why it is listed."""

    number: int
    text: str
    reason: str


# Why a line could not be placed (``ParsedLetter.unplaced``) …
HEADER = "header"  # before the salutation, and neither header field nor title
CLOSING = "closing"  # after the signature, and neither date, note, cc nor 印发 line
NOTE = "note"  # part of a note line (联系人 …) that is neither contact nor disclosure
DUPLICATE = "duplicate"  # a second date, signing bureau, document number, … (the first is kept)
BAD_DATE = "bad-date"  # written as a date, but no such day (2023年2月30日)
# … and why a line was dropped (``ParsedLetter.dropped``).
WEBSITE = "website"  # 来源、发布时间、浏览次数、字号、打印本页、关闭窗口、分享、breadcrumbs
PAGE = "page"  # page numbers and 「此页无正文」 from a Word or PDF copy
REPEATED_TITLE = "repeated-title"  # the page heading repeating the letter's title

REASONS = {
    HEADER: "before the salutation, not a header field or the title",
    CLOSING: "after the signature, not a date, note, cc or 印发 line",
    NOTE: "part of a note that is neither contact nor disclosure",
    DUPLICATE: "a second one; the first is kept",
    BAD_DATE: "not a real date",
    WEBSITE: "website furniture",
    PAGE: "page number or page note",
    REPEATED_TITLE: "the title repeated",
}

Disclosure = str  # "public" | "on_request" | "not_public" | ""


@dataclass(frozen=True)
class ParsedLetter:
    """What the pasted text says, in ``LetterData``'s terms, and what could not be placed."""

    kind: LetterKind = "reply"
    title: str = ""
    salutation: str = ""
    body: str = ""
    signing_bureau: str = ""
    date: datetime.date | None = None
    category_mark: str = ""
    authority_mark: str = ""
    document_number: str = ""
    signer: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    disclosure: Disclosure = ""
    disclosure_note: str = ""  # as written, without its brackets: 此件主动公开
    cc: tuple[CcRecipient, ...] = ()
    printing: str = ""  # the 印发 line (office and date), recognised and left out of the letter
    unplaced: tuple[Line, ...] = ()
    dropped: tuple[Line, ...] = ()

    def letter(self) -> LetterData:
        """The letter as the text has it (an opinion never prints a category mark)."""
        return LetterData(
            kind=self.kind,
            title=self.title,
            salutation=self.salutation,
            body=self.body,
            signing_bureau=self.signing_bureau,
            date=self.date,
            category_mark=self.category_mark if self.kind == "reply" else "",
            authority_mark=self.authority_mark,
            document_number=self.document_number,
            signer=self.signer,
            contact_name=self.contact_name,
            contact_phone=self.contact_phone,
            disclosure_note=self.disclosure_note,
            cc=self.cc,
        )

    def found(self) -> list[tuple[str, object]]:
        """The fields the text had, in the letter's order, as (field name, value)."""
        names = [
            "kind", "category_mark", "authority_mark", "document_number", "signer", "title",
            "salutation", "body", "signing_bureau", "date", "contact_name", "contact_phone",
            "disclosure", "cc", "printing",
        ]
        return [(name, getattr(self, name)) for name in names if getattr(self, name)]


# --- characters and small patterns ------------------------------------------------------------

_SPACE = " \t\u3000"
# Invisible characters a web page or Word leaves in copied text; no-break spaces become spaces so
# the layout's whitespace rule (proposals.text) sees them. Word's manual line and page breaks, and
# Unicode line separators, end a line.
_CLEAN = str.maketrans(
    {"\ufeff": None, "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\xa0": " ",
     "\u2028": "\n", "\u2029": "\n", "\x0b": "\n", "\x0c": "\n"}
)
# Full-width digits and capital letters, as Word's full-width input mode types them.
_FOLD = str.maketrans("０１２３４５６７８９ＡＢＣＤ：", "0123456789ABCD:")

_CJK = "\u4e00-\u9fff"
_OPEN = "〔【[［(（｛{〈<「"
_CLOSE = "〕】]］)）｝}〉>」"
_NUMBER = re.compile(
    rf"(?P<prefix>[{_CJK}]{{1,15}})\s*[{re.escape(_OPEN)}]\s*(?P<year>\d{{4}})\s*"
    rf"[{re.escape(_CLOSE)}]\s*(?P<di>第?)\s*(?P<seq>\d{{1,5}})\s*号"
)
_SIGNER = re.compile(r"签\s*发\s*人\s*:\s*(?P<name>.*)$")
_NUMBER_LABEL = re.compile(r"^(?:发文字号|文号)\s*:\s*")
_CATEGORY = re.compile(r"^(?:类\s*别(?:\s*标\s*记)?\s*:\s*)?[(（\[【]?\s*(?P<mark>[A-D])\s*类?\s*[)）\]】]?$")
_AUTHORITY = re.compile(rf"^[{_CJK}（）()]{{2,30}}文件$")
_ROLE = "代表|委员|同志"
_SALUTATION = re.compile(r"^(?P<to>[^\s:。；;！!？?“”\"《》]{1,60}?):$")
_SALUTATION_AND_TEXT = re.compile(rf"^(?P<to>[^\s:。，,；;！!？?]{{1,40}}(?:{_ROLE})):(?P<rest>\S.*)$")
_LABELS = re.compile(
    r"^(?:签发人|类别|类别标记|来源|信息来源|发布时间|发布日期|抄送|抄报|联系人|联系电话|电话|附件|文号|发文字号"
    r"|索引号|发布机构|主题分类|当前位置|您现在的位置|分享到|关键词|主送|主题词)$"
)
_TITLE_START = ("对", "关于")
_ORG_SUFFIX = re.compile(
    r"(局|办|办公室|委|委员会|政府|中心|院|所|处|室|团|站|部|厅|会|司|公司|集团|街道|镇|乡|署|社|行|馆|组|队)$"
)
_SENTENCE_PUNCT = re.compile(r"[。，,；;！!？?：:、“”\"《》]")

_ZH_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "О": 0, "O": 0, "0": 0}
_ZH_DATE = re.compile(
    r"^(?P<y>[〇零○ОO0一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,2})月"
    r"(?P<d>[一二三四五六七八九十]{1,3})日$"
)
_DATE = re.compile(
    r"^(?P<y>\d{4})\s*(?:年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    r"|[-./](?P<m2>\d{1,2})[-./](?P<d2>\d{1,2}))$"
)
_DATE_INSIDE = re.compile(
    r"(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
    r"|[〇零○ОO一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日)"
)
_CC = re.compile(r"^抄\s*送\s*:\s*(?P<list>.*)$")
_PRINTING = re.compile(rf"^(?P<office>.*?)\s*(?P<date>{_DATE_INSIDE.pattern})\s*印\s*发$")

# Website furniture, matched on the line with its white space removed.
_FURNITURE_LINE = re.compile(
    r"^(?:(?:信息|文章)?来源|(?:发布|发表|更新|生成|成文)(?:时间|日期)|(?:浏览|点击|访问|阅读)(?:次数|量|数)?"
    r"|(?:责任)?编辑|作者|供稿|索引号|发布机构|主题分类|组配分类|体裁分类|服务对象|信息分类|关键词|有效性"
    r"|当前位置|您现在的位置|您当前的位置|你的位置|所在位置|分享到|上一篇|下一篇|上一条|下一条"
    r"|字号|字体):"
)
_FURNITURE_TOKENS = re.compile(
    r"^(?:(?:字号|字体):?(?:大中小|小中大)|打印本页|打印此页|打印正文|打印|关闭窗口|关闭本页|关闭|返回顶部|返回"
    r"|收藏本页|收藏|分享到:?|分享|微信|微博|新浪微博|腾讯微博|QQ空间|QQ|扫一扫|在手机打开当前页|我要纠错|纠错"
    r"|相关链接|附件下载|保存本页|视力保护色|【|】|\[|\]|［|］|\||｜|·|•|/)+$"
)
# 首页 > 政务公开 > …, or any three short parts joined by 「>」.
_BREADCRUMB = re.compile(r"^(?:(?:网站)?首页\s*[>＞»›→/]|[^。，>＞»›]{1,20}(?:[>＞»›][^。，>＞»›]{1,20}){2,}$)")
_PAGE_NUMBER = re.compile(
    r"^(?:[—–\-－─]+\s*\d+\s*[—–\-－─]+|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|[(（]此页无正文[)）])$"
)

# The note (附注) and the disclosure line.
_DISCLOSURES = [
    ("on_request", re.compile(r"依申请(?:予以)?公开")),
    ("not_public", re.compile(r"不予公开|不公开")),
    ("public", re.compile(r"主动公开|公开发布|此件公开|予以公开")),
]
_DISCLOSURE_PIECE = re.compile(
    r"^(?:(?:公开方式|公开属性|公开类型):)?"
    r"(?:(?:此件)?(?:依申请(?:予以)?公开|不予公开|不公开|主动公开|公开发布|予以公开)(?:发布)?|此件公开)$"
)
_CONTACT_AND_PHONE = re.compile(
    r"^联系人及(?:联系)?电话:(?P<name>[^\s,，、]+)[\s,，、]+(?P<phone>[\d\-－—–()（）+/ 转]{5,})$"
)
_CONTACT = re.compile(r"^联系人(?:员)?:(?P<name>[^\d\s,，、()（）]{1,20})(?P<phone>[\d\-－—–()（）+/转]{5,})?$")
_PHONE = re.compile(r"^(?:联系|办公)?电话(?:号码)?:(?P<phone>[\d\-－—–()（）+/、, 转]{5,})$")


def _strip(line: str) -> str:
    return line.strip(_SPACE)


def _key(line: str) -> str:
    """The line for matching: no white space, full-width digits, A–D and colons folded."""
    return re.sub(r"\s+", "", line.translate(_FOLD))


def _furniture(key: str) -> str:
    if not key:
        return ""
    if _PAGE_NUMBER.match(key):
        return PAGE
    if _FURNITURE_LINE.match(key) or _FURNITURE_TOKENS.match(key) or _BREADCRUMB.match(key):
        return WEBSITE
    return ""


def _name(text: str) -> str:
    """A signer's name as typed: 「龚 激 红」 (spread out to fill the line) is 龚激红."""
    parts = text.split()
    return "".join(parts) if all(len(p) == 1 for p in parts) else " ".join(parts)


def parse_date(text: str) -> datetime.date | None | bool:
    """2023年9月12日, 二〇二三年九月十二日 or 2023-09-12 → a date; False when it only looks like
    one (2023年2月30日); None when it is not a date at all."""
    key = _key(text)
    if match := _DATE.match(key):
        month, day = match["m"] or match["m2"], match["d"] or match["d2"]
        numbers = int(match["y"]), int(month), int(day)
    elif match := _ZH_DATE.match(key):
        numbers = (
            int("".join(str(_ZH_DIGITS[c]) for c in match["y"])),
            _zh_number(match["m"]),
            _zh_number(match["d"]),
        )
    else:
        return None
    try:
        return datetime.date(*numbers)
    except ValueError:
        return False


def _zh_number(text: str) -> int:
    """一 … 三十一, as months and days are written."""
    if "十" not in text:
        return _ZH_DIGITS.get(text, 0) if len(text) == 1 else 0
    tens, _, ones = text.partition("十")
    return (_ZH_DIGITS[tens] if tens else 1) * 10 + (_ZH_DIGITS[ones] if ones else 0)


def _document_number(match: re.Match) -> str:
    return f"{match['prefix']}〔{match['year']}〕{match['di']}{int(match['seq'])}号"


def _disclosure(text: str) -> str:
    for value, pattern in _DISCLOSURES:
        if pattern.search(text):
            return value
    return ""


def _org_like(key: str) -> bool:
    return 2 <= len(key) <= 30 and not _SENTENCE_PUNCT.search(key) and not re.search(r"\d", key)


def _is_salutation(key: str) -> bool:
    """罗冲代表：, 马青、周丽等委员：, 市经信局： (a person by role, or a body); never a label
    such as 签发人： or a sentence such as 现答复如下：."""
    match = _SALUTATION.match(key)
    if not match or _LABELS.match(match["to"]):
        return False
    to = match["to"]
    if re.search(rf"(?:{_ROLE})$", to):
        return True
    return "，" not in to and "," not in to and bool(_ORG_SUFFIX.search(to))


def _body_like(key: str) -> bool:
    """A line only the body would have: a heading, a sentence, or a long line."""
    return bool(heading_level(key)) or "。" in key or len(key) > 80


def split_cc(text: str) -> tuple[CcRecipient, ...]:
    """「市科技局，白沙路街道人大工作委员会，潘省办、胡国锋。」: bodies between 「，」, people
    between 「、」 (a group of names joined by 、 is people; a lone name is a body)."""
    entries = []
    for part in re.split(r"[，,；;]", text.strip().rstrip("。.")):
        names = [_key(n) for n in part.split("、") if _key(n)]
        entries += [CcRecipient(n, is_person=len(names) > 1) for n in names]
    return tuple(entries)


# --- the parser -------------------------------------------------------------------------------


@dataclass
class _Found:
    fields: dict = field(default_factory=dict)
    unplaced: list[Line] = field(default_factory=list)
    dropped: list[Line] = field(default_factory=list)
    header_lines: set[int] = field(default_factory=set)  # placed as header fields

    def set(self, name: str, value, line: Line) -> None:
        """Keep the first value of a field; a second one is listed as a duplicate."""
        if name in self.fields:
            self.unplaced.append(line._replace(reason=DUPLICATE))
        else:
            self.fields[name] = value


class _Text:
    """The pasted lines, each as pasted, as matched (``key``), and with single spaces."""

    def __init__(self, text: str):
        text = (text or "").replace("\r\n", "\n").replace("\r", "\n").translate(_CLEAN)
        self.raw = text.split("\n")
        self.keys = [_key(line) for line in self.raw]
        self.spaced = [re.sub(r"\s+", " ", line.translate(_FOLD)).strip() for line in self.raw]
        self.furniture = [_furniture(key) for key in self.keys]

    def __len__(self):
        return len(self.raw)

    def line(self, i: int, reason: str = "") -> Line:
        return Line(i + 1, _strip(self.raw[i]), reason)

    def skip(self, i: int) -> bool:
        return not self.keys[i] or bool(self.furniture[i])


def parse_letter_text(text: str) -> ParsedLetter:
    """The letter's fields from its pasted plain text (see the module docstring)."""
    lines = _Text(text)
    found = _Found()
    found.dropped += [lines.line(i, reason) for i, reason in enumerate(lines.furniture) if reason]

    salutation_at = _find_salutation(lines, found)
    if salutation_at is not None:
        _read_header(lines, salutation_at, found, title_required=False)
        body_from = salutation_at + 1
    else:
        body_from = _read_header(lines, _first_body_like(lines), found, title_required=True)

    closing_at = _find_closing(lines, body_from)
    body = [
        lines.raw[i] for i in range(body_from, closing_at)
        if not lines.furniture[i] and i not in found.header_lines
    ]
    if salutation_at is not None and (rest := _text_after_salutation(lines, salutation_at)):
        body.insert(0, rest)
    found.fields["body"] = _trim_blank_lines(body)
    _read_closing(lines, closing_at, found)

    found.fields["kind"] = _kind(found.fields.get("title", ""), found.fields.get("salutation", ""))
    return ParsedLetter(
        **found.fields,
        unplaced=tuple(sorted(found.unplaced)),
        dropped=tuple(sorted(found.dropped)),
    )


def _trim_blank_lines(lines: list[str]) -> str:
    while lines and not _strip(lines[0]):
        lines = lines[1:]
    while lines and not _strip(lines[-1]):
        lines = lines[:-1]
    return "\n".join(lines)


def _kind(title: str, salutation: str) -> LetterKind:
    """An opinion is titled 关于…的协办意见 and addressed to the lead bureau (市经信局：)."""
    if "协办意见" in title:
        return "opinion"
    to = salutation.rstrip("：")
    if to and not re.search(rf"(?:{_ROLE})$", to) and _ORG_SUFFIX.search(to):
        return "opinion"
    return "reply"


def _first_body_like(lines: _Text) -> int:
    for i, key in enumerate(lines.keys):
        if not lines.skip(i) and _body_like(key) and _header_field(key, lines.spaced[i]) is None:
            return i
    return len(lines)


def _find_salutation(lines: _Text, found: _Found) -> int | None:
    """The first line that addresses someone and ends with a colon (罗冲代表：), before anything
    only a body would have; 「罗冲代表：您在……」 on one line counts too."""
    for i, key in enumerate(lines.keys):
        if lines.skip(i):
            continue
        if _is_salutation(key):
            found.fields["salutation"] = key.replace(":", "：")
            return i
        if match := _SALUTATION_AND_TEXT.match(key):
            found.fields["salutation"] = match["to"] + "："
            return i
        if _body_like(key) and _header_field(key, lines.spaced[i]) is None:
            return None
    return None


def _text_after_salutation(lines: _Text, at: int) -> str:
    if not _SALUTATION_AND_TEXT.match(lines.keys[at]):
        return ""
    raw = lines.raw[at]
    colon = min(p for p in (raw.find("："), raw.find(":")) if p >= 0)
    return raw[colon + 1 :]


def _header_field(key: str, spaced: str) -> dict | None:
    """The fields of a header line (category mark, authority mark, document number, signer; a
    disclosure or contact line from a website's metadata), with ``"rest"`` for what is left;
    None for a line that is none of these (a title line, or something unknown)."""
    if match := _CATEGORY.match(key):
        return {"category_mark": match["mark"]}
    if _AUTHORITY.match(key) and not key.startswith(_TITLE_START):
        return {"authority_mark": key}
    found, rest = {}, spaced
    if match := _NUMBER.search(rest):
        found["document_number"] = _document_number(match)
        rest = rest[: match.start()] + " " + rest[match.end() :]
    if match := _SIGNER.search(rest):
        found["signer"] = _name(match["name"])  # "" when the name is on the next line
        rest = rest[: match.start()]
    rest = _NUMBER_LABEL.sub("", rest.strip()).strip()
    if rest and (match := _CATEGORY.match(_key(rest))):  # 慈经信建〔2022〕3号  A类
        found["category_mark"], rest = match["mark"], ""
    if not found:
        pieces = _note_pieces(spaced)
        if pieces and all(kind for kind, _ in pieces):  # 公开方式：主动公开 in a website's metadata
            return {"note": pieces}
        return None
    if "document_number" in found and len(_key(rest)) > 2:
        return None  # a title citing a document number
    if rest:
        found["rest"] = rest
    return found


def _read_header(lines: _Text, end: int, found: _Found, *, title_required: bool) -> int:
    """Header fields and the title from the lines before ``end`` (the salutation, or the first
    line only a body would have). Returns where the body starts when there is no salutation."""
    runs: list[list[int]] = [[]]  # title candidates: runs of lines between blank lines and fields
    last_field = -1
    signer_next = False
    for i in range(end):
        if not lines.keys[i]:
            runs.append([])
            continue
        if lines.furniture[i]:
            continue
        line = lines.line(i)
        if signer_next:  # 签发人： with the name on the next line
            signer_next = False
            if len(lines.keys[i]) <= 10 and not _SENTENCE_PUNCT.search(lines.keys[i]):
                found.set("signer", _name(lines.spaced[i]), line)
                last_field = i
                found.header_lines.add(i)
                continue
        fields = _header_field(lines.keys[i], lines.spaced[i])
        if fields is None:
            runs[-1].append(i)
            continue
        last_field = i
        found.header_lines.add(i)
        if fields.get("signer") == "":
            del fields["signer"]
            signer_next = True
        if fields.pop("rest", ""):
            found.unplaced.append(lines.line(i, HEADER))
        _set_note_fields(found, fields.pop("note", []), line)
        for name, value in fields.items():
            found.set(name, value, line)
        runs.append([])
    runs = [run for run in runs if run]

    def text(run):
        return "".join(lines.keys[i] for i in run)

    if title_required:
        # No salutation: a title only where a line reads like one (对…/关于…); the lines after it
        # (or after the header fields) are the body's.
        titled = [n for n, run in enumerate(runs) if text(run).startswith(_TITLE_START)]
        if not titled:
            before = [run for run in runs if run[0] < last_field]
            found.unplaced += [lines.line(i, HEADER) for run in before for i in run]
            return last_field + 1
        at = titled[-1]
        title_run, earlier, body_from = runs[at], runs[:at], runs[at][-1] + 1
    else:
        title_run, earlier, body_from = (runs[-1] if runs else []), runs[:-1], end
        # A title wrapped with a blank line in between: 「关于……会议」 / 「第239号建议的协办意见」.
        while (
            earlier and title_run
            and not text(title_run).startswith(_TITLE_START)
            and text(earlier[-1]).startswith(_TITLE_START)
        ):
            title_run = earlier.pop() + title_run
    if not title_run:
        return body_from
    title_run = _without_repeated_title(lines, title_run, found)
    title = text(title_run)
    found.fields["title"] = title
    for run in earlier:
        if text(run) == title:  # the web page's heading
            found.dropped += [lines.line(i, REPEATED_TITLE) for i in run]
        else:
            found.unplaced += [lines.line(i, HEADER) for i in run]
    return body_from


def _without_repeated_title(lines: _Text, run: list[int], found: _Found) -> list[int]:
    """「对…的答复」 twice in a row (the page heading, then the letter) is one title."""

    def text_of(part):
        return [lines.keys[i] for i in part]

    half = len(run) // 2
    if half and len(run) % 2 == 0 and text_of(run[:half]) == text_of(run[half:]):
        found.dropped += [lines.line(i, REPEATED_TITLE) for i in run[:half]]
        return run[half:]
    return run


# --- the closing: signing bureau, date, note, cc, 印发 ------------------------------------------

_CLOSING_TAGS = ("date", "bureau-date", "note", "cc", "printing")


def _note_pieces(spaced: str) -> list[tuple[str, str]] | None:
    """A note line as (kind, value) pieces: kind is contact_name, contact_phone or disclosure, or
    "" for a piece not understood; None when no piece is understood (not a note)."""
    inner = spaced.strip()
    if inner[:1] in "（(" and inner[-1:] in "）)":
        inner = inner[1:-1]
    labels = "(?:联系人|联系电话|电话|办公电话|此件|公开方式|公开属性)"
    pieces = [_key(p) for p in re.split(rf"[；;]|[，,\s]+(?={labels})", inner) if _key(p)]
    result = []
    for piece in pieces:
        piece = piece.rstrip("。.")
        if match := _CONTACT_AND_PHONE.match(piece):
            result += [("contact_name", match["name"]), ("contact_phone", match["phone"])]
        elif match := _CONTACT.match(piece):
            result.append(("contact_name", match["name"]))
            if match["phone"]:
                result.append(("contact_phone", match["phone"]))
        elif match := _PHONE.match(piece):
            result.append(("contact_phone", match["phone"].strip(",、")))
        elif _DISCLOSURE_PIECE.match(piece):
            result.append(("disclosure", piece.rpartition(":")[2]))
        else:
            result.append(("", piece))
    if not any(kind for kind, _ in result):
        return None
    return result


def _set_note_fields(found: _Found, pieces: list[tuple[str, str]], line: Line) -> None:
    """Contact and disclosure from a note's pieces; the disclosure keeps its note as written."""
    for kind, value in pieces:
        if kind == "disclosure":
            if "disclosure" not in found.fields:
                found.fields["disclosure_note"] = value
            found.set("disclosure", _disclosure(value), line)
        elif kind:
            found.set(kind, value, line)


def _tag(key: str, spaced: str) -> str:
    """What a line after the body can be: date, bureau-date (both on one line), note, cc,
    printing (the 印发 line), org (a short name, perhaps the signing bureau), other."""
    if not key:
        return ""
    if parse_date(key) is not None:
        return "date"
    if _CC.match(key):
        return "cc"
    if _PRINTING.match(key):
        return "printing"
    if (match := _DATE_INSIDE.search(key)) and match.end() == len(key) and _org_like(key[: match.start()]):
        return "bureau-date"  # 慈溪市经济和信息化局  2023年9月12日
    if _note_pieces(spaced) is not None:
        return "note"
    if _org_like(key):
        return "org"
    return "other"


def _find_closing(lines: _Text, start: int) -> int:
    """Where the body ends. The signature (the signing bureau above its date, or both on one
    line) and the cc list end it wherever they are: nothing in a body looks like them, and what
    follows them is listed line by line if it is not closing material. A lone date, a note or the
    印发 line ends it only when nothing a body would have follows before the signature (or the
    end of the text)."""
    n = len(lines)
    tags = ["" if lines.skip(i) else _tag(lines.keys[i], lines.spaced[i]) for i in range(n)]
    meaningful = [i for i in range(start, n) if tags[i]]
    strong, weak = [], []
    for k, i in enumerate(meaningful):
        following = tags[meaningful[k + 1]] if k + 1 < len(meaningful) else None
        if tags[i] in ("bureau-date", "cc") or (tags[i] == "org" and following in ("date", "bureau-date")):
            strong.append(i)
        elif tags[i] in _CLOSING_TAGS or (
            tags[i] == "org" and _ORG_SUFFIX.search(lines.keys[i]) and following in (None, *_CLOSING_TAGS)
        ):
            weak.append(i)
    next_body = [n] * (n + 1)  # the first line at or after i that only a body would have
    for i in range(n - 1, start - 1, -1):
        body_like = tags[i] in ("other", "org") and _body_like(lines.keys[i])
        next_body[i] = i if body_like else next_body[i + 1]
    first_strong = strong[0] if strong else n
    for i in weak:
        if i > first_strong:
            break
        if next_body[i + 1] >= first_strong:
            return i
    return first_strong


def _read_closing(lines: _Text, start: int, found: _Found) -> None:
    cc_text, open_cc = None, False
    for i in range(start, len(lines)):
        if lines.skip(i):
            continue
        key, line = lines.keys[i], lines.line(i)
        tag = _tag(key, lines.spaced[i])
        if open_cc and tag in ("other", "org", "note"):  # the cc list wraps onto this line
            cc_text += key
            open_cc = not key.endswith("。")
            continue
        open_cc = False
        if tag in ("date", "bureau-date"):
            match = _DATE_INSIDE.search(key) if tag == "bureau-date" else None
            if match:
                found.set("signing_bureau", key[: match.start()], line)
            date = parse_date(match.group() if match else key)
            if date is False:
                found.unplaced.append(lines.line(i, BAD_DATE))
            else:
                found.set("date", date, line)
        elif tag == "org" and not {"signing_bureau", "date"} & found.fields.keys():
            found.fields["signing_bureau"] = key
        elif tag == "cc" and cc_text is None:
            cc_text = _CC.match(key)["list"]
            open_cc = not key.endswith("。")
        elif tag == "cc":
            found.unplaced.append(lines.line(i, DUPLICATE))
        elif tag == "printing":
            match = _PRINTING.match(key)
            found.set("printing", f"{match['office']} {match['date']}印发".strip(), line)
        elif tag == "note":
            pieces = _note_pieces(lines.spaced[i])
            _set_note_fields(found, pieces, line)
            if not all(kind for kind, _ in pieces):
                found.unplaced.append(lines.line(i, NOTE))
        else:
            found.unplaced.append(lines.line(i, CLOSING))
    if cc_text is not None:
        found.fields["cc"] = split_cc(cc_text)
