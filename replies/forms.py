from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CoHandlingOpinion, Reply

BODY_MAX = 60000


class ReplyDraftForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    cc_text = forms.CharField(
        label=_("抄送"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("每行一个抄送对象，按打印顺序排列；签发后不能再改。"),
    )

    class Meta:
        model = Reply
        fields = ["body", "category_mark", "disclosure", "contact_name", "contact_phone"]
        widgets = {"body": forms.Textarea(attrs={"rows": 24, "class": "letter-input"})}
        help_texts = {
            "body": _("纯文本，每段一行。以「一、」「（一）」「1.」「（1）」开头的行是各级标题。"),
        }

    def __init__(self, *args, marks="ABCD", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].max_length = BODY_MAX
        self.fields["category_mark"] = forms.ChoiceField(
            label=_("类别标记"), required=False,
            choices=[("", "—")] + [(m, m) for m in marks],
            help_text=_("A 已解决或基本解决；B 正在解决或列入计划；C 因条件限制暂不能解决；D 留作参考。"),
        )


class OpinionDraftForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = CoHandlingOpinion
        fields = ["title", "body", "contact_name", "contact_phone"]
        widgets = {"body": forms.Textarea(attrs={"rows": 20, "class": "letter-input"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].max_length = BODY_MAX
