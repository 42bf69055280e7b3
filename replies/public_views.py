"""The public pages of released replies (主动公开), and the congress office's release step.

The public pages are for anyone and for shared caches: they never touch the session or the user
(so no ``Vary: Cookie``), render without context processors, always speak the default language
(a language cookie would make one URL say two things to a cache), and say
``Cache-Control: public, max-age=300``. They read only ``publication.public_replies()``.
"""

import re
from functools import wraps

import django_filters
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import conditional_page

from accounts.models import Organization
from accounts.roles import roles_of
from proposals.errors import WorkflowError
from proposals.filters import quick_selects
from proposals.models import Proposal, Session

from . import publication
from .models import Reply
from .pdf import letter_filename
from .selectors import reply_get_visible

PUBLIC_MAX_AGE = 300
PUBLIC_PAGE_SIZE = 20
RELEASE_PAGE_SIZE = 50
ALL = gettext_lazy("全部")


# --- the public pages -------------------------------------------------------------------------


def _released_choices() -> tuple[list[int], list[int]]:
    """The sessions and bureaus that have released replies: only those are offered as filters.
    Kept in the cache under the latest release time (one index read), so a new release shows at
    once and the EXISTS per session and per bureau runs once per release, not on every view."""
    released = Reply.objects.released()
    latest = released.order_by("-released_at").values_list("released_at", flat=True).first()
    key = f"{settings.LIMITS_KEY_PREFIX}:public-choices:{latest.isoformat() if latest else 'none'}"

    def compute():
        sessions = Session.objects.filter(Exists(released.filter(assignment__proposal__session=OuterRef("pk"))))
        bureaus = Organization.objects.filter(Exists(released.filter(bureau=OuterRef("pk"))))
        return list(sessions.values_list("pk", flat=True)), list(bureaus.values_list("pk", flat=True))

    return cache.get_or_set(key, compute, timeout=3600)


