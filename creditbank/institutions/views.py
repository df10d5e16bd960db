"""The institution's pages for its administrators (and bank staff managing institutions):
members added and removed, API clients created, rotated and revoked, a new secret shown once;
accounts opened for a file of students, the report and the one-time result file; programmes
and their courses. The public list of published programmes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from creditbank.accounts.actor import actor
from creditbank.accounts.roles import Role, has_role
from creditbank.institutions import selectors, services
from creditbank.institutions.forms import ClientForm, CourseForm, MemberForm, OpeningForm, ProgrammeForm
from creditbank.institutions.models import Programme, ProgrammeStatus, RowStatus
from creditbank.kernel import ratelimit
from creditbank.kernel.downloads import private_file_response
from creditbank.kernel.errors import DomainError
from creditbank.kernel.forms import apply_domain_error, refusal_message


def _post_id(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("id", ""))
    except ValueError:
        return 0


@login_required
@never_cache
def manage(request: HttpRequest, code: str) -> HttpResponse:
    user = actor(request)
    institution = selectors.institution_get_for_actor(actor=user, code=code)
    action = request.POST.get("action") if request.method == "POST" else None
    member_form = MemberForm(request.POST if action == "add_member" else None)
    client_form = ClientForm(request.POST if action == "create_client" else None)
    new_secret: dict[str, Any] | None = None
    address = ratelimit.client_address(request)
    status = 200
    try:
        if action == "add_member" and member_form.is_valid():
            services.member_add(actor=user, code=code, client_address=address, **member_form.cleaned_data)
            messages.success(request, _("Member added."))
            return redirect("institutions:manage", code=code)
        if action == "remove_member":
            services.member_remove(actor=user, code=code, membership_id=_post_id(request), client_address=address)
            messages.success(request, _("Member removed."))
            return redirect("institutions:manage", code=code)
        if action == "create_client" and client_form.is_valid():
            client, secret = services.api_client_create(
                actor=user, code=code, name=client_form.cleaned_data["name"],
                scopes=list(client_form.cleaned_data["scopes"]), client_address=address,
            )  # fmt: skip
            new_secret = {"client": client, "secret": secret}
            client_form = ClientForm()
        if action == "rotate_client":
            client, secret = services.api_client_rotate(
                actor=user, code=code, id=_post_id(request), client_address=address
            )
            new_secret = {"client": client, "secret": secret}
        if action == "revoke_client":
            services.api_client_revoke(actor=user, code=code, id=_post_id(request), client_address=address)
            messages.success(request, _("API client revoked: its secret and tokens no longer work."))
            return redirect("institutions:manage", code=code)
    except DomainError as exc:
        form = {"add_member": member_form, "create_client": client_form}.get(action or "")
        if form is not None and exc.status != 404:
            apply_domain_error(form, exc)
        else:
            refusal_message(request, exc)
        status = 400
    if action in ("add_member", "create_client") and status == 200 and new_secret is None:
        status = 400  # the form itself was invalid
    return render(
        request,
        "institutions/manage.html",
        {
            "institution": institution,
            "members": selectors.memberships_of(institution=institution),
            "clients": selectors.api_clients_of(institution=institution),
            "member_form": member_form,
            "client_form": client_form,
            "new_secret": new_secret,
            "may_import": has_role(user, Role.INSTITUTION_ISSUER, institution=institution),
        },
        status=status,
    )


#: The template downloads offered: (format, headers).
TEMPLATES = [("xlsx", "zh"), ("csv", "zh"), ("xlsx", "en"), ("csv", "en")]


@login_required
@never_cache
def openings(request: HttpRequest, code: str) -> HttpResponse:
    """Upload a file of students; the institution's earlier openings; the templates."""
    user = actor(request)
    institution = selectors.opening_institution_for(caller=user, code=code)
    form = OpeningForm(request.POST, request.FILES) if request.method == "POST" else OpeningForm()
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            opening = services.account_opening_upload(
                caller=user, code=code, upload=form.cleaned_data["file"],
                client_address=ratelimit.client_address(request),
            )  # fmt: skip
        except DomainError as exc:
            apply_domain_error(form, exc, request=request)
            status = 429 if exc.status == 429 else 400
        else:
            messages.success(request, _("File received."))
            return redirect("institutions:opening", code=code, opening_id=opening.pk)
    elif request.method == "POST":
        status = 400
    page = Paginator(selectors.account_openings_of(institution=institution), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "institutions/openings.html",
        {"institution": institution, "form": form, "page": page, "templates": TEMPLATES},
        status=status,
    )


