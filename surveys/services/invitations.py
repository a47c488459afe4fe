"""Invitations: single-use links (created one by one or from a CSV), the emails that carry
them, scheduled sending, reminders and unsubscribing."""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from portal.queueing import enqueue_on_commit

from .. import conf
from ..models import Invitation, Survey, SurveyStatus
from .publishing import survey_accepting
from .tokens import _site_url, _token, invitation_token, token_hash


def invitation_create(
    *,
    survey: Survey,
    email: str = "",
    name: str = "",
    reference: str = "",
    send_at: datetime | None = None,
    created_by=None,
    valid_days: int | None = None,
) -> tuple[Invitation, str]:
    """Create a single-use invitation. Returns it with its link token (shown once; only a hash
    is stored). With an email, the invitation is emailed now or at `send_at`."""
    now = timezone.now()
    nonce = secrets.token_urlsafe(32)
    token = _token("invitation", nonce)
    invitation = Invitation(
        survey=survey,
        nonce=nonce,
        token_hash=token_hash(token),
        email=(email or "").strip().lower(),
        name=(name or "").strip(),
        reference=(reference or "").strip(),
        send_at=send_at,
        expires_at=now + timedelta(days=valid_days or conf.invitation_valid_days()),
        created_by=created_by,
    )
    invitation.full_clean()
    invitation.save()
    if invitation.email and (send_at is None or send_at <= now):
        from ..tasks import send_invitation

        enqueue_on_commit(send_invitation, invitation.pk)
    return invitation, token


def invitation_url(invitation: Invitation) -> str:
    return _site_url(reverse("surveys:invitation", args=[invitation_token(invitation)]))


def invitation_send(*, invitation: Invitation, reminder: bool = False) -> bool:
    """Email the invitation (or a reminder). Skips anyone who unsubscribed, used the link, or
    whose link expired. Returns True when an email went out."""
    now = timezone.now()
    if (
        not invitation.email
        or invitation.unsubscribed_at
        or invitation.used_at
        or invitation.expires_at <= now
    ):
        return False
    if not reminder and invitation.sent_at:
        return False
    survey = invitation.survey
    url = invitation_url(invitation)
    unsubscribe = _site_url(reverse("surveys:unsubscribe", args=[invitation_token(invitation)]))
    greeting = f"Dear {invitation.name}," if invitation.name else "Hello,"
    subject = f"Reminder: {survey.title}" if reminder else f"Please tell us what you think: {survey.title}"
    body = (
        f"{greeting}\n\n{survey.intro}\n\nYou can answer here (the link is just for you and "
        f"works once):\n{url}\n\n"
        f"The link works until {timezone.localtime(invitation.expires_at):%-d %B %Y}.\n\n"
        f"If you do not want any more emails about this survey:\n{unsubscribe}\n"
    )
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[invitation.email])
    if reminder:
        Invitation.objects.filter(pk=invitation.pk).update(
            reminders_sent=invitation.reminders_sent + 1, last_reminded_at=now, updated_at=now
        )
    else:
        Invitation.objects.filter(pk=invitation.pk).update(sent_at=now, updated_at=now)
    return True


def _contactable(now: datetime):
    return Invitation.objects.filter(
        used_at__isnull=True,
        unsubscribed_at__isnull=True,
        expires_at__gt=now,
        survey__status=SurveyStatus.OPEN,
    ).exclude(email="")


def invitations_due(*, now: datetime | None = None) -> list[int]:
    """Invitations scheduled for now or earlier and not yet sent."""
    now = now or timezone.now()
    return list(
        _contactable(now)
        .filter(sent_at__isnull=True)
        .filter(Q(send_at__isnull=True) | Q(send_at__lte=now))
        .values_list("pk", flat=True)
    )


def reminders_due(*, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    cutoff = now - timedelta(days=conf.reminder_interval_days())
    return list(
        _contactable(now)
        .filter(sent_at__lte=cutoff, reminders_sent__lt=conf.reminder_max())
        .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=cutoff))
        .values_list("pk", flat=True)
    )


def invitation_unsubscribe(*, invitation: Invitation) -> Invitation:
    if invitation.unsubscribed_at is None:
        invitation.unsubscribed_at = timezone.now()
        invitation.save(update_fields=["unsubscribed_at", "updated_at"])
    return invitation


def invitation_find(*, token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return Invitation.objects.select_related("survey").filter(token_hash=token_hash(token)).first()


def invitation_state(invitation: Invitation | None, now: datetime | None = None) -> str:
    """ok | used | expired | closed | unknown — the view shows a kind message for each."""
    now = now or timezone.now()
    if invitation is None:
        return "unknown"
    if invitation.used_at:
        return "used"
    if invitation.expires_at <= now:
        return "expired"
    if not survey_accepting(invitation.survey, now):
        return "closed"
    return "ok"


@dataclass
class ImportResult:
    created: int = 0
    errors: list[str] = field(default_factory=list)


def invitations_import_csv(
    *, survey: Survey, data: bytes, created_by=None, send_at: datetime | None = None
) -> ImportResult:
    """Create invitations from a CSV with columns email, name (optional) and reference
    (optional). All or nothing: a file with any bad row creates none and lists the problems."""
    result = ImportResult()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append("The file must be a CSV saved as UTF-8.")
        return result
    if "\x00" in text:
        result.errors.append("The file contains null characters: save it again as CSV.")
        return result
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    if "email" not in fields:
        result.errors.append("The first row must name the columns, including 'email'.")
        return result
    rows = []
    for line, row in enumerate(reader, start=2):
        row = {
            (k or "").strip().lower(): (v or "").strip() if isinstance(v, str) else "" for k, v in row.items()
        }
        if not any(row.values()):
            continue
        try:
            validate_email(row.get("email", ""))
        except ValidationError:
            result.errors.append(f"Row {line}: '{row.get('email', '')[:80]}' is not an email address.")
            continue
        if len(row.get("name", "")) > 200 or len(row.get("reference", "")) > 100:
            result.errors.append(f"Row {line}: the name or reference is too long.")
            continue
        rows.append(row)
        if len(rows) > conf.upload_max_rows():
            result.errors.append(f"The file has more than {conf.upload_max_rows()} rows: split it.")
            return result
    if result.errors:
        return result
    if not rows:
        result.errors.append("The file has no rows with an email address.")
        return result
    with transaction.atomic():
        for row in rows:
            invitation_create(
                survey=survey,
                email=row["email"],
                name=row.get("name", ""),
                reference=row.get("reference", ""),
                created_by=created_by,
                send_at=send_at,
            )
            result.created += 1
    return result
