"""Runs the evaluation on the regression set and asserts its targets; checks the report's shape:
held-out first, a missing set said to be missing, no item-level detail for the held-out set."""

import pytest

from feedback import quality
from feedback.selectors import analysis_context


def test_the_evaluation_set_ships_with_the_code():
    # The set is part of the product, not an optional download: its absence is a failure.
    assert quality.EVALUATION_FILE.exists()


@pytest.mark.django_db
def test_quality_targets_are_met(feedback_setup):
    items = quality.load_items()
    assert len(items) >= 150
    report = quality.evaluate(analysis_context(), items)
    print(quality.format_report(report))
    assert quality.failures(report) == []
    assert report["recall"]["email"][0] >= 0.98 and report["recall"]["name"][0] >= 0.9
    assert report["safeguarding_recall"] == 1.0 and report["safeguarding_false_alarm"] <= 0.10
    assert report["objective_top3"] >= 0.8
    assert report["speed_ratio"] > 0


MADE_UP = [
    {
        "id": "t1",
        "text": "Her uncle makes her sleep in the shed. Ring Mrs Patel on 07700 900123.",
        "audience": "parent_carer",
        "pii": [{"type": "name", "value": "Patel"}, {"type": "phone", "value": "07700 900123"}],
        "keep": [],
        "safeguarding": True,
        "category": "emotional_abuse",
        "sentiment": "negative",
        "objectives": [],
        "themes": [],
    },
    {
        "id": "t2",
        "text": "We waited 40 weeks for the EHCP and still no plan.",
        "audience": "parent_carer",
        "pii": [],
        "keep": ["40 weeks"],
        "safeguarding": False,
        "category": "",
        "sentiment": "negative",
        "objectives": ["PAP3A:1"],
        "themes": [],
    },
]


@pytest.mark.django_db
def test_report_without_misses_holds_only_counts(feedback_setup):
    report = quality.evaluate(analysis_context(), MADE_UP, with_misses=False, timing=False)
    assert report["misses"] == {}
    assert report["safeguarding_by_category"] == {"emotional_abuse": (1.0, 1, 1)}
    assert report["structured_pii_counts"] == (1, 1) and report["names_counts"] == (1, 1)
    assert report["speed_ratio"] is None
    text = quality.format_report(report, verbose=True, targets=quality.HELDOUT_TARGETS)
    assert "Her uncle" not in text and "t1" not in text
    assert ">= 0.95" in text and "<= 0.10" in text  # targets beside the figures


@pytest.mark.django_db
def test_sets_are_reported_held_out_first_and_missing_ones_named(feedback_setup, tmp_path, monkeypatch):
    dev = tmp_path / "dev.jsonl"
    dev.write_text("".join(__import__("json").dumps(i) + "\n" for i in MADE_UP), encoding="utf-8")
    monkeypatch.setattr(
        quality,
        "SETS",
        [
            ("heldout", "Held-out set", tmp_path / "heldout.jsonl", False),
            ("dev", "Development set", dev, True),
        ],
    )
    text, reports = quality.evaluate_sets(analysis_context(), timing=False)
    assert text.index("Held-out set (heldout.jsonl): MISSING") < text.index(
        "Development set (dev.jsonl, 2 items"
    )
    assert set(reports) == {"dev"}
