"""Writes for feedback: intake from every channel, the analysis pipeline, triage.

Every channel (the public form, staff entry, imports, surveys, the youth forum) goes through
`feedback_ingest`, which commits the row and queues analysis after commit. It never waits for
the analysis and never fails because the broker is down: the periodic sweep
(`feedback.tasks.sweep_unanalysed`) picks up anything that was never queued.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince

from portal.models import Objective
from portal.queueing import enqueue_on_commit
from portal.roles import Role, group_name
from portal.text import clean_text

from . import analysis, labels
from .models import (
    Audience,
    AuditEntry,
    FeedbackItem,
    FeedbackOriginal,
    ItemAnalysis,
    ItemTheme,
    Locality,
    ObjectiveTag,
    QuoteModeration,
    SafeguardingAlert,
    StaffLabel,
    Theme,
)
from .selectors import analysis_context, analysis_context_if_loaded, original_for

# Triage has its own module; its services are part of this app's public surface.
from .triage import (  # noqa: F401
    ALLOWED_TRANSITIONS,
    audit_record,
    feedback_mark_responded,
    feedback_note_add,
    feedback_triage,
)

logger = logging.getLogger(__name__)
User = get_user_model()


def feedback_ingest(
    *,
    text: str,
    channel: str,
    audience: str,
    source_ref: str = "",
    received_at: datetime | None = None,
    locality: str = "",
    consent_to_quote: bool = False,
    contact_email: str = "",
    contact_name: str = "",
    wants_reply: bool = False,
    entered_by=None,
    quote_moderation: str = "",
) -> FeedbackItem:
    """Create a feedback item from any channel (see docs/architecture.md for the contract).

    Called by the public form, staff entry, imports, surveys and the youth forum. Idempotent for
    a non-empty `source_ref`: the existing item is returned (later moderation decisions go
    through `feedback_quote_moderation_set`). A channel with a moderator passes
    `quote_moderation="pending"`, so its words are never quotable before a moderator decides.
    """
    source_ref = clean_text(source_ref)
    if source_ref:
        existing = FeedbackItem.objects.filter(source_ref=source_ref).first()
        if existing is not None:
            return existing
    # Feedback is never lost over a label: an unknown audience or locality becomes "not known".
    if audience not in Audience.values:
        audience = Audience.UNKNOWN
    if locality not in Locality.values:
        locality = ""
    item = FeedbackItem(
        channel=channel,
        audience=audience,
        source_ref=source_ref,
        received_at=received_at or timezone.now(),
        locality=locality or "",
        consent_to_quote=bool(consent_to_quote),
        wants_reply=bool(wants_reply),
        entered_by=entered_by,
        quote_moderation=quote_moderation or "",
    )
    original = FeedbackOriginal(
        text=clean_text(text),
        contact_email=clean_text(contact_email),
        contact_name=clean_text(contact_name),
    )
    item.full_clean()
    original.full_clean(exclude=["item"])
    try:
        with transaction.atomic():
            item.save()
            original.item = item
            original.save()
            AuditEntry.objects.create(
                item=item,
                actor=entered_by,
                action="created",
                changes={"channel": channel, "source_ref": source_ref},
            )
    except IntegrityError:
        # Two callers raced with the same source_ref: the other one won, return its item.
        if source_ref:
            existing = FeedbackItem.objects.filter(source_ref=source_ref).first()
            if existing is not None:
                return existing
        raise
    from .tasks import analyse_item

    # If the broker is down the row is committed anyway and the sweep analyses it.
    enqueue_on_commit(analyse_item, item.pk)
    return item


def submission_at_risk(*, texts) -> bool:
    """The quick safeguarding screen at submit time, for the confirmation page's crisis
    signposting (every channel's submit service calls it; the view keeps only the yes/no in
    the session, never the text). Uses the trained screen only if this process already loaded
    it: a web request must not wait for a model to load."""
    context = analysis_context_if_loaded()
    models = context.models if context is not None and context.learned else None
    return any(analysis.safeguarding_quick_screen(t, models=models) for t in texts if t)


def feedback_submit(
    *,
    text: str,
    audience: str,
    locality: str = "",
    consent_to_quote: bool = False,
    contact_email: str = "",
    contact_name: str = "",
    wants_reply: bool = False,
) -> FeedbackItem:
    """The public feedback form: anonymous feedback from anyone. The returned item carries
    `at_risk_on_submit` (not stored): the quick screen's answer, for the thanks page."""
    from .models import Channel

    item = feedback_ingest(
        text=text,
        channel=Channel.WEB_FORM,
        audience=audience,
        locality=locality,
        consent_to_quote=consent_to_quote,
        contact_email=contact_email,
        contact_name=contact_name,
        wants_reply=wants_reply and bool(contact_email),
    )
    item.at_risk_on_submit = submission_at_risk(texts=[text])
    return item


