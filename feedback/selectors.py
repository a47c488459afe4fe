"""Reads for feedback: the triage inbox, what a role may see, the analysis context."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from portal.roles import Role, user_has_role

from .models import (
    AnalysisModel,
    FeedbackItem,
    FeedbackOriginal,
    ObjectiveTag,
    SafeguardingAlert,
    School,
    Theme,
)

_context_lock = threading.Lock()
_context_cache: dict = {"key": None, "value": None, "checked": 0.0}


def _context_key():
    from portal.models import Objective

    return (
        School.objects.filter(is_active=True).aggregate(n=Max("updated_at"))["n"],
        School.objects.count(),
        Theme.objects.aggregate(n=Max("updated_at"))["n"],
        Theme.objects.count(),
        Theme.objects.filter(objectives__isnull=False).count(),
        Objective.objects.filter(area__plan__is_current=True).count(),
        Objective.objects.filter(area__plan__is_current=True).aggregate(n=Max("updated_at"))["n"],
        # Staff-confirmed tags teach objective suggestions; a newly adopted model replaces the old.
        ObjectiveTag.objects.filter(state=ObjectiveTag.State.CONFIRMED).aggregate(n=Max("updated_at"))["n"],
        ObjectiveTag.objects.filter(state=ObjectiveTag.State.CONFIRMED).count(),
        AnalysisModel.objects.filter(is_active=True).values_list("version", flat=True).first(),
    )


def analysis_context(*, max_age: float = 5.0):
    """The pipeline's view of the database (schools, themes, objective cues), rebuilt only when
    the admin has changed schools or themes; checked at most every `max_age` seconds."""
    from portal.models import Objective

    from . import analysis, learning

    now = time.monotonic()
    with _context_lock:
        if _context_cache["value"] is not None and now - _context_cache["checked"] < max_age:
            return _context_cache["value"]
        key = _context_key()
        if key != _context_cache["key"] or _context_cache["value"] is None:
            schools = []
            for school in School.objects.filter(is_active=True):
                schools.extend(school.all_names())
            themes = [
                analysis.ThemeSpec(t.label, t.keyword_list(), [o.code for o in t.objectives.all()])
                for t in Theme.objects.filter(is_active=True).prefetch_related("objectives")
            ]
            codes = set(Objective.objects.filter(area__plan__is_current=True).values_list("code", flat=True))
            _context_cache["value"] = analysis.AnalysisContext(
                school_names=schools,
                themes=themes,
                objective_cues=analysis.load_objective_cues(),
                objective_codes=codes or None,
                objectives=objective_texts(),
                confirmed=confirmed_examples(),
                models=learning.models_current(key[-1]),
            )
            _context_cache["key"] = key
        _context_cache["checked"] = now
        return _context_cache["value"]


def objective_texts():
    """The current plan's objectives in their own words (title, impact, sub-theme, priority
    area), so suggestions work for whichever plan is loaded."""
    from portal.models import Objective

    from .objective_text import ObjectiveText

    rows = Objective.objects.filter(area__plan__is_current=True).select_related("area", "sub_theme")
    return [
        ObjectiveText(
            code=o.code,
            title=o.title,
            impact=o.impact,
            sub_theme=o.sub_theme.title if o.sub_theme else "",
            area=o.area.title,
        )
        for o in rows.order_by("code")
    ]


def confirmed_examples(*, per_objective: int = 200) -> list[tuple[str, str]]:
    """(objective code, redacted text) of the latest items staff confirmed for each objective of
    the current plan: the nearest-neighbour signal for suggestions. Redacted text only."""
    tags = (
        ObjectiveTag.objects.filter(
            state=ObjectiveTag.State.CONFIRMED,
            objective__area__plan__is_current=True,
            item__analysis_state=FeedbackItem.AnalysisState.DONE,
            item__safeguarding=False,
        )
        .exclude(item__redacted_text="")
        .exclude(item__analysis_detail__needs_translation=True)
        .order_by("objective__code", "-updated_at", "-pk")
        .values_list("objective__code", "item__redacted_text")
    )
    out, seen = [], {}
    for code, text in tags.iterator():
        seen[code] = seen.get(code, 0) + 1
        if seen[code] <= per_objective:
            out.append((code, text))
    return out


def analysis_context_if_loaded():
    """The cached analysis context if this process has built one, else None (never builds)."""
    return _context_cache["value"]


def analysis_context_reset() -> None:
    with _context_lock:
        _context_cache.update(key=None, value=None, checked=0.0)


def may_view_original(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and (user.has_perm("feedback.view_original_text") or user_has_role(user, Role.SAFEGUARDING_LEAD))
    )


# What the inbox shows in place of the text of an item flagged for safeguarding, to anyone who
# may not read it (`may_view_original`). Survey results and exports show the same words in place
# of a flagged answer (`withheld_source_refs`): one rule, one wording.
SAFEGUARDING_WITHHELD = "Safeguarding: referred to the safeguarding lead"


def withheld_source_refs(*, source_refs, user) -> set[str]:
    """Of these `source_refs` (e.g. "surveys.answer:12"), the ones whose text `user` may not
    read: the item was flagged for safeguarding, or is not in English (English redaction cannot
    be trusted on it: `ItemAnalysis.needs_translation`), and the user may not read original text. The
    inbox's rule, for the apps that show the same words from their own records (survey results
    and exports), so a disclosure withheld in the inbox is not read in a spreadsheet instead.
    Empty for anyone allowed to read originals."""
    if may_view_original(user):
        return set()
    refs = sorted({r for r in source_refs or () if r})
    withheld: set[str] = set()
    for start in range(0, len(refs), 500):  # keep each IN list well under SQLite's parameter limit
        withheld.update(
            FeedbackItem.objects.filter(
                # Not in English: English redaction cannot be trusted on it.
                Q(safeguarding=True) | Q(analysis_detail__needs_translation=True),
                source_ref__in=refs[start : start + 500],
            ).values_list("source_ref", flat=True)
        )
    return withheld


def original_for(*, item: FeedbackItem, user) -> FeedbackOriginal | None:
    """The unredacted text, only for roles allowed to see it."""
    if not may_view_original(user):
        return None
    return FeedbackOriginal.objects.filter(item=item).first()


def feedback_inbox(*, filters: dict | None = None) -> QuerySet[FeedbackItem]:
    """Items for the triage inbox, newest first, with the filters the inbox offers."""
    filters = filters or {}
    qs = FeedbackItem.objects.select_related("owner").prefetch_related("objective_tags__objective", "themes")
    simple = {
        "status": "status",
        "channel": "channel",
        "audience": "audience",
        "sentiment": "sentiment",
        "locality": "locality",
        "analysis_state": "analysis_state",
    }
    for key, lookup in simple.items():
        if filters.get(key):
            qs = qs.filter(**{lookup: filters[key]})
    if filters.get("objective"):
        qs = qs.filter(objective_tags__objective__code=filters["objective"]).exclude(
            objective_tags__state="rejected", objective_tags__objective__code=filters["objective"]
        )
    if filters.get("theme"):
        qs = qs.filter(themes__label=filters["theme"])
    if filters.get("needs_translation"):
        qs = qs.filter(analysis_detail__needs_translation=True)
    if filters.get("date_from"):
        qs = qs.filter(received_at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        qs = qs.filter(received_at__date__lte=filters["date_to"])
    if filters.get("q"):
        qs = qs.filter(redacted_text__icontains=filters["q"])
    if filters.get("overdue"):
        qs = qs.filter(items_overdue_q())
    if filters.get("set_aside") == "yes":
        qs = qs.exclude(set_aside="")
    elif filters.get("set_aside") != "all":
        qs = qs.filter(set_aside="")
    return qs.distinct()


def items_overdue_count(*, now=None) -> int:
    return FeedbackItem.objects.filter(items_overdue_q(now=now), set_aside="").count()


def items_needing_analysis(*, min_age_seconds: int, limit: int, before_pk: int | None = None) -> list[int]:
    """Items the sweep should analyse: never analysed, or failed, older than min_age. Newest
    first, below `before_pk` (a cursor, so one sweep never meets the same item twice): the
    worker's queue runs oldest first, so under a backlog the two meet in the middle instead of
    analysing the same items side by side (seen in bench/load_surveys.py)."""
    cutoff = timezone.now() - timedelta(seconds=min_age_seconds)
    qs = FeedbackItem.objects.filter(
        Q(analysis_state=FeedbackItem.AnalysisState.PENDING)
        | Q(analysis_state=FeedbackItem.AnalysisState.FAILED, analysis_attempts__lt=5),
        created_at__lte=cutoff,
    )
    if before_pk is not None:
        qs = qs.filter(pk__lt=before_pk)
    return list(qs.order_by("-pk").values_list("pk", flat=True)[:limit])


def item_is_analysed(item_id: int) -> bool:
    return FeedbackItem.objects.filter(pk=item_id, analysis_state=FeedbackItem.AnalysisState.DONE).exists()


def alerts_unnotified() -> list[int]:
    return list(SafeguardingAlert.objects.filter(notified_at__isnull=True).values_list("pk", flat=True))


def alerts_to_escalate(*, now=None) -> list[int]:
    """Open alerts nobody has acknowledged within FEEDBACK_ALERT_ESCALATE_MINUTES, not yet
    escalated (the escalation beat task sends each once)."""
    from datetime import timedelta

    from django.utils import timezone

    from . import conf

    cutoff = (now or timezone.now()) - timedelta(minutes=conf.alert_escalate_minutes())
    return list(
        SafeguardingAlert.objects.filter(
            state=SafeguardingAlert.State.OPEN, escalated_at__isnull=True, created_at__lte=cutoff
        ).values_list("pk", flat=True)
    )


def active_safeguarding_leads_exist() -> bool:
    """Whether anyone can receive a safeguarding alert (health check, dashboard, deploy check)."""
    from django.contrib.auth import get_user_model

    from portal.roles import Role, group_name

    return (
        get_user_model()
        .objects.filter(groups__name=group_name(Role.SAFEGUARDING_LEAD), is_active=True)
        .exclude(email="")
        .exists()
    )


def items_overdue_q(*, now=None):
    """Items still waiting for triage after FEEDBACK_TRIAGE_OVERDUE_HOURS (plain hours)."""
    from datetime import timedelta

    from django.utils import timezone

    from . import conf

    cutoff = (now or timezone.now()) - timedelta(hours=conf.triage_overdue_hours())
    return Q(status=FeedbackItem.Status.NEW, received_at__lte=cutoff)


def quotable_items(*, objective_code: str | None = None) -> QuerySet[FeedbackItem]:
    """Items that may be quoted anonymously (the one rule, `feedback.models.quotable_q`), if
    asked, only those with a confirmed tag for one objective."""
    qs = FeedbackItem.objects.quotable()
    if objective_code:
        qs = qs.filter(objective_tags__objective__code=objective_code, objective_tags__state="confirmed")
    return qs


# --- Data protection ---------------------------------------------------------------------------


def items_for_contact_emails(emails) -> QuerySet[FeedbackItem]:
    """Items whose original gives one of these contact emails (case does not matter)."""
    emails = [e.strip() for e in emails or [] if e and e.strip()]
    if not emails:
        return FeedbackItem.objects.none()
    match = Q()
    for email in emails:
        match |= Q(original__contact_email__iexact=email)
    return FeedbackItem.objects.filter(match)


def feedback_subject_data(*, emails, source_refs=(), include_withheld: bool = False) -> dict:
    """Everything feedback holds about one person, for a subject access export: items given
    with one of their contact emails, and items that came from their survey answers or youth
    forum views (`source_refs`, supplied by those apps). Each item with its original text,
    contact details, staff notes and what we did with it.

    Items flagged for safeguarding are listed without their text unless `include_withheld`
    (the data protection officer's command): releasing a disclosure about a child may put the
    child at risk, so a person decides (UK GDPR / DPA 2018 exemptions), not this function.
    """
    refs = [r for r in source_refs or [] if r]
    items = (
        FeedbackItem.objects.filter(
            Q(pk__in=items_for_contact_emails(emails).values("pk")) | Q(source_ref__in=refs)
        )
        .select_related("original", "alert")
        .prefetch_related("themes", "notes")
        .order_by("received_at", "pk")
    )
    out, withheld = [], 0
    for item in items:
        original = getattr(item, "original", None)
        flagged = item.safeguarding or hasattr(item, "alert")
        row = {
            "id": item.pk,
            "received_at": item.received_at,
            "channel": item.get_channel_display(),
            "audience": item.get_audience_display(),
            "locality": item.get_locality_display() if item.locality else "",
            "consent_to_quote": item.consent_to_quote,
            "wants_reply": item.wants_reply,
            "status": item.get_status_display(),
            "response_page": item.response_url,
            "sentiment": item.get_sentiment_display(),
            "themes": [t.label for t in item.themes.all()],
        }
        if flagged and not include_withheld:
            withheld += 1
            row["withheld"] = (
                "The text of this feedback is held under our safeguarding duty. Ask the data "
                "protection officer for it: they will decide what can be released."
            )
        else:
            row.update(
                {
                    "original_text": original.text if original else "",
                    "original_purged_at": original.purged_at if original else None,
                    "contact_name": original.contact_name if original else "",
                    "contact_email": original.contact_email if original else "",
                    "redacted_text": item.redacted_text,
                    # What staff wrote while working the item is about the person too. Who wrote
                    # each note is left out: the person asked for their data, not staff names.
                    "staff_notes": [{"written_at": n.created_at, "text": n.text} for n in item.notes.all()],
                }
            )
        out.append(row)
    return {"items": out, "withheld_for_safeguarding": withheld}
