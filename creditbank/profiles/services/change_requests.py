"""Change requests: locked fields with proof, and policy-reviewed fields; the staff review."""

from __future__ import annotations

import json
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.errors import ErrorCode as AccountsCode
from creditbank.accounts.id_numbers import id_number_parse
from creditbank.accounts.models import User
from creditbank.accounts.roles import Acting
from creditbank.accounts.selectors import ID_CONTEXT, user_require_verified
from creditbank.accounts.services import name_clean, uploads_allow, user_rename, user_set_gender, user_set_id_number
from creditbank.audit.services import audited_document
from creditbank.identity.services import verification_invalidate
from creditbank.kernel.documents import clean_upload
from creditbank.kernel.errors import DomainError, NotFound
from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.kernel.masking import mask_id_number
from creditbank.kernel.pii import cipher
from creditbank.kernel.text import clean_text
from creditbank.kernel.vault import vault
from creditbank.notifications.services import Topic, notify
from creditbank.profiles.errors import ErrorCode
from creditbank.profiles.models import ChangeKind, ChangeRequest, ChangeRequestProof, ProfileChangeStatus
from creditbank.profiles.personal_data import PROOF_CONTEXT, REQUEST_VALUE_CONTEXT, REVIEWED_VALUE_CONTEXT
from creditbank.profiles.reasons import CHANGE_REVIEW, REASON_CODES
from creditbank.profiles.selectors import change_request_get_for_actor
from creditbank.profiles.services.profile import (
    apply_field,
    history_record,
    profile_get,
)
from creditbank.reviews.services import review_decide, review_withdraw

LOCKED_REQUESTABLE = ("name", "gender", "id_number")
MAX_PROOFS = 5
MAX_PROOF_BYTES = 8 * 1024 * 1024


def _clean_new_value(user: User, field: str, raw: str) -> tuple[str, str, str]:
    """(stored value, masked new, masked old) for a locked field."""
    if field == "name":
        value = name_clean(raw, field="new_value")
        if value == user.name:
            raise DomainError(ErrorCode.UNCHANGED, _("This is already your name."), field="new_value")
        return value, value, user.name
    if field == "gender":
        value = (raw or "").strip().upper()
        if value not in ("M", "F"):
            raise DomainError(
                KernelCode.CHOICE_INVALID,
                _("Gender is M (male) or F (female)."),
                field="new_value",
                extra={"allowed": ["M", "F"]},
            )
        if value == user.gender:
            raise DomainError(ErrorCode.UNCHANGED, _("This is already your gender."), field="new_value")
        return value, value, user.gender
    parsed = id_number_parse(raw, field="new_value")
    current = cipher().decrypt(user.id_number_enc, context=ID_CONTEXT) if user.id_number_enc else ""
    if parsed.value == current:
        raise DomainError(ErrorCode.UNCHANGED, _("This is already your ID number."), field="new_value")
    return parsed.value, mask_id_number(parsed.value), user.id_number_masked


def change_request_create(*, user: User, field: str, new_value: str, reason: str, proofs: list[Any]) -> ChangeRequest:
    """A request to change a locked field, with 1–5 proof files. Nothing is stored on refusal."""
    user_require_verified(user)
    if field not in LOCKED_REQUESTABLE:
        raise DomainError(
            ErrorCode.FIELD_NOT_REQUESTABLE,
            _("Change requests are for name, gender or ID number; edit other fields on your profile."),
            field="field",
            extra={"allowed": list(LOCKED_REQUESTABLE)},
        )
    value, new_masked, old_masked = _clean_new_value(user, field, new_value)
    reason = clean_text(reason, field="reason", max_length=500, required=True, multiline=True)
    if not proofs:
        raise DomainError(
            ErrorCode.PROOF_REQUIRED, _("Attach at least one proof file (a photo or a PDF)."), field="proof"
        )
    if len(proofs) > MAX_PROOFS:
        raise DomainError(KernelCode.TOO_MANY_FILES, _("At most 5 proof files."), field="proof")
    uploads_allow(user=user, files=len(proofs))  # before any file is read or decoded
    cleaned = [clean_upload(upload, field="proof", max_bytes=MAX_PROOF_BYTES) for upload in proofs]
    if ChangeRequest.objects.filter(user=user, field=field, status=ProfileChangeStatus.PENDING).exists():
        raise DomainError(
            ErrorCode.CHANGE_PENDING,
            _("A request for this field is already open. Withdraw it first."),
            field="field",
            status=409,
        )
    store = vault()
    names = [store.save(doc.data, context=PROOF_CONTEXT) for doc in cleaned]
    try:
        with transaction.atomic():
            request = ChangeRequest.objects.create(
                user=user,
                kind=ChangeKind.LOCKED,
                field=field,
                new_value_enc=cipher().encrypt(value, context=REQUEST_VALUE_CONTEXT),
                new_value_masked=new_masked,
                old_value_masked=old_masked,
                reason=reason,
            )
            for name, doc in zip(names, cleaned, strict=True):
                ChangeRequestProof.objects.create(
                    request=request,
                    blob=name,
                    content_type=doc.content_type,
                    size=len(doc.data),
                    sha256=doc.sha256,
                    filename=doc.name,
                )
    except IntegrityError as exc:
        for name in names:
            store.delete(name)
        raise DomainError(
            ErrorCode.CHANGE_PENDING,
            _("A request for this field is already open. Withdraw it first."),
            field="field",
            status=409,
        ) from exc
    except BaseException:
        for name in names:
            store.delete(name)
        raise
    return request


