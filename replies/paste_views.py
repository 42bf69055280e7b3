"""Paste a published reply into the draft form: the text is parsed into the draft's fields and
shown for review on the draft page, never saved here. The clerk checks it and saves as usual."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.roles import roles_of
from proposals.models import Assignment
from proposals.numerals import chinese_date
from proposals.selectors import assignment_get_visible
from proposals.states import AssignmentState

from . import drafts
from .forms import ReplyDraftForm
from .letter import cc_line
from .letter.parse import (
    BAD_DATE,
    CLOSING,
    DUPLICATE,
    HEADER,
    NOTE,
    PAGE,
    REPEATED_TITLE,
    WEBSITE,
    ParsedLetter,
    parse_letter_text,
)
from .models import Reply
from .models.documents import salutation_options
from .selectors import current_reply, last_return

PASTE_MAX_LENGTH = 100_000
PASTE_FIELD = "pasted_text"

REASON_LABELS = {
    HEADER: gettext_lazy("标题前无法识别的内容"),
    CLOSING: gettext_lazy("落款后无法识别的内容"),
    NOTE: gettext_lazy("附注中无法识别的部分"),
    DUPLICATE: gettext_lazy("重复出现，已保留第一处"),
    BAD_DATE: gettext_lazy("日期不存在"),
    WEBSITE: gettext_lazy("网页附带内容"),
    PAGE: gettext_lazy("页码或页面说明"),
    REPEATED_TITLE: gettext_lazy("重复的标题"),
}

FIELD_LABELS = {
    "kind": gettext_lazy("文种"),
    "category_mark": gettext_lazy("类别标记"),
    "authority_mark": gettext_lazy("发文机关标志"),
    "document_number": gettext_lazy("发文字号"),
    "signer": gettext_lazy("签发人"),
    "title": gettext_lazy("标题"),
    "salutation": gettext_lazy("称呼"),
    "body": gettext_lazy("正文"),
    "signing_bureau": gettext_lazy("落款"),
    "date": gettext_lazy("成文日期"),
    "contact_name": gettext_lazy("联系人"),
    "contact_phone": gettext_lazy("联系电话"),
    "disclosure": gettext_lazy("公开属性"),
    "cc": gettext_lazy("抄送"),
    "printing": gettext_lazy("印发机关和日期（不排入答复）"),
}

UNPLACED_SHOWN = 20  # in the message; the page lists them all


class PasteForm(forms.Form):
    pasted_text = forms.CharField(
        strip=False,
        max_length=PASTE_MAX_LENGTH,
        error_messages={
            "required": gettext_lazy("请先粘贴答复全文。"),
            "max_length": gettext_lazy(
                "粘贴的文本不能超过 %(limit_value)s 字（现有 %(show_value)s 字）。"
            ),
        },
    )


def _editable_reply(user, assignment: Assignment):
    """The same rule as the draft page: the lead bureau's own people, while it is drafting."""
    if assignment.role != Assignment.Role.LEAD:
        raise PermissionDenied(_("此交办不需要这类稿件。"))
    if not roles_of(user).works_for(assignment.bureau_id):
        raise PermissionDenied(_("只有承办单位可以起草此稿。"))
    reply = current_reply(assignment)
    if reply is None or assignment.state != AssignmentState.DRAFTING:
        return None
    return reply


@login_required
@require_POST
def reply_paste(request, pk):
    assignment = assignment_get_visible(request.user, pk)
    reply = _editable_reply(request.user, assignment)
    if reply is None:
        messages.error(request, _("当前状态为「%(state)s」，不能修改答复稿。") % {"state": assignment.get_state_display()})
        return redirect("proposal-detail", pk=assignment.proposal_id)
    if PASTE_FIELD not in request.POST:
        # The draft form on this page has no action of its own, so 保存草稿 posts here: hand the
        # very same POST on to the draft page (307 keeps the method and the body).
        response = redirect("reply-edit", pk=assignment.pk)
        response.status_code = 307
        return response

    marks = assignment.proposal.session.category_marks
    salutations = drafts.addressed_to_choices(reply)
    paste_form = PasteForm(request.POST)
    stored = _stored_fields(reply)
    context = {"paste_open": True}
    if not paste_form.is_valid():  # empty or too long (not sent back: a clean paste is easier)
        for errors in paste_form.errors.values():
            for error in errors:
                messages.error(request, error)
        form = ReplyDraftForm(initial=stored, marks=marks, addressed_to_choices=salutations)
    else:
        parsed = parse_letter_text(paste_form.cleaned_data[PASTE_FIELD])
        if not parsed.body.strip():
            messages.error(request, _("未能从粘贴的文本中找到正文，草稿未改动。请检查粘贴的内容。"))
            context["paste_text"] = paste_form.cleaned_data[PASTE_FIELD]
            form = ReplyDraftForm(initial=stored, marks=marks, addressed_to_choices=salutations)
        else:
            data, filled = _filled_fields(parsed, stored, marks, request, salutation_options(assignment.proposal))
            form = ReplyDraftForm(data, marks=marks, addressed_to_choices=salutations)
            _report(request, parsed, filled, reply, assignment)
            context["paste_report"] = _report_rows(parsed)
    return render(request, "replies/reply_form.html", {
        "form": form, "assignment": assignment, "reply": reply, "conflict": None,
        "conflict_cc": "", "last_return": last_return(assignment), **context,
    })


def _stored_fields(reply: Reply) -> dict:
    return {
        "version": reply.version, "addressed_to": reply.addressed_to, "body": reply.body,
        "category_mark": reply.category_mark,
        "disclosure": reply.disclosure, "contact_name": reply.contact_name,
        "contact_phone": reply.contact_phone,
        "cc_text": "\n".join(reply.cc.values_list("name", flat=True)),
    }


