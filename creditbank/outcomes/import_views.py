"""The institution issuers' pages for outcome imports: the upload form with the template, the
list of the institution's imports, and one import's progress bar, counts and row report."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from creditbank.accounts.actor import actor
from creditbank.accounts.roles import Acting, Role
from creditbank.institutions.selectors import institution_get_for_actor
from creditbank.kernel import ratelimit
from creditbank.kernel.errors import DomainError
from creditbank.kernel.forms import apply_domain_error, query_choice
from creditbank.outcomes import selectors
from creditbank.outcomes.domain.imports import COLUMNS, LEARNER_COLUMNS
from creditbank.outcomes.models import ImportRowStatus
from creditbank.outcomes.services.imports import MAX_FILE_BYTES, import_start


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        required=False,
        help_text=gettext_lazy("One row per outcome, with the template's header row; at most 40 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


def _institution(request: HttpRequest, code: str) -> Any:
    return institution_get_for_actor(actor=actor(request), code=code, role=Role.INSTITUTION_ISSUER, acting=Acting.OWNER)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def imports_page(request: HttpRequest, code: str) -> HttpResponse:
    """Upload a file; the institution's imports, newest first."""
    institution = _institution(request, code)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            job = import_start(
                institution=institution, upload=form.cleaned_data["file"], actor=actor(request),
                client_address=ratelimit.client_address(request),
            )  # fmt: skip
        except DomainError as refused:
            apply_domain_error(form, refused)
            status = 400
        else:
            messages.success(request, _("File received: the rows are being deposited. This page shows the progress."))
            return redirect("outcome_imports:job", code=code, job_id=job.pk)
    elif request.method == "POST":
        status = 400  # the form itself refused the file (an empty one, for example)
    jobs = Paginator(selectors.import_jobs_of(institution=institution), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "outcomes/imports/list.html",
        {
            "institution": institution,
            "form": form,
            "jobs": jobs,
            "max_mb": MAX_FILE_BYTES // (1024 * 1024),
            "columns": COLUMNS,
            "learner_columns": LEARNER_COLUMNS,
        },
        status=status,
    )


STATUS_FILTERS = [("all", gettext_lazy("All rows")), *ImportRowStatus.choices]


@login_required
@never_cache
@require_safe
def job_page(request: HttpRequest, code: str, job_id: int) -> HttpResponse:
    """One import: its progress bar while it runs, its counts, and its report (paged, by status)."""
    institution = _institution(request, code)
    job = selectors.import_job_get(institution=institution, id=job_id)
    shown = query_choice(request, "status", ImportRowStatus, default="all")
    rows = selectors.import_rows_of(job=job, status="" if shown == "all" else shown)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "outcomes/imports/job.html",
        {
            "institution": institution,
            "job": job,
            "page": page,
            "shown": shown,
            "filters": STATUS_FILTERS,
            "poll_url": reverse("api-v1:outcome_import", kwargs={"code": institution.code, "job_id": job.pk}),
        },
    )
