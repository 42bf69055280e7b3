"""The five published seed documents, split into the fields the app stores.

The files in ``seeds/`` are byte-identical copies of ``shared/seeds`` (a test checks this).
Replies and opinions were published with and without their header block; this module reads
whatever a file has (category mark, authority mark, number, signer, title, salutation, body,
signing bureau, date, cc) so the demo data and the letter tests start from the real text.
"""

import datetime
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from replies.letter.data import CcRecipient

SEED_DIR = Path(__file__).resolve().parent / "seeds"

PROPOSAL_176 = "proposal-176-fulei-text.txt"
REPLY_176 = "reply-176-fulei-17th-3rd.txt"
REPLY_366 = "reply-366-cenguojian-18th-2nd-recess.txt"
REPLY_110 = "reply-110-luochong-18th-1st-signed.txt"
OPINION_239 = "cohandling-239-huguofeng-17th-1st.txt"

_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_NUMBER_AND_SIGNER = re.compile(r"^(?P<number>\S+〔\d{4}〕\d+号)\s+签发人：\s*(?P<signer>\S+)$")
_CC = re.compile(r"^抄\s*送：(?P<list>.*?)。?$")


@dataclass(frozen=True)
class SeedLetter:
    """One published reply or co-handling opinion, field by field."""

    file: str
    title: str
    salutation: str
    body: str
    category_mark: str = ""
    authority_mark: str = ""
    document_number: str = ""
    signer: str = ""
    bureau: str = ""
    date: datetime.date | None = None
    cc: tuple[CcRecipient, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class SeedProposal:
    file: str
    reasons: str
    suggestions: str


def read_seed(name: str) -> str:
    return (SEED_DIR / name).read_text(encoding="utf-8")


def _trim_blank_lines(lines: list[str]) -> str:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return "\n".join(lines)


def _parse_cc(text: str) -> tuple[CcRecipient, ...]:
    entries = []
    for part in re.split(r"[，,]", text):
        names = [n for n in part.split("、") if n.strip()]
        # 「潘省办、胡国锋」: people are joined with 、, bodies with ，
        is_person = len(names) > 1
        entries.extend(CcRecipient(n.strip(), is_person) for n in names)
    return tuple(entries)


@cache
def seed_letter(name: str) -> SeedLetter:
    lines = read_seed(name).split("\n")
    fields: dict = {"file": name}
    i = 0
    title_parts: list[str] = []
    # Header block and title: everything up to the salutation line (ends with a full-width colon).
    while i < len(lines):
        text = lines[i].strip()
        i += 1
        if not text:
            continue
        if text.startswith("类别标记："):
            fields["category_mark"] = text.removeprefix("类别标记：").strip()
        elif text.endswith("文件") and not title_parts:
            fields["authority_mark"] = text
        elif match := _NUMBER_AND_SIGNER.match(text):
            fields["document_number"] = match["number"]
            fields["signer"] = match["signer"]
        elif text.endswith("："):
            fields["salutation"] = text
            break
        else:
            title_parts.append(text)
    fields["title"] = "".join(title_parts)

    # Body: up to the signing bureau's line, or to the end for texts published without it.
    body_lines: list[str] = []
    rest = lines[i:]
    closing_at = None
    for j, line in enumerate(rest):
        text = line.strip().strip("\u3000")
        if text.endswith("局") and len(text) <= 20 and not text.endswith("。"):
            closing_at = j
            fields["bureau"] = text
            break
        body_lines.append(line)
    fields["body"] = _trim_blank_lines(body_lines)
    if closing_at is not None:
        for line in rest[closing_at + 1 :]:
            text = line.strip()
            if match := _DATE.match(text):
                fields["date"] = datetime.date(*(int(g) for g in match.groups()))
            elif match := _CC.match(text):
                fields["cc"] = _parse_cc(match["list"])
    return SeedLetter(**fields)


@cache
def seed_proposal(name: str = PROPOSAL_176) -> SeedProposal:
    text = read_seed(name)
    lines = text.split("\n")
    starts = [k for k, line in enumerate(lines) if line.strip() in ("一、事由", "二、建议")]
    reasons_at, suggestions_at = starts
    return SeedProposal(
        file=name,
        reasons=_trim_blank_lines(lines[reasons_at + 1 : suggestions_at]),
        suggestions=_trim_blank_lines(lines[suggestions_at + 1 :]),
    )
