"""Learning from staff (issue 14 item 3): every triage decision is kept as a training label.

Who writes here: the triage services (`feedback.services.feedback_tags_confirm`,
`safeguarding_alert_update` with "not a concern") call `label_record`; the item page's
"Should have been flagged" button calls `item_flag_by_staff`. Who reads: `manage.py
retrain_analysis_models` (`labels_for_training` → `learning.model_train(extra_labels=...)`) and
`retrain_gate`, which decides whether a retrained candidate may replace the current models.

Why the redacted text: a label is trained on what the pipeline stored for the item
(`FeedbackItem.redacted_text`), never the original, so a trained model's vocabulary never holds
a name, address or contact detail. Items whose text was withheld (not in English) are left out.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .models import AuditEntry, FeedbackItem, ItemAnalysis, SafeguardingAlert, StaffLabel

FLAGGED_BY_STAFF = "flagged by staff"

# The adoption gate (`retrain_gate`). Safeguarding recall on the held-out set may never fall:
# a missed disclosure is the worst outcome. False alarms may rise by at most one point (each
# is a person's review, not a harm); sentiment agreement and objective top-3 may fall by at most
# two points (a handful of held-out items: noise at that size, and staff correct both).
FALSE_ALARM_TOLERANCE = 0.01
SENTIMENT_TOLERANCE = 0.02
OBJECTIVE_TOLERANCE = 0.02


# --- Writes -----------------------------------------------------------------------------------


def label_record(*, item: FeedbackItem, kind: str, actor=None, value: str = "") -> StaffLabel:
    """Keep one triage decision as a label. Called inside the deciding service's transaction."""
    return StaffLabel.objects.create(item=item, kind=kind, value=value or "", actor=actor)


@transaction.atomic
def item_flag_by_staff(*, item: FeedbackItem, actor) -> StaffLabel:
    """A triage member says this item should have been flagged for safeguarding. Writes the
    label, audits it, and raises an alert at once if the item has none (the point of the
    button: the safeguarding lead must see it now, not after the next retraining)."""
    from .services import safeguarding_alert_notify

    item = FeedbackItem.objects.select_for_update().get(pk=item.pk)
    label = label_record(item=item, kind=StaffLabel.Kind.SHOULD_HAVE_FLAGGED, actor=actor)
    alert, created = SafeguardingAlert.objects.get_or_create(
        item=item, defaults={"reasons": [FLAGGED_BY_STAFF]}
    )
    if not item.safeguarding:
        item.safeguarding = True
        item.save(update_fields=["safeguarding", "updated_at"])
    AuditEntry.objects.create(
        item=item,
        actor=actor,
        action="flagged_by_staff",
        changes={"alert": alert.pk, "alert_raised": created},
    )
    if created:
        transaction.on_commit(lambda: safeguarding_alert_notify(alert_id=alert.pk))
    return label


# --- Reads ------------------------------------------------------------------------------------


def labels_for_training() -> list[dict]:
    """The store as `learning.model_train(extra_labels=...)` rows: one per labelled item, its
    redacted text with the latest decision of each kind (a later "should have been flagged"
    overrides an earlier "not a concern", a later rejection overrides a confirmation)."""
    from .learning import PLAN_FILE, TRAINING_PLAN
    from .objective_text import objectives_from_plan_file

    # Objective labels only for codes the trained objective model knows.
    known = {o.code for o in objectives_from_plan_file(PLAN_FILE, TRAINING_PLAN)}
    withheld = set(ItemAnalysis.objects.filter(needs_translation=True).values_list("item_id", flat=True))
    per_item: dict[int, dict] = {}
    rows = StaffLabel.objects.select_related("item").order_by("created_at", "pk")
    for label in rows:
        if label.item_id in withheld or not (label.item.redacted_text or "").strip():
            continue
        entry = per_item.setdefault(
            label.item_id, {"text": label.item.redacted_text, "safeguarding": None, "codes": {}}
        )
        if label.kind == StaffLabel.Kind.NOT_A_CONCERN:
            entry["safeguarding"] = False
        elif label.kind == StaffLabel.Kind.SHOULD_HAVE_FLAGGED:
            entry["safeguarding"] = True
        elif label.kind in (StaffLabel.Kind.OBJECTIVE_CONFIRMED, StaffLabel.Kind.OBJECTIVE_REJECTED):
            entry["codes"][label.value] = label.kind == StaffLabel.Kind.OBJECTIVE_CONFIRMED
    out = []
    for entry in per_item.values():
        row: dict = {"text": entry["text"]}
        if entry["safeguarding"] is not None:
            row["safeguarding"] = entry["safeguarding"]
        confirmed = sorted(c for c, yes in entry["codes"].items() if yes and c in known)
        if confirmed:
            row["objectives"] = confirmed
        if len(row) > 1:
            out.append(row)
    return out