@login_required
@never_cache
@require_safe
def opening(request: HttpRequest, code: str, opening_id: int) -> HttpResponse:
    """One opening: progress (the page reloads itself while it runs), counts, the one-time result
    download for the uploader, and the report of every row."""
    user = actor(request)
    found = selectors.account_opening_get_for_actor(actor=user, code=code, id=opening_id)
    only = request.GET.get("only", "")
    rows = selectors.account_opening_rows(opening=found)
    if only in RowStatus.values:
        rows = rows.filter(status=only)
    else:
        only = ""
    return render(
        request,
        "institutions/opening.html",
        {
            "institution": found.institution,
            "opening": found,
            "page": Paginator(rows, 100).get_page(request.GET.get("page")),
            "only": only,
            "statuses": RowStatus.choices,
            "uploader": selectors.account_opening_is_uploader(opening=found, caller=user),
            "result_available": selectors.account_opening_result_available(opening=found, caller=user),
        },
    )


@login_required
@never_cache
@require_POST
def opening_result(request: HttpRequest, code: str, opening_id: int) -> HttpResponse:
    """The result file, once (a POST, so that no link preview or prefetch can spend it)."""
    try:
        result = services.account_opening_result(
            caller=actor(request), code=code, id=opening_id, client_address=ratelimit.client_address(request)
        )
    except DomainError as exc:
        refusal_message(request, exc)
        return redirect("institutions:opening", code=code, opening_id=opening_id)
    return private_file_response(result.data, result.content_type, result.filename)


@require_safe
def opening_template(request: HttpRequest, code: str) -> HttpResponse:
    """The template of the file (public, like the API's)."""
    selectors.institution_get_public(code)
    kind, headers = request.GET.get("format", "xlsx"), request.GET.get("headers", "zh")
    if (kind, headers) not in TEMPLATES:
        raise Http404
    template = services.account_opening_template(kind=kind, headers=headers)
    return private_file_response(template.data, template.content_type, template.filename)


# --- programmes (专业) and their courses ----------------------------------------------------------


