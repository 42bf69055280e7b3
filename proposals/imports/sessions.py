"""A session named the way a clerk types it: 18-2, 18/2, 十八届二次, 市十八届人大二次会议,
十三届政协二次. The body (人大 / 政协) is needed only when both have that term and number."""

import re

from django.utils.translation import gettext as _

from ..models import Session

_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
_NUMBER = r"([0-9]{1,2}|[零一二三四五六七八九十]{1,3})"
_FORMS = [
    re.compile(rf"^{_NUMBER}\s*[-/.．、]\s*{_NUMBER}$"),
    re.compile(rf"^市?第?{_NUMBER}届(人大|政协)?(?:第)?{_NUMBER}次(?:会议)?$"),
]
BODIES = {"npc": Session.Body.PEOPLES_CONGRESS, "cppcc": Session.Body.CPPCC, "人大": Session.Body.PEOPLES_CONGRESS,
          "政协": Session.Body.CPPCC}


def _number(text: str) -> int:
    if text.isascii():
        return int(text)
    if "十" not in text:
        return _DIGITS[text] if len(text) == 1 else -1
    tens, _sep, ones = text.partition("十")
    return (_DIGITS.get(tens, -1) if tens else 1) * 10 + (_DIGITS.get(ones, -100) if ones else 0)


def session_find(text: str, body: str = "") -> Session:
    """The session ``text`` names; ValueError (in Chinese) when none or more than one does."""
    cleaned = re.sub(r"\s+", "", text or "")
    for form in _FORMS:
        found = form.match(cleaned)
        if found:
            break
    else:
        raise ValueError(_("无法识别会议「%(text)s」，请写成 18-2 或「十八届二次」。") % {"text": text})
    groups = [g for g in found.groups()]
    written_body = groups[1] if len(groups) == 3 else None
    term, number = _number(groups[0]), _number(groups[-1])
    if not (1 <= term <= 99 and 1 <= number <= 99):
        raise ValueError(_("无法识别会议「%(text)s」，请写成 18-2 或「十八届二次」。") % {"text": text})
    sessions = Session.objects.filter(term=term, number=number)
    for wanted in (body, written_body):
        if wanted:
            if wanted not in BODIES:
                raise ValueError(_("机构应为 npc（人大）或 cppcc（政协），不是「%(b)s」。") % {"b": wanted})
            sessions = sessions.filter(body=BODIES[wanted])
    found_sessions = list(sessions)
    if not found_sessions:
        raise ValueError(_("没有第%(term)s届第%(number)s次会议。") % {"term": term, "number": number})
    if len(found_sessions) > 1:
        names = "、".join(s.name for s in found_sessions)
        raise ValueError(_("「%(text)s」可指%(names)s，请用 --body npc 或 --body cppcc 指明。") % {"text": text, "names": names})
    return found_sessions[0]