def retrain_gate(current: dict, candidate: dict) -> tuple[bool, list[str]]:
    """Whether a candidate's held-out figures (`feedback.quality.evaluate`) are no worse than
    the current models': recall first, then false alarms, sentiment and objective top-3 within
    the tolerances above. Returns (adopt, reasons it was refused)."""
    refused = []

    def fig(report, key):
        value = report.get(key)
        return value if value is not None else 0.0

    if fig(candidate, "safeguarding_recall") < fig(current, "safeguarding_recall"):
        refused.append("safeguarding recall fell")
    false_alarm_limit = fig(current, "safeguarding_false_alarm") + FALSE_ALARM_TOLERANCE
    if fig(candidate, "safeguarding_false_alarm") > false_alarm_limit + 1e-9:
        refused.append(f"false-alarm rate rose by more than {FALSE_ALARM_TOLERANCE:.0%}")
    if fig(candidate, "sentiment_agreement") < fig(current, "sentiment_agreement") - SENTIMENT_TOLERANCE:
        refused.append(f"sentiment agreement fell by more than {SENTIMENT_TOLERANCE:.0%}")
    if fig(candidate, "objective_top3") < fig(current, "objective_top3") - OBJECTIVE_TOLERANCE:
        refused.append(f"objective top-3 fell by more than {OBJECTIVE_TOLERANCE:.0%}")
    return (not refused, refused)


def candidate_record_refused(*, candidate, figures: dict) -> None:
    """Keep a refused candidate for the record, inactive (never used by the workers)."""
    from .learning import _jsonable, dumps
    from .models import AnalysisModel

    if AnalysisModel.objects.filter(version=candidate.version, is_active=True).exists():
        return  # the same models as the active ones: nothing to record, never deactivate them
    AnalysisModel.objects.update_or_create(
        version=candidate.version,
        defaults={
            "data": dumps(candidate.models),
            "metrics": _jsonable({**candidate.metrics, "heldout": figures, "refused_at": timezone.now()}),
            "training": _jsonable(candidate.training),
            "is_active": False,
        },
    )


def labels_from_tag_decisions(
    *, item: FeedbackItem, actor, states_before: dict[str, str]
) -> list[StaffLabel]:
    """After `feedback_tags_confirm`: one label per objective whose tag staff moved to confirmed
    or rejected (a tag already in that state is not a new decision)."""
    from .models import ObjectiveTag

    decided = (ObjectiveTag.State.CONFIRMED, ObjectiveTag.State.REJECTED)
    out = []
    for code, state in ObjectiveTag.objects.filter(item=item, state__in=decided).values_list(
        "objective__code", "state"
    ):
        if states_before.get(code) == state:
            continue
        kind = (
            StaffLabel.Kind.OBJECTIVE_CONFIRMED
            if state == ObjectiveTag.State.CONFIRMED
            else StaffLabel.Kind.OBJECTIVE_REJECTED
        )
        out.append(label_record(item=item, kind=kind, actor=actor, value=code))
    return out


def item_analysis_version(*, item: FeedbackItem) -> str:
    """Which pipeline and model version analysed the item (`ItemAnalysis.version`), for the
    item page: staff correcting a result can tell which models made it."""
    return ItemAnalysis.objects.filter(item=item).values_list("version", flat=True).first() or ""


# --- Retraining -------------------------------------------------------------------------------

# The aggregate held-out figures the gate reads and the command prints (never items or texts).
GATE_FIGURES = ("safeguarding_recall", "safeguarding_false_alarm", "sentiment_agreement", "objective_top3")


def heldout_figures(context) -> dict:
    """Aggregate held-out figures for the models in `context` (`feedback.quality.evaluate` with
    no misses kept: counts only, as the held-out set requires)."""
    from . import quality

    report = quality.evaluate(
        context, quality.load_items(quality.HELDOUT_FILE), with_misses=False, timing=False
    )
    return {key: report.get(key) for key in GATE_FIGURES}


def analysis_models_retrain(*, dry_run: bool = False, extra_labels: list[dict] | None = None) -> dict:
    """Train a candidate on the shipped data plus the staff labels (or `extra_labels`), measure
    it and the current models on the held-out set, and adopt it only if `retrain_gate` passes
    and this is not a dry run. A refused candidate is kept inactive for the record. Called by
    `manage.py retrain_analysis_models`. Returns figures, decision and versions."""
    import dataclasses

    from . import learning, quality
    from .selectors import analysis_context, analysis_context_reset

    labels = labels_for_training() if extra_labels is None else extra_labels
    candidate = learning.model_train(extra_labels=labels)
    analysis_context_reset()
    context = analysis_context()
    current_models = learning.models_current()
    result = {
        "labels": len(labels),
        "candidate_version": candidate.version,
        "current_version": current_models.version,
        "adopted": False,
        "refused": [],
    }
    if not quality.HELDOUT_FILE.exists():
        result.update(refused=["no held-out set: cannot compare"], current={}, candidate={})
        return result
    result["current"] = heldout_figures(dataclasses.replace(context, models=current_models))
    result["candidate"] = heldout_figures(dataclasses.replace(context, models=candidate.models))
    ok, refused = retrain_gate(result["current"], result["candidate"])
    result["refused"] = refused
    if candidate.version == current_models.version:
        result["refused"] = ["the candidate is the current models (no new labels)"]
    elif not ok and not dry_run:
        candidate_record_refused(candidate=candidate, figures=result["candidate"])
    elif ok and not dry_run:
        learning.model_adopt(candidate)
        analysis_context_reset()
        result["adopted"] = True
    return result