# --- Analysis -------------------------------------------------------------------------------


def feedback_analyse(*, item_id: int, skip_if_done: bool = False) -> FeedbackItem | None:
    """Run the whole pipeline on one item and store the results. Safe to run any number of
    times: results are replaced, staff decisions on tags are kept, and the alert for an item is
    created (and emailed) once, guarded by a unique constraint and a claimed `notified_at`.

    With `skip_if_done` (the queue and the sweep) an item already analysed is left alone and
    None returned: checked under the row lock, so when the sweep and a queued task reach the
    same item together only the first stores anything."""
    original = FeedbackOriginal.objects.filter(item_id=item_id).select_related("item").first()
    if original is None:
        return None
    context = analysis_context()
    result = analysis.analyse(original.text, context=context)
    detail = _analysis_detail(result, context)
    objectives = {
        o.code: o
        for o in Objective.objects.filter(
            code__in=[s.code for s in result.objectives], area__plan__is_current=True
        )
    }
    themes = {t.label: t for t in Theme.objects.filter(label__in=[t.label for t in result.themes])}
    alert = None
    # A fixed handful of queries per item, however many themes and tags it gets: under an
    # outage backlog the worker spends its time on round trips, not on the analysis itself
    # (bench/load_surveys.py; about 60 queries an item before, with update_or_create per row).
    with transaction.atomic():
        item = FeedbackItem.objects.select_for_update().get(pk=item_id)
        if skip_if_done and item.analysis_state == FeedbackItem.AnalysisState.DONE:
            return None
        item.redacted_text = result.redacted_text
        item.redactions = result.redaction_counts
        item.sentiment = result.sentiment.label
        item.polarity = result.sentiment.polarity
        item.subjectivity = result.sentiment.subjectivity
        item.key_phrases = result.key_phrases
        item.safeguarding = result.safeguarding.flagged
        item.set_aside = result.set_aside
        item.analysis_state = FeedbackItem.AnalysisState.DONE
        item.analysed_at = timezone.now()
        item.analysis_error = ""
        item.analysis_attempts += 1
        # Analysis changes no unique field, so the uniqueness queries would only cost time.
        item.full_clean(validate_unique=False, validate_constraints=False)
        item.save()
        _store_themes(item, [(themes[m.label], m.matched) for m in result.themes if m.label in themes])
        _store_suggestions(item, [(objectives[s.code], s) for s in result.objectives if s.code in objectives])
        ItemAnalysis.objects.update_or_create(item=item, defaults=detail)
        if result.safeguarding.flagged:
            alert, _ = SafeguardingAlert.objects.get_or_create(
                item=item, defaults={"reasons": result.safeguarding.reasons}
            )
    if alert is not None:
        transaction.on_commit(lambda: safeguarding_alert_notify(alert_id=alert.pk))
    return item


def _analysis_detail(result, context) -> dict:
    """The `ItemAnalysis` row for a result: versions, language, and the safeguarding evidence
    for the lead (matched phrases are redacted first: the row outlives the original's purge)."""
    screen = result.safeguarding
    return {
        "version": result.version,
        "language": result.language,
        "language_name": result.language_name,
        "needs_translation": result.needs_translation,
        "safeguarding_score": screen.score,
        "safeguarding_evidence": {
            "raised_by": screen.raised_by,
            "reasons": screen.reasons,
            "phrases": [context.redactor.redact(p).text for p in screen.evidence],
            "model_score": screen.score,
            "model_threshold": screen.threshold,
            "model_terms": screen.model_terms,
            "model_version": screen.model_version,
        },
    }


def _store_themes(item: FeedbackItem, found: list) -> None:
    """Replace the item's themes with `found` ((theme, matched words) pairs) in two queries."""
    ItemTheme.objects.filter(item=item).exclude(theme__in=[theme for theme, _ in found]).delete()
    if found:
        ItemTheme.objects.bulk_create(
            [ItemTheme(item=item, theme=theme, matched=matched) for theme, matched in found],
            update_conflicts=True,
            unique_fields=["item", "theme"],
            update_fields=["matched", "updated_at"],
        )


