from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Deputy, Organization

from .models import Consultation, Proposal

NOTE_MAX = 2000


class ProposalForm(forms.ModelForm):
    class Meta:
        model = Proposal
        fields = [
            "session", "number", "title", "lead_deputy", "co_signers", "timing", "category",
            "key_supervised", "supervising_leader", "received_on", "reasons", "suggestions",
        ]
        widgets = {
            # ISO dates: what <input type=date> needs whatever the interface language.
            "received_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "reasons": forms.Textarea(attrs={"rows": 8}),
            "suggestions": forms.Textarea(attrs={"rows": 8}),
            "co_signers": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reasons"].required = True
        self.fields["suggestions"].required = True
        self.fields["lead_deputy"].queryset = Deputy.objects.select_related("delegation")
        self.fields["co_signers"].queryset = Deputy.objects.all()

    def clean(self):
        data = super().clean()
        lead = data.get("lead_deputy")
        if lead and lead in (data.get("co_signers") or []):
            self.add_error("co_signers", _("领衔代表不必再列为附议代表。"))
        return data


def bureaus():
    return Organization.objects.filter(kind=Organization.Kind.BUREAU).order_by("name")


class AssignForm(forms.Form):
    leads = forms.ModelMultipleChoiceField(
        label=_("主办单位"), queryset=Organization.objects.none(),
        help_text=_("选一个为主办（可加协办）；选多个为分办，各自答复。"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    assistants = forms.ModelMultipleChoiceField(
        label=_("协办单位"), queryset=Organization.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    reply_due_on = forms.DateField(
        label=_("答复期限"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    opinion_due_on = forms.DateField(
        label=_("协办意见期限"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, defaults=None, **kwargs):
        """``defaults``: the rule's (reply, opinion) deadlines for today, shown as the help text."""
        super().__init__(*args, **kwargs)
        self.fields["leads"].queryset = bureaus()
        self.fields["assistants"].queryset = bureaus()
        if defaults:
            for name, deadline in zip(("reply_due_on", "opinion_due_on"), defaults, strict=True):
                self.fields[name].help_text = _("不填则按规定：%(basis)s。") % {"basis": deadline.basis}


class TransitionForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, max_length=NOTE_MAX, widget=forms.Textarea)
    new_bureau = forms.ModelChoiceField(label=_("改由"), queryset=Organization.objects.none(), required=False)
    code = forms.CharField(label=_("动态口令"), required=False, max_length=6)
    new_date = forms.DateField(
        label=_("日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_bureau"].queryset = bureaus()


class ConsultationForm(forms.ModelForm):
    class Meta:
        model = Consultation
        fields = ["phase", "held_on", "form", "participants", "summary"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 4}),
        }


class ConsultationAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[(Consultation.Answer.CONFIRMED, _("确认")), (Consultation.Answer.DISPUTED, _("有异议"))]
    )
    comment = forms.CharField(required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}))
