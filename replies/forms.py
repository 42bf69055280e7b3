"""Draft forms. Plain forms, not model forms: a draft is saved by its service with optimistic
locking, so validation never runs against a model instance. Each limit is declared on its field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Deputy

from .drafts import BODY_MAX_LENGTH
from .letter import punctuation
from .models import CoHandlingOpinion, Reply, Satisfaction


def _model_field(model, name):
    """The form field the model declares (label, max length, choices)."""
    return model._meta.get_field(name).formfield()


def _body(rows: int, help_text="") -> forms.CharField:
    return forms.CharField(
        label=_("正文"), required=False, max_length=BODY_MAX_LENGTH, help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "class": "letter-input"}),
    )


class ReplyDraftForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    addressed_to = forms.ChoiceField(
        label=_("称呼"), required=False, choices=(), widget=forms.RadioSelect,
        help_text=_("默认只称领衔人；联名的可列出全部联名人（不超过15人）或称「甲、乙等」。签发后不能再改。"),
    )
    body = _body(24, _("纯文本，每段一行。以「一、」「（一）」「1.」「（1）」开头的行是各级标题。"))
    category_mark = forms.ChoiceField(
        label=_("类别标记"), required=False, choices=(),
        help_text=_("A 已解决或基本解决；B 正在解决或列入计划；C 因条件限制暂不能解决；D 留作参考。"),
    )
    disclosure = _model_field(Reply, "disclosure")
    contact_name = _model_field(Reply, "contact_name")
    contact_phone = _model_field(Reply, "contact_phone")
    cc_text = forms.CharField(
        label=_("抄送"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("每行一个抄送对象，按打印顺序排列；签发后不能再改。"),
    )

    def __init__(self, *args, marks="ABCD", addressed_to_choices=None, **kwargs):
        """``addressed_to_choices``: the salutations the reply may print
        (``drafts.addressed_to_choices``); without them the form leaves the salutation alone."""
        super().__init__(*args, **kwargs)
        self.fields["category_mark"].choices = [("", "—")] + [(m, m) for m in marks]
        if addressed_to_choices:
            self.fields["addressed_to"].choices = addressed_to_choices
        else:
            del self.fields["addressed_to"]

    def body_text(self) -> str:
        """The body as the form shows it: as typed (bound) or as stored (initial)."""
        if self.is_bound:
            return self.data.get("body", "")
        return self.initial.get("body", "")

    def half_width_places(self) -> list[punctuation.Place]:
        """Half-width punctuation between Chinese characters in the body (shown while drafting)."""
        return punctuation.half_width_places(self.body_text())


class OpinionDraftForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    title = _model_field(CoHandlingOpinion, "title")
    body = _body(20)
    contact_name = _model_field(CoHandlingOpinion, "contact_name")
    contact_phone = _model_field(CoHandlingOpinion, "contact_phone")


def _satisfaction(label):
    return forms.ChoiceField(label=label, choices=Satisfaction.choices, widget=forms.RadioSelect)


class EvaluationForm(forms.Form):
    work = _satisfaction(_("对办理工作（沟通联系、办理态度）"))
    result = _satisfaction(_("对办理结果"))
    comment = forms.CharField(
        label=_("意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("选择「不满意」时必填：写明不满意之处，承办单位将据此重新办理。"),
    )


class PaperEvaluationForm(EvaluationForm):
    deputy = forms.ModelChoiceField(label=_("代表"), queryset=Deputy.objects.none())
    scan = forms.FileField(label=_("测评表扫描件"), help_text=_("代表签字的测评表，PDF、JPG 或 PNG，不超过 10 MB。"))

    field_order = ["deputy", "work", "result", "comment", "scan"]

    def __init__(self, *args, deputies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = Deputy.objects.filter(pk__in=[d.pk for d in deputies])


class CorrectionForm(EvaluationForm):
    reason = forms.CharField(label=_("更正原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
