"""What a letter says, as plain data: the renderer's only input.

The models (replies, opinions, signing, numbering) build a ``LetterData``; nothing here knows
about the database, so the layout can be tested and benchmarked from the seed documents alone.
"""

import datetime
from dataclasses import dataclass, field
from typing import Literal

LetterKind = Literal["reply", "opinion"]


@dataclass(frozen=True)
class CcRecipient:
    """One addressee of the cc line (抄送): a body (市科技局) or a person (胡国锋)."""

    name: str
    is_person: bool = False


@dataclass(frozen=True)
class LetterData:
    """A reply (答复) or a co-handling opinion (协办意见), field by field.

    ``body`` is plain text, one paragraph per line; blank lines and the spaces around a line
    (ASCII or U+3000) are ignored: indentation and spacing come from the layout.
    """

    kind: LetterKind
    title: str
    salutation: str
    body: str
    signing_bureau: str = ""
    date: datetime.date | None = None
    # "A".."D" (which marks a session allows is the models' business), replies only: never
    # printed on an opinion.
    category_mark: str = ""
    authority_mark: str = ""  # 发文机关标志, e.g. 慈溪市经济和信息化局文件
    document_number: str = ""  # 发文字号, e.g. 慈经信建〔2022〕3号
    signer: str = ""  # 签发人
    contact_name: str = ""
    contact_phone: str = ""
    disclosure_note: str = ""  # e.g. 此件主动公开
    cc: tuple[CcRecipient, ...] = field(default_factory=tuple)
    # Names the title must never break inside, besides the letter's own bureaus and cc
    # recipients (which it never breaks anyway): other bureaus, places, programmes it mentions.
    title_words: tuple[str, ...] = ()

    def __post_init__(self):
        if self.kind not in ("reply", "opinion"):
            raise ValueError(f"kind must be 'reply' or 'opinion', not {self.kind!r}")
        if not isinstance(self.title_words, tuple):  # a list from a JSON snapshot
            object.__setattr__(self, "title_words", tuple(self.title_words))


def cc_line(cc: tuple[CcRecipient, ...] | list[CcRecipient]) -> str:
    """The recipients as printed after 「抄送：」.

    Bodies are separated by 「，」, consecutive people are joined by 「、」 (as one group),
    and the line ends with 「。」: 市科技局，白沙路街道人大工作委员会，潘省办、胡国锋。
    """
    names = [r.name.strip() for r in cc]
    if not any(names):
        return ""
    text = ""
    previous: CcRecipient | None = None
    for recipient, name in zip(cc, names, strict=True):
        if not name:
            continue
        if previous is not None:
            text += "、" if previous.is_person and recipient.is_person else "，"
        text += name
        previous = recipient
    return text + "。"