def _programme_data(form: ProgrammeForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data.pop("code", None)
    return data


@login_required
@never_cache
def programmes(request: HttpRequest, code: str) -> HttpResponse:
    """The institution's programmes in every status, and the form to add one (as a draft)."""
    user = actor(request)
    institution = selectors.institution_get_for_actor(actor=user, code=code)
    listed = selectors.programmes_for_admin(actor=user, code=code)
    form = ProgrammeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                made = services.programme_create(
                    actor=user, code=code, programme_code=form.cleaned_data["code"],
                    client_address=ratelimit.client_address(request), **_programme_data(form),
                )  # fmt: skip
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Draft saved. Add its courses, then publish it."))
                return redirect("institutions:programme", code=code, programme=made.code)
    return render(
        request,
        "institutions/programmes.html",
        {"institution": institution, "programmes": listed, "form": form},
        status=status,
    )


@login_required
@never_cache
def programme(request: HttpRequest, code: str, programme: str) -> HttpResponse:
    """One programme for its administrators: its fields (the code while a draft), its courses
    with a form to add or change one, publish and retire."""
    user = actor(request)
    found = selectors.programme_get_for_actor(actor=user, code=code, programme_code=programme)
    draft = found.status == ProgrammeStatus.DRAFT
    action = request.POST.get("action", "") if request.method == "POST" else ""
    address = ratelimit.client_address(request)
    programme_form = ProgrammeForm(
        request.POST if action == "save_programme" else None,
        initial={
            "code": found.code, "name_zh": found.name_zh, "name_en": found.name_en,
            "total_credits": f"{found.total_credits}", "level": found.level or "",
        },
        fixed_code=not draft,
    )  # fmt: skip
    course_form = _course_form(request, found, action)
    status = 200
    try:
        if action == "save_programme":
            status = 400
            if programme_form.is_valid():
                changed = services.programme_update(
                    actor=user, code=code, programme_code=found.code, changes=programme_form.cleaned_data,
                    client_address=address,
                )  # fmt: skip
                messages.success(request, _("Programme saved."))
                return redirect("institutions:programme", code=code, programme=changed.code)
        elif action == "save_course":
            status = 400
            if course_form.is_valid():
                data = dict(course_form.cleaned_data)
                editing = data.pop("course")
                if course_form.fields["code"].disabled:
                    del data["code"]
                if editing:
                    services.course_update(
                        actor=user, code=code, programme_code=found.code, course_code=editing, changes=data,
                        client_address=address,
                    )  # fmt: skip
                    messages.success(request, _("Course saved."))
                else:
                    services.course_create(
                        actor=user, code=code, programme_code=found.code, course_code=data.pop("code"),
                        client_address=address, **data,
                    )  # fmt: skip
                    messages.success(request, _("Course added. Add the next one, or publish the programme."))
                return redirect("institutions:programme", code=code, programme=found.code)
        elif action in ("deactivate_course", "activate_course"):
            services.course_update(
                actor=user, code=code, programme_code=found.code, course_code=request.POST.get("course", ""),
                changes={"active": action == "activate_course"}, client_address=address,
            )  # fmt: skip
            messages.success(request, _("Course saved."))
            return redirect("institutions:programme", code=code, programme=found.code)
        elif action == "publish":
            services.programme_publish(actor=user, code=code, programme_code=found.code, client_address=address)
            messages.success(request, _("Published: anyone can see the programme, and conversion rules can target it."))
            return redirect("institutions:programme", code=code, programme=found.code)
        elif action == "retire":
            services.programme_retire(actor=user, code=code, programme_code=found.code, client_address=address)
            messages.success(request, _("Retired: the programme is no longer listed or changed."))
            return redirect("institutions:programme", code=code, programme=found.code)
    except DomainError as exc:
        form = {"save_programme": programme_form, "save_course": course_form}.get(action)
        if form is not None and exc.status != 404:
            apply_domain_error(form, exc)
        else:
            refusal_message(request, exc)
            return redirect("institutions:programme", code=code, programme=found.code)
    return render(
        request,
        "institutions/programme.html",
        {
            "institution": found.institution,
            "programme": found,
            "courses": selectors.courses_of(programme=found, active_only=False),
            "programme_form": programme_form,
            "course_form": course_form,
            "editing": course_form["course"].value() or "",
        },
        status=status,
    )


#: The course form's field names start with this (the programme's form, on the same page, has the same fields).
COURSE_PREFIX = "course"


def _course_form(request: HttpRequest, programme: Programme, action: str) -> CourseForm:
    """The form to add a course, or to change the one ``?course=`` names (its code fixed once
    the programme is published)."""
    draft = programme.status == ProgrammeStatus.DRAFT
    if action == "save_course":
        editing = request.POST.get(f"{COURSE_PREFIX}-course", "")
        return CourseForm(
            request.POST, initial={"code": editing}, fixed_code=bool(editing) and not draft, prefix=COURSE_PREFIX
        )
    wanted = request.GET.get("course", "")
    listed = selectors.courses_of(programme=programme, active_only=False)
    course = listed.filter(code=wanted).first() if wanted else None
    if course is None:
        return CourseForm(prefix=COURSE_PREFIX)
    initial = {
        "course": course.code, "code": course.code, "name_zh": course.name_zh, "name_en": course.name_en,
        "credits": f"{course.credits}", "level": course.level or "",
    }  # fmt: skip
    return CourseForm(initial=initial, fixed_code=not draft, prefix=COURSE_PREFIX)


@require_safe
def programmes_public(request: HttpRequest) -> HttpResponse:
    """Every published programme (public), searchable by institution and by code or name."""
    q = request.GET.get("q", "")[:100]
    institution_code = request.GET.get("institution", "")[:32]
    qs = selectors.programmes_public(institution_code=institution_code or None, q=q)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "institutions/programmes_public.html",
        {"page": page, "q": q, "institution": institution_code, "institutions": selectors.institutions_listed()},
    )


@require_safe
def programme_public(request: HttpRequest, code: str, programme: str) -> HttpResponse:
    """A published programme and its courses (public)."""
    found = selectors.programme_get_public(code, programme)
    return render(
        request,
        "institutions/programme_public.html",
        {"programme": found, "courses": selectors.courses_of(programme=found)},
    )