def public_page(view):
    """GET/HEAD only, default language, cacheable by anyone; ETag and 304 for revalidation."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = HttpResponse(status=405)
            response["Allow"] = "GET, HEAD"
            return response
        with translation.override(settings.LANGUAGE_CODE):
            response = view(request, *args, **kwargs)
        response["Content-Language"] = settings.LANGUAGE_CODE
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        return response

    return conditional_page(wrapper)


def _page(template: str, context: dict) -> HttpResponse:
    # No request: no context processors, so nothing reads the session or the user.
    return HttpResponse(
        render_to_string(template, {**context, "placeholder": publication.PLACEHOLDER})
    )


class PublicReplyFilter(django_filters.FilterSet):
    """Search over what the public pages show, never over the original body or the proposal's
    unpublished text (a hit there would tell what it says)."""

    q = django_filters.CharFilter(label=gettext_lazy("关键词"), method="filter_keyword")
    session = django_filters.ModelChoiceFilter(
        label=gettext_lazy("会议"),
        field_name="assignment__proposal__session",
        queryset=Session.objects.none(),
        empty_label=ALL,
    )
    bureau = django_filters.ModelChoiceFilter(
        label=gettext_lazy("承办单位"),
        field_name="bureau",
        queryset=Organization.objects.none(),
        empty_label=ALL,
    )
    category = django_filters.ChoiceFilter(
        label=gettext_lazy("类别"),
        field_name="assignment__proposal__category",
        choices=Proposal.Category.choices,
        empty_label=ALL,
    )

    class Meta:
        model = Reply
        fields = ["q", "session", "bureau", "category"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sessions, bureaus = _released_choices()
        self.filters["session"].queryset = Session.objects.filter(pk__in=sessions)
        self.filters["bureau"].queryset = Organization.objects.filter(pk__in=bureaus).order_by("name")

    @property
    def form(self):
        form = super().form
        quick_selects(form)
        return form

    def filter_keyword(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        found = (
            Q(assignment__proposal__title__icontains=value)
            | Q(public_body__icontains=value)
            | Q(document_number__icontains=value)
            | Q(bureau__name__icontains=value)
            | Q(assignment__proposal__lead_deputy__name__icontains=value)
        )
        number = value.removeprefix("第").removesuffix("号")
        if re.fullmatch(r"[0-9]{1,9}", number):  # ASCII digits only: 「²」「①」 are not numbers
            found |= Q(assignment__proposal__number=int(number))
        return queryset.filter(found)


@public_page
def public_list(request):
    reply_filter = PublicReplyFilter(request.GET, queryset=publication.public_replies())
    page = Paginator(reply_filter.qs, PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return _page(
        "public/list.html",
        {
            "filter": reply_filter,
            "page": page,
            "query": query.urlencode(),
            "searching": any(query.values()),
        },
    )


@public_page
def public_detail(request, pk):
    reply = publication.public_reply_get(pk)
    return _page("public/detail.html", {"reply": reply, "proposal": reply.assignment.proposal})


@public_page
def public_pdf(request, pk):
    """The public letter, rendered on request (and kept per process) from the public text."""
    reply = publication.public_reply_get(pk)
    rendered = publication.public_pdf(reply)
    response = HttpResponse(rendered.content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, letter_filename(reply))
    return response


# --- the congress office's release step -------------------------------------------------------


def _require_releaser(user):
    if not roles_of(user).manages_proposals:
        raise PermissionDenied(_("只有人大代表工委可以公开答复。"))


class ReleaseForm(forms.Form):
    extra_removals = forms.CharField(
        label=gettext_lazy("另行删除的文字"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "每行一项，须与答复正文中的文字完全一致；正文中所有相同的文字都会删除。"
        ),
    )
    # The extra removals the preview on the page was made with: release only what was shown.
    previewed = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, body: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.body = body

    def clean_extra_removals(self):
        lines = publication.marked_lines(self.cleaned_data["extra_removals"])
        missing = [line for line in lines if line not in self.body]
        if missing:
            raise forms.ValidationError(publication.missing_message(missing))
        return lines

    def clean_previewed(self):
        return publication.marked_lines(self.cleaned_data["previewed"])


@login_required
def release_list(request):
    """Sent 主动公开 replies awaiting release, the earliest due first, overdue marked."""
    _require_releaser(request.user)
    queue = publication.release_queue(request.user)
    today = timezone.localdate()
    page = Paginator(queue, RELEASE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "replies/release_list.html",
        {
            "page": page,
            "today": today,
            "overdue_count": queue.filter(release_due_on__lt=today).count(),
        },
    )


@login_required
def release_new(request, pk):
    """GET: the removals as a marked diff and the confirm form. POST ``action=preview``: the same
    with the releaser's extra removals; ``action=release``: release what the page showed."""
    _require_releaser(request.user)
    reply = reply_get_visible(request.user, pk)
    marked: tuple[str, ...] = ()
    if request.method == "POST":
        form = ReleaseForm(request.POST, body=reply.body)
        if form.is_valid():
            marked = form.cleaned_data["extra_removals"]
            if request.POST.get("action") == "release":
                if marked != form.cleaned_data["previewed"]:
                    form.add_error(None, _("另行删除的文字有改动，请先预览，确认无误后再公开。"))
                else:
                    try:
                        publication.reply_release(
                            reply=reply, by=request.user, extra_removals=marked
                        )
                    except WorkflowError as error:
                        form.add_error(None, str(error))
                    else:
                        messages.success(request, _("已公开：%(title)s。") % {"title": reply.title})
                        return redirect("release-list")
        else:
            found = publication.marked_lines(form.data.get("extra_removals", ""))
            marked = tuple(line for line in found if line in reply.body)
        # The hidden field follows the preview this response shows.
        form.data = form.data.copy()
        form.data["previewed"] = "\n".join(marked)
    else:
        form = ReleaseForm(body=reply.body)
    refusal = publication.release_refusal(reply)
    return render(
        request,
        "replies/release_form.html",
        {
            "reply": reply,
            "proposal": reply.assignment.proposal,
            "form": form,
            "refusal": refusal,
            "placeholder": publication.PLACEHOLDER,
            "redaction": None if refusal else publication.reply_redaction(reply, marked),
            "today": timezone.localdate(),
        },
    )