def _store_suggestions(item: FeedbackItem, suggested: list) -> None:
    """Replace the pipeline's suggested tags with `suggested` ((objective, suggestion) pairs).
    Tags staff confirmed or rejected are never touched: the caller holds the item's row lock,
    and triage takes the same lock before deciding a tag."""
    ObjectiveTag.objects.filter(item=item, state=ObjectiveTag.State.SUGGESTED).exclude(
        objective__in=[objective for objective, _ in suggested]
    ).delete()
    decided = set(
        ObjectiveTag.objects.filter(item=item)
        .exclude(state=ObjectiveTag.State.SUGGESTED)
        .values_list("objective_id", flat=True)
    )
    rows = [
        ObjectiveTag(
            item=item,
            objective=objective,
            confidence=round(suggestion.confidence, 3),
            cues=suggestion.cues,
            state=ObjectiveTag.State.SUGGESTED,
        )
        for objective, suggestion in suggested
        if objective.pk not in decided
    ]
    if rows:
        ObjectiveTag.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["item", "objective"],
            update_fields=["confidence", "cues", "state", "updated_at"],
        )


def feedback_mark_failed(*, item_id: int, error: str) -> None:
    """Record a failed analysis; the sweep retries it until `analysis_attempts` reaches 5, after
    which it waits in the inbox (filter "Analysis failed") for someone to look."""
    FeedbackItem.objects.filter(pk=item_id).exclude(analysis_state=FeedbackItem.AnalysisState.DONE).update(
        analysis_state=FeedbackItem.AnalysisState.FAILED,
        analysis_error=error[:2000],
        analysis_attempts=F("analysis_attempts") + 1,
    )


