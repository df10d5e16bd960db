"""Notice and support pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from creditbank.accounts.actor import actor
from creditbank.accounts.roles import Acting, Role, has_role, role_required
from creditbank.kernel.documents import extension_for
from creditbank.kernel.downloads import private_file_response as file_response
from creditbank.kernel.errors import DomainError
from creditbank.kernel.forms import apply_domain_error, query_choice, refusal_message
from creditbank.notices import selectors, services
from creditbank.notices.forms import ReplyForm, TicketForm
from creditbank.notices.models import TicketStatus
from creditbank.notices.rendering import render_markdown


def notice_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notices_visible(), 20).get_page(request.GET.get("page"))
    return render(request, "notices/list.html", {"page": page, "read_ids": selectors.notice_read_ids(request.user)})


def notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = selectors.notice_get_visible(notice_id)
    if request.user.is_authenticated:
        services.notice_mark_read(user=actor(request), notice=notice)
    # nh3 allow-list sanitised HTML (creditbank.notices.rendering)
    body = mark_safe(render_markdown(notice.body()))  # noqa: S308
    return render(request, "notices/detail.html", {"notice": notice, "body": body})


@login_required
@never_cache
def tickets(request: HttpRequest) -> HttpResponse:
    form = TicketForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.ticket_open(
                user=actor(request),
                category=form.cleaned_data["category"],
                subject=form.cleaned_data["subject"],
                message=form.cleaned_data["message"],
                attachments=request.FILES.getlist("attachments"),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
            status = 429 if exc.status == 429 else 400
        else:
            messages.success(request, _("Your question was sent. We will email you when support replies."))
            return redirect("notices:ticket", ticket_id=ticket.pk)
    return render(
        request,
        "notices/tickets.html",
        {"form": form, "tickets": selectors.tickets_for_user(actor(request))},
        status=status,
    )


@login_required
@never_cache
def ticket(request: HttpRequest, ticket_id: int) -> HttpResponse:
    t = selectors.ticket_get_for_actor(actor=actor(request), id=ticket_id, acting=Acting.OWNER)
    form = ReplyForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.ticket_reply_by_user(
                user=actor(request),
                ticket_id=ticket_id,
                message=form.cleaned_data["message"],
                attachments=request.FILES.getlist("attachments"),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
            status = 400
        else:
            return redirect("notices:ticket", ticket_id=ticket_id)
    return render(request, "notices/ticket.html", {"ticket": t, "form": form, "staff_view": False}, status=status)


@login_required
@require_POST
def ticket_close(request: HttpRequest, ticket_id: int) -> HttpResponse:
    try:
        if has_role(request.user, Role.SUPPORT) and request.POST.get("as_staff"):
            services.ticket_close_by_staff(staff=actor(request), ticket_id=ticket_id)
            return redirect("notices:support_ticket", ticket_id=ticket_id)
        services.ticket_close_by_user(user=actor(request), ticket_id=ticket_id)
    except DomainError as exc:
        refusal_message(request, exc)
    return redirect("notices:ticket", ticket_id=ticket_id)


@login_required
@require_POST
def ticket_reopen(request: HttpRequest, ticket_id: int) -> HttpResponse:
    try:
        services.ticket_reopen(user=actor(request), ticket_id=ticket_id)
    except DomainError as exc:
        refusal_message(request, exc)
    return redirect("notices:ticket", ticket_id=ticket_id)


@login_required
def attachment(request: HttpRequest, ticket_id: int, attachment_id: int) -> HttpResponse:
    data, ct, name = services.ticket_attachment(actor=actor(request), ticket_id=ticket_id, attachment_id=attachment_id)
    return file_response(data, ct, f"attachment-{attachment_id}.{extension_for(ct)}", display_name=name)


@login_required
@never_cache
@role_required(Role.SUPPORT)
def support_queue(request: HttpRequest) -> HttpResponse:
    status = query_choice(request, "status", TicketStatus, default="open")
    qs = selectors.support_queue(staff=actor(request), status=None if status == "all" else status)
    return render(
        request, "notices/support_queue.html", {"tickets": qs[:200], "status": status, "statuses": TicketStatus.choices}
    )


@login_required
@never_cache
def support_ticket(request: HttpRequest, ticket_id: int) -> HttpResponse:
    t = selectors.ticket_get_for_actor(actor=actor(request), id=ticket_id, acting=Acting.STAFF)
    form = ReplyForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.ticket_reply_by_staff(
                staff=actor(request),
                ticket_id=ticket_id,
                message=form.cleaned_data["message"],
                close=bool(request.POST.get("close")),
                attachments=request.FILES.getlist("attachments"),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
            status = 400
        else:
            messages.success(request, _("Reply sent; the user has been emailed."))
            return redirect("notices:support_queue")
    return render(request, "notices/ticket.html", {"ticket": t, "form": form, "staff_view": True}, status=status)
