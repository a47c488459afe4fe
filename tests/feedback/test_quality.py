"""Runs the evaluation on the labelled set and asserts the issue's targets."""

import pytest

from feedback import quality
from feedback.selectors import analysis_context

pytestmark = pytest.mark.skipif(not quality.EVALUATION_FILE.exists(), reason="evaluation set missing")


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