def _filled_fields(parsed: ParsedLetter, stored: dict, marks: str, request, salutations: dict) -> tuple[dict, list[str]]:
    """The draft form's data (what the text has, else what the draft already says) and the names
    of the fields the text filled. A pasted salutation the proposal allows (「罗冲、潘省办代表：」)
    chooses that form of address."""
    data = dict(stored, body=parsed.body)
    filled = ["body"]
    chosen = next((key for key, text in salutations.items() if text == parsed.salutation), None)
    if chosen:
        data["addressed_to"] = chosen
        filled.append("salutation")
    if parsed.category_mark and parsed.kind == "reply":
        if parsed.category_mark in marks:
            data["category_mark"] = parsed.category_mark
            filled.append("category_mark")
        else:
            messages.warning(request, _("粘贴文本的类别标记「%(mark)s」不是本次会议可用的标记（%(marks)s），未填入。")
                             % {"mark": parsed.category_mark, "marks": "、".join(marks)})
    for name in ("disclosure", "contact_name", "contact_phone"):
        if getattr(parsed, name):
            data[name] = getattr(parsed, name)
            filled.append(name)
    if parsed.cc:
        data["cc_text"] = "\n".join(recipient.name for recipient in parsed.cc)
        filled.append("cc")
    return data, filled


def _show(name: str, value) -> str:
    if name == "kind":
        return _("协办意见") if value == "opinion" else _("答复")
    if name == "body":
        count = sum(1 for line in value.split("\n") if line.strip(" \t\u3000"))
        return _("%(n)s 段") % {"n": count}
    if name == "date":
        return chinese_date(value)
    if name == "cc":
        return cc_line(value)
    if name == "disclosure":
        return str(Reply.Disclosure(value).label)
    return str(value)


def _report_rows(parsed: ParsedLetter) -> dict:
    """What the page lists under the paste form: every field found, every line not placed."""
    return {
        "found": [(FIELD_LABELS[name], _show(name, value)) for name, value in parsed.found() if name != "kind"],
        "unplaced": [(line.number, line.text, REASON_LABELS[line.reason]) for line in parsed.unplaced],
        "dropped": [(line.number, line.text, REASON_LABELS[line.reason]) for line in parsed.dropped],
        "is_opinion": parsed.kind == "opinion",
    }


def _report(request, parsed: ParsedLetter, filled: list[str], reply: Reply, assignment: Assignment) -> None:
    """The messages: what was filled in, what could not be placed, and what the system prints
    itself instead of the pasted text's own header, salutation and signature."""
    found = "、".join(
        f"{FIELD_LABELS[name]}（{_show(name, value)}）" if name == "body" else str(FIELD_LABELS[name])
        for name, value in parsed.found() if name != "kind"
    )
    messages.success(request, _("已识别：%(found)s。已填入草稿：%(filled)s。尚未保存，请核对后点击「保存草稿」。")
                     % {"found": found, "filled": "、".join(str(FIELD_LABELS[name]) for name in filled)})
    if parsed.kind == "opinion":
        messages.warning(request, _("粘贴的文本像是协办意见，不是给代表的答复，请确认。"))
    if parsed.unplaced:
        shown = "；".join(
            _("第%(n)s行「%(text)s」（%(reason)s）")
            % {"n": line.number, "text": _clip(line.text), "reason": REASON_LABELS[line.reason]}
            for line in parsed.unplaced[:UNPLACED_SHOWN]
        )
        more = len(parsed.unplaced) - UNPLACED_SHOWN
        if more > 0:
            shown += _("；另有 %(n)s 行") % {"n": more}
        messages.warning(request, _("以下 %(n)s 行未能识别，没有填入：%(lines)s。")
                         % {"n": len(parsed.unplaced), "lines": shown})
    for difference in _differences(parsed, reply, assignment):
        messages.info(request, difference)


def _clip(text: str, length: int = 40) -> str:
    return text if len(text) <= length else text[:length] + "…"


def _differences(parsed: ParsedLetter, reply: Reply, assignment: Assignment) -> list[str]:
    """Fields of the pasted letter the system prints from its own records instead."""
    found = []

    def differs(pasted, system, message):
        if pasted and pasted != system:
            found.append(message % {"pasted": pasted, "system": system})

    differs(parsed.title, reply.title, _("粘贴文本的标题「%(pasted)s」与系统生成的「%(system)s」不同；标题由系统生成，打印时以系统为准。"))
    if parsed.salutation not in salutation_options(assignment.proposal).values():
        differs(parsed.salutation, reply.salutation, _("粘贴文本的称呼「%(pasted)s」与系统生成的「%(system)s」不同；称呼由系统生成，打印时以系统为准。"))
    if parsed.document_number and parsed.document_number != reply.document_number:
        found.append(_("粘贴文本的发文字号「%(pasted)s」不会沿用；发文字号在签发时由系统编号。") % {"pasted": parsed.document_number})
    if parsed.signer:
        found.append(_("粘贴文本的签发人「%(pasted)s」不会沿用；签发人是签发此稿的领导，签发时由系统填入。") % {"pasted": parsed.signer})
    differs(parsed.authority_mark, f"{assignment.bureau.name}文件", _("粘贴文本的发文机关标志「%(pasted)s」与系统的「%(system)s」不同；发文机关标志由系统按本单位名称排版。"))
    differs(parsed.signing_bureau, assignment.bureau.name, _("粘贴文本的落款「%(pasted)s」与本单位「%(system)s」不同；落款由系统填入。"))
    if parsed.date:
        found.append(_("粘贴文本的成文日期 %(pasted)s 不会沿用；成文日期是签发日期，签发时由系统填入。") % {"pasted": chinese_date(parsed.date)})
    return found