def change_request_withdraw(*, user: User, request_id: int) -> ChangeRequest:
    """The requester withdraws a pending request; its proof files are deleted at once."""
    with transaction.atomic():
        request = change_request_get_for_actor(actor=user, id=request_id, for_update=True, acting=Acting.OWNER)
        review_withdraw(kind=CHANGE_REVIEW, request=request)
        request.decided_at = timezone.now()
        request.save(update_fields=["status", "decided_at"])
        _delete_proofs(request)
    return request


def _delete_proofs(request: ChangeRequest) -> None:
    store = vault()
    for proof in request.proofs.all():
        store.delete(proof.blob)


def change_request_decide(
    *, reviewer: User, request_id: int, decision: str, reason_code: str = "", note: str = "", client_address: str = ""
) -> ChangeRequest:
    """Approve (the change applies in this transaction, history kept) or reject with a reason."""
    with transaction.atomic():
        request = change_request_get_for_actor(actor=reviewer, id=request_id, for_update=True, acting=Acting.STAFF)
        user = User.objects.select_for_update().get(pk=request.user_id)
        effects: dict[str, bool] = {"reverify": False}

        def apply() -> None:
            effects["reverify"] = _apply(request, user, reviewer)

        decided = review_decide(
            kind=CHANGE_REVIEW,
            request=request,
            subject=user,
            actor=reviewer,
            decision=decision,
            reason_code=reason_code,
            note=note,
            client_address=client_address,
            on_approve=apply,
            audit_reason=reason_code if decision == "reject" else request.field,
        )
        notify(
            user=user,
            topic=Topic.DECISION,
            template="profiles/email/change_decided",
            context={
                "field": request.field,
                "decision": decided.decision.value,
                "note": decided.note,
                "reason": str(REASON_CODES.get(decided.reason_code, "")),
                "reverify": "yes" if effects["reverify"] else "",
            },
            required=effects["reverify"],  # the person must verify their identity again: always told
        )
    return request


def _apply(request: ChangeRequest, user: User, reviewer: User) -> bool:
    """Apply an approved change; True when real-name verification must be redone."""
    if request.kind == ChangeKind.REVIEWED:
        value = json.loads(cipher().decrypt(request.new_value_enc, context=REVIEWED_VALUE_CONTEXT))
        apply_field(user=user, profile=profile_get(user), field=request.field, value=value)
        history_record(
            user=user, field=request.field, old=request.old_value_masked, new=request.new_value_masked,
            actor=reviewer, source="review", evidence=f"change_request:{request.pk}",
        )  # fmt: skip
        return False
    value = cipher().decrypt(request.new_value_enc, context=REQUEST_VALUE_CONTEXT)
    reverify = False
    if request.field == "name":
        user_rename(user=user, name=value)
        reverify = True
    elif request.field == "gender":
        user_set_gender(user=user, gender=value)
    else:
        try:
            user_set_id_number(user=user, id_number=value)
        except DomainError as exc:
            if exc.code != AccountsCode.ID_NUMBER_TAKEN:
                raise
            raise DomainError(
                AccountsCode.ID_NUMBER_TAKEN, _("Another account holds this ID number. Reject the request."), status=409
            ) from exc
        reverify = True
    history_record(
        user=user, field=request.field, old=request.old_value_masked, new=request.new_value_masked,
        actor=reviewer, source="change_request", evidence=f"change_request:{request.pk}",
    )  # fmt: skip
    if reverify:
        verification_invalidate(user=user, actor=reviewer, reason=f"change_request:{request.pk}")
    return reverify


def change_request_proof_for_reviewer(
    *, reviewer: User, request_id: int, proof_id: int, client_address: str = ""
) -> tuple[bytes, str, str]:
    """A proof file for a reviewer (audited): (data, content type, its name)."""
    try:
        request = change_request_get_for_actor(actor=reviewer, id=request_id, acting=Acting.STAFF)
    except NotFound as exc:
        raise NotFound(_("No such file.")) from exc
    return audited_document(
        actor=reviewer,
        owner=request.user,
        document=request.proofs.filter(pk=proof_id).first(),
        context=PROOF_CONTEXT,
        action="change_request.proof_viewed",
        object_type="change_request",
        object_id=f"{request_id}:{proof_id}",
        client_address=client_address,
    )