def _role_emails(role: str) -> list[str]:
    return list(
        User.objects.filter(groups__name=group_name(role), is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def _alert_link(alert: SafeguardingAlert) -> str:
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    return base + reverse("feedback_admin:alert", args=[alert.pk])


def safeguarding_alert_notify(*, alert_id: int) -> bool:
    """Email every safeguarding lead about an alert, once. The alert row stays locked while the
    email is sent and is marked sent in the same transaction, so a second worker skips it, and
    a worker that dies mid-send (SIGKILL, lost connection) rolls back: the sweep sends it again.
    At least once, never lost; a duplicate needs a death between the send and the commit.

    With no one in the safeguarding lead role the alert is not marked sent (the sweep keeps
    offering it, so the first lead appointed gets it) and the administrators are told at once,
    once (`admins_notified_at`), in words that say no lead is set up. With no administrators
    either, it logs an error on every sweep until someone can receive it. Returns whether a
    lead was emailed."""
    with transaction.atomic():
        alert = (
            SafeguardingAlert.objects.select_for_update(skip_locked=True)
            .filter(pk=alert_id, notified_at__isnull=True)
            .first()
        )
        if alert is None:
            return False
        link = _alert_link(alert)
        recipients = _role_emails(Role.SAFEGUARDING_LEAD)
        if not recipients:
            _alert_tell_admins_no_lead(alert=alert, link=link)
            return False
        # The email carries no feedback text: it may contain personal data.
        send_mail(
            subject=f"Safeguarding alert: feedback #{alert.item_id} needs review",
            message=(
                "Feedback received on the SEND feedback platform may suggest that a child or young "
                f"person is at risk.\n\nReasons: {', '.join(alert.reasons)}\n\nReview it now: {link}\n"
            ),
            from_email=None,
            recipient_list=recipients,
        )
        alert.notified_at = timezone.now()
        alert.save(update_fields=["notified_at", "updated_at"])
    return True


def _alert_tell_admins_no_lead(*, alert: SafeguardingAlert, link: str) -> None:
    """Inside `safeguarding_alert_notify`'s locked transaction: nobody holds the lead role."""
    if alert.admins_notified_at is not None:
        logger.warning("Safeguarding alert %s waiting: no one holds the safeguarding lead role", alert.pk)
        return
    admins = _role_emails(Role.ADMINISTRATOR)
    if not admins:
        logger.error(
            "Safeguarding alert %s raised but no one holds the safeguarding lead or administrator "
            "role: nobody has been told; it will be retried",
            alert.pk,
        )
        return
    send_mail(
        subject=f"URGENT: no safeguarding lead is set up - alert for feedback #{alert.item_id}",
        message=(
            "Feedback received on the SEND feedback platform may suggest that a child or young person "
            "is at risk, but no safeguarding lead is set up on the platform, so nobody responsible "
            "for safeguarding has been told.\n\n"
            "Give someone the safeguarding lead role now (they will be sent this alert), and make "
            f"sure the alert is reviewed: {link}\n"
        ),
        from_email=None,
        recipient_list=admins,
    )
    alert.admins_notified_at = timezone.now()
    alert.save(update_fields=["admins_notified_at", "updated_at"])


def safeguarding_alert_escalate(*, alert_id: int) -> bool:
    """Send an alert nobody acknowledged in time to the deputy safeguarding lead(s)
    (FEEDBACK_SAFEGUARDING_DEPUTY_EMAILS) and the administrators, once: locked, sent and marked
    in one transaction, as `safeguarding_alert_notify` does. No feedback text, only the link and
    the alert's age. Returns whether it was sent."""
    from . import conf

    with transaction.atomic():
        alert = (
            SafeguardingAlert.objects.select_for_update(skip_locked=True)
            .filter(pk=alert_id, escalated_at__isnull=True, state=SafeguardingAlert.State.OPEN)
            .first()
        )
        if alert is None:
            return False
        recipients = sorted(set(conf.safeguarding_deputy_emails()) | set(_role_emails(Role.ADMINISTRATOR)))
        if not recipients:
            logger.error("Safeguarding alert %s unacknowledged; no deputy or administrator to tell", alert.pk)
            return False
        age = timesince(alert.created_at, timezone.now())
        send_mail(
            subject=f"ESCALATED: safeguarding alert for feedback #{alert.item_id} not acknowledged",
            message=(
                f"A safeguarding alert raised {age} ago on the SEND feedback platform has not been "
                "acknowledged by a safeguarding lead.\n\n"
                f"Make sure someone reviews it now: {_alert_link(alert)}\n"
            ),
            from_email=None,
            recipient_list=recipients,
        )
        alert.escalated_at = timezone.now()
        alert.save(update_fields=["escalated_at", "updated_at"])
    return True


def feedback_overdue_notify(*, today=None) -> int:
    """Once a day, tell the team lead (FEEDBACK_TEAM_LEAD_EMAILS, or else everyone in the
    engagement team role) how many items are waiting for triage past
    FEEDBACK_TRIAGE_OVERDUE_HOURS, with a link to the Overdue filter: the safety net for items
    nobody picked up. A count and a link only, never feedback text. Returns the count sent
    (0 when nothing is overdue or today's email already went)."""
    from django.core.cache import cache

    from . import conf
    from .selectors import items_overdue_count

    count = items_overdue_count()
    if not count:
        return 0
    recipients = conf.team_lead_emails() or _role_emails(Role.ENGAGEMENT_TEAM)
    if not recipients:
        logger.error("%s feedback items are overdue for triage but there is no one to tell", count)
        return 0
    day = (today or timezone.localdate()).isoformat()
    if not cache.add(f"feedback:overdue-notified:{day}", True, timeout=2 * 86400):
        return 0
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    link = base + reverse("feedback_admin:inbox") + "?overdue=yes"
    try:
        send_mail(
            subject=f"{count} feedback item{'s' if count != 1 else ''} waiting for triage",
            message=(
                f"{count} feedback item{'s have' if count != 1 else ' has'} not been triaged within "
                f"{conf.triage_overdue_hours()} hours of arriving.\n\nSee them: {link}\n"
            ),
            from_email=None,
            recipient_list=recipients,
        )
    except Exception:
        cache.delete(f"feedback:overdue-notified:{day}")
        raise
    return count


# --- Triage -------------------------------------------------------------------------------


@transaction.atomic
def feedback_quote_moderation_set(*, source_ref: str, state: str, actor=None) -> FeedbackItem | None:
    """Record a moderator's decision on the words of the item that came from `source_ref`:
    "approved" (may be quoted, if everything else allows it), "hidden" or "pending" (never
    quoted). Called by the youth forum when a view is sent, approved or hidden, so a view a
    moderator hid never reaches a board pack or a "You said, we did" page (`quotable_q`).
    Audited when it changes; returns the item, or None when no item has that source_ref."""
    if state not in QuoteModeration.values or state == QuoteModeration.NOT_MODERATED:
        raise ValidationError({"quote_moderation": "Choose approved, hidden or pending."})
    source_ref = clean_text(source_ref)
    if not source_ref:
        return None
    item = FeedbackItem.objects.select_for_update().filter(source_ref=source_ref).first()
    if item is None or item.quote_moderation == state:
        return item
    changes = {"quote_moderation": [item.quote_moderation, state]}
    item.quote_moderation = state
    item.save(update_fields=["quote_moderation", "updated_at"])
    audit_record(item, actor, "quote_moderation", changes)
    return item


@transaction.atomic
def feedback_tags_confirm(*, item: FeedbackItem, actor, codes: list[str] | None = None) -> list[ObjectiveTag]:
    """Confirm tags. With `codes=None`, confirm the pipeline's suggestions as they are; with a
    list, those objectives become the confirmed tags and other suggestions are rejected."""
    # Take the item's row lock, as analysis does, so a re-analysis running now cannot turn a
    # decision back into a suggestion.
    list(FeedbackItem.objects.select_for_update().filter(pk=item.pk).values_list("pk", flat=True))
    tags = ObjectiveTag.objects.select_for_update().filter(item=item)
    before = sorted(t.objective.code for t in tags if t.state == ObjectiveTag.State.CONFIRMED)
    states_before = {t.objective.code: t.state for t in tags}
    if codes is None:
        tags.filter(state=ObjectiveTag.State.SUGGESTED).update(
            state=ObjectiveTag.State.CONFIRMED, decided_by=actor, updated_at=timezone.now()
        )
    else:
        wanted = {o.code: o for o in Objective.objects.filter(code__in=codes, area__plan__is_current=True)}
        missing = set(codes) - set(wanted)
        if missing:
            raise ValidationError({"codes": f"Unknown objective codes: {', '.join(sorted(missing))}"})
        tags.exclude(objective__code__in=list(wanted)).update(
            state=ObjectiveTag.State.REJECTED, decided_by=actor, updated_at=timezone.now()
        )
        for objective in wanted.values():
            ObjectiveTag.objects.update_or_create(
                item=item,
                objective=objective,
                defaults={"state": ObjectiveTag.State.CONFIRMED, "decided_by": actor},
            )
    after = sorted(
        ObjectiveTag.objects.filter(item=item, state=ObjectiveTag.State.CONFIRMED).values_list(
            "objective__code", flat=True
        )
    )
    audit_record(item, actor, "tags_confirmed", {"confirmed": [before, after]})
    labels.labels_from_tag_decisions(item=item, actor=actor, states_before=states_before)
    if item.status == FeedbackItem.Status.NEW:
        feedback_triage(item=item, actor=actor, status=FeedbackItem.Status.TRIAGED)
    return list(ObjectiveTag.objects.filter(item=item))


@transaction.atomic
def safeguarding_alert_update(
    *, alert: SafeguardingAlert, actor, state: str, notes: str = "", not_a_concern: bool = False
) -> SafeguardingAlert:
    """The safeguarding lead acknowledges or closes an alert. `not_a_concern` closes it as a
    false alarm and keeps that as a training label (`feedback.labels`)."""
    if not_a_concern:
        state = SafeguardingAlert.State.CLOSED
    alert = SafeguardingAlert.objects.select_for_update().get(pk=alert.pk)
    changes = {"alert_state": [alert.state, state]}
    alert.state = state
    alert.handled_by = actor
    if clean_text(notes):
        alert.notes = (alert.notes + "\n" + clean_text(notes)).strip()
    alert.full_clean()
    alert.save()
    if not_a_concern:
        changes["outcome"] = "not_a_concern"
        labels.label_record(item=alert.item, kind=StaffLabel.Kind.NOT_A_CONCERN, actor=actor)
    audit_record(alert.item, actor, "alert_updated", changes)
    return alert


def school_seed() -> int:
    """Load the maintained list of Oxfordshire schools (feedback/data/schools.txt). Idempotent."""
    from .models import School

    created = 0
    for name, locality in analysis.load_school_file():
        _, was_created = School.objects.get_or_create(name=name, defaults={"locality": locality})
        created += was_created
    return created


def theme_seed() -> int:
    """Load the starter theme taxonomy (feedback/data/themes.json), linking themes to the
    current plan's objectives. Idempotent: existing themes keep their edited keywords and links."""
    created = 0
    for spec in analysis.load_theme_file():
        theme, was_created = Theme.objects.get_or_create(
            label=spec["label"], defaults={"keywords": "\n".join(spec["keywords"])}
        )
        created += was_created
        # Link objectives when the theme has none yet (the plan may be loaded after migrate).
        if spec.get("objectives") and not theme.objectives.exists():
            theme.objectives.set(
                Objective.objects.filter(code__in=spec["objectives"], area__plan__is_current=True)
            )
    return created


def redact_text(text: str) -> str:
    """Redact personal data from any text with the live school list, for other apps that show
    free text (survey results, youth forum views). Positional on purpose: `surveys.selectors`
    looks it up by name and calls `fn(text)`. Pure: writes nothing."""
    return analysis_context().redactor.redact(clean_text(text)).text


# --- Data protection: audited reads of originals, erasure -----------------------------------


def original_view(*, item: FeedbackItem, user, screen: str, reason: str = "", detail: dict | None = None):
    """The original text and contact details for someone allowed to read them (the safeguarding
    lead), recorded in the access log (`portal.models.AccessLogEntry`): who, when, which item,
    which screen. Used by the item and safeguarding alert screens instead of the selector, so
    no screen can show an original without leaving a trace. Returns None, and records nothing,
    for anyone else; a purged original is returned (the screen says when it was purged) but
    discloses nothing, so it is not recorded."""
    from portal.models import AccessLogEntry
    from portal.services import access_log_record

    original = original_for(item=item, user=user)
    if original is None:
        return None
    if original.purged_at is None and (original.text or original.contact_email or original.contact_name):
        access_log_record(
            actor=user,
            action=AccessLogEntry.Action.ORIGINAL_VIEWED,
            object_type="feedback.item",
            object_id=item.pk,
            screen=screen,
            reason=reason,
            detail={"safeguarding": item.safeguarding, **(detail or {})},
        )
    return original


OPEN_ALERT_STATES = [SafeguardingAlert.State.OPEN, SafeguardingAlert.State.ACKNOWLEDGED]


@transaction.atomic
def feedback_erase(*, item_ids=None, source_refs=None, now: datetime | None = None) -> dict[str, int]:
    """Erase what a person wrote in these items (by primary key and/or `source_ref`), keeping
    the non-personal analysis (channel, audience, dates, sentiment, themes, objective tags) that
    board packs count. The original text and contact details, the redacted text and key phrases
    are blanked, consent to quote withdrawn and `source_ref` cleared (it points at a record that
    is being deleted). Triage notes and the audit trail are staff records and stay.

    Items with an open or acknowledged safeguarding alert keep their text until the safeguarding
    lead closes the alert: the duty to protect a child outweighs erasure (`feedback.retention`
    purges the original later). Called by subject erasure, the youth forum (a member leaving)
    and surveys; returns {"erased": n, "kept_for_safeguarding": m}.
    """
    now = now or timezone.now()
    item_ids = [int(pk) for pk in (item_ids or [])]
    source_refs = [ref for ref in (source_refs or []) if ref]
    if not item_ids and not source_refs:
        return {"erased": 0, "kept_for_safeguarding": 0}
    items = FeedbackItem.objects.filter(Q(pk__in=item_ids) | Q(source_ref__in=source_refs))
    kept = items.filter(alert__state__in=OPEN_ALERT_STATES).count()
    pks = list(items.exclude(alert__state__in=OPEN_ALERT_STATES).values_list("pk", flat=True))
    FeedbackOriginal.objects.filter(item_id__in=pks).update(
        text="", contact_email="", contact_name="", purged_at=now, updated_at=now
    )
    FeedbackItem.objects.filter(pk__in=pks).update(
        redacted_text="",
        key_phrases=[],
        consent_to_quote=False,
        wants_reply=False,
        source_ref="",
        updated_at=now,
    )
    # The evidence quotes (redacted) what the person wrote: it goes with the text.
    ItemAnalysis.objects.filter(item_id__in=pks).update(safeguarding_evidence={}, updated_at=now)
    AuditEntry.objects.bulk_create(
        [AuditEntry(item_id=pk, action="erased", changes={"reason": "a person's data erased"}) for pk in pks]
    )
    return {"erased": len(pks), "kept_for_safeguarding": kept}


def feedback_subject_erase(*, emails: list[str], now: datetime | None = None) -> dict[str, int]:
    """Erase feedback given with one of these contact emails (subject erasure, see
    `privacy.subject_access`). Feedback from surveys and the youth forum is erased by those apps,
    which know whose it was."""
    from .selectors import items_for_contact_emails

    return feedback_erase(
        item_ids=list(items_for_contact_emails(emails).values_list("pk", flat=True)), now=now
    )
