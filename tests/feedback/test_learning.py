"""The trained parts of the analysis (feedback.learning): the combined safeguarding screen, its
evidence, deterministic training, the model store and its fail-closed fallback.

The sentences here are written for these tests (not taken from any evaluation set)."""

import pytest

from feedback import analysis, learning
from feedback.models import AnalysisModel, FeedbackItem, ItemAnalysis, SafeguardingAlert

# Disclosures told through signs, with none of the risk words the patterns look for.
MISSED_BY_PATTERNS = [
    "He turns up in the same clothes all week and takes food out of the other children's lunchboxes.",
    "Her uncle makes her sleep in the shed when she wets the bed.",
    "My daughter keeps getting messages from a man she met on a game who tells her to keep it secret.",
]


@pytest.fixture(scope="module")
def models():
    return learning.models_shipped()


@pytest.fixture(scope="module")
def extra_candidate():
    """A candidate trained with one extra staff label, as the retraining step will."""
    extra = [
        {"text": "He sleeps in the car most nights since mum's new partner moved in.", "safeguarding": True}
    ]
    return learning.model_train(extra_labels=extra)


@pytest.fixture(scope="module")
def context(models):
    return analysis.AnalysisContext(
        school_names=[name for name, _ in analysis.load_school_file()],
        themes=[
            analysis.ThemeSpec(t["label"], t["keywords"], t["objectives"]) for t in analysis.load_theme_file()
        ],
        objective_cues=analysis.load_objective_cues(),
        models=models,
    )


class FakeModels:
    """Stands in for trained models with a fixed score (to test how the screens combine)."""

    version = "fake-1"
    sg_threshold = 0.5
    sg_weights = None

    def __init__(self, score):
        self.score = score

    def safeguarding_score(self, vec):
        return self.score

    def top_terms(self, vec, weights):
        return ["shed"]


@pytest.mark.parametrize("text", MISSED_BY_PATTERNS)
def test_combined_screen_flags_what_the_patterns_miss(context, text):
    assert not analysis.safeguarding_screen(text).flagged
    screen = analysis.analyse(text, context=context).safeguarding
    assert screen.flagged
    assert screen.raised_by == ["model"]
    assert screen.reasons == [analysis.TRAINED_SCREEN]
    assert screen.score >= screen.threshold


def test_either_part_can_raise_the_alert():
    patterns_hit = analysis.safeguarding_screen("She has started self-harming again.")
    patterns_quiet = analysis.safeguarding_screen("Her uncle makes her sleep in the shed.")
    assert patterns_hit.flagged and not patterns_quiet.flagged
    # Patterns alone: the model's low score does not clear it.
    low = analysis.combine_screens(patterns_hit, FakeModels(0.1), vec=None)
    assert low.flagged and low.raised_by == ["patterns"] and low.score == 0.1
    # Model alone.
    high = analysis.combine_screens(patterns_quiet, FakeModels(0.9), vec=None)
    assert high.flagged and high.raised_by == ["model"] and high.model_terms == ["shed"]
    # Neither.
    assert not analysis.combine_screens(patterns_quiet, FakeModels(0.1), vec=None).flagged
    # Both.
    assert analysis.combine_screens(patterns_hit, FakeModels(0.9), vec=None).raised_by == [
        "patterns",
        "model",
    ]


def test_ordinary_feedback_is_not_flagged(context):
    for text in [
        "The annual review was cancelled twice and we are still waiting for the new plan.",
        "The SENCO has been brilliant this term and he is settled in his new class.",
    ]:
        screen = analysis.analyse(text, context=context).safeguarding
        assert not screen.flagged and screen.score < screen.threshold


def test_result_carries_score_and_versions(context, models):
    result = analysis.analyse(MISSED_BY_PATTERNS[1], context=context)
    assert result.safeguarding.model_version == models.version
    assert result.version == f"{analysis.ANALYSIS_VERSION}+{models.version}"
    assert 0.0 <= result.safeguarding.score <= 1.0
    assert result.sentiment.label == "negative" and set(result.sentiment.probabilities) == {
        "negative",
        "neutral",
        "positive",
    }


def test_training_is_deterministic(models):
    again = learning.model_train()
    assert again.version == models.version
    texts = [*MISSED_BY_PATTERNS, "Thank you to the caseworker who rang back the same day."]
    for text in texts:
        a, b = models.vectorise(text), again.models.vectorise(text)
        assert models.safeguarding_score(a) == again.models.safeguarding_score(b)
        assert models.objective_scores(a) == again.models.objective_scores(b)
    assert again.models.sg_threshold == models.sg_threshold
    assert again.metrics == models.metrics


def test_extra_labels_make_a_new_candidate(models, extra_candidate):
    assert extra_candidate.version != models.version
    assert extra_candidate.training["extra_labels"] == 1
    positives = extra_candidate.metrics["safeguarding"]["positives"]
    assert positives == models.metrics["safeguarding"]["positives"] + 1


def test_vectorise_once_matches_the_matrix(models):
    text = "We waited 40 weeks for the EHCP."
    idx, vals = models.vectorise(text)
    row = models.features.matrix([text]).toarray()[0]
    assert row[idx].tolist() == pytest.approx(vals.tolist())
    assert abs(row).sum() == pytest.approx(abs(vals).sum())


@pytest.mark.django_db
def test_missing_stored_model_trains_from_shipped_data(models):
    assert not AnalysisModel.objects.exists()
    assert learning.models_current() is models  # the in-process, shipped-data models


@pytest.mark.django_db
def test_unreadable_stored_model_fails_closed(models):
    AnalysisModel.objects.create(version="m1-broken", data=b"not a model", is_active=True)
    assert learning.models_current() is models


@pytest.mark.django_db
def test_adopted_model_is_loaded_once_per_process(models, monkeypatch):
    candidate = learning.Candidate(models=models, metrics=models.metrics, training=models.training)
    row = learning.model_adopt(candidate)
    assert row.is_active and AnalysisModel.objects.get().version == models.version
    learning.models_reset_loaded()
    loads = learning._state["loads"]
    first = learning.models_current()
    second = learning.models_current()
    assert learning._state["loads"] == loads + 1
    assert first is second and first.version == models.version
    assert first is not models  # it came from the stored bytes


@pytest.mark.django_db
def test_adopting_a_new_candidate_replaces_the_active_one(models, extra_candidate):
    learning.model_adopt(learning.Candidate(models=models, metrics={}, training={}))
    other = extra_candidate
    learning.model_adopt(other)
    assert list(AnalysisModel.objects.filter(is_active=True).values_list("version", flat=True)) == [
        other.version
    ]
    assert learning.models_current().version == other.version


@pytest.mark.django_db
def test_alert_stores_the_evidence_and_versions(feedback_setup, ingest, models):
    from feedback.selectors import analysis_context

    item = ingest(text="Her uncle makes her sleep in the shed when she wets the bed. Mrs Okafor knows.")
    assert item.safeguarding and item.analysis_state == FeedbackItem.AnalysisState.DONE
    alert = SafeguardingAlert.objects.get(item=item)
    assert alert.reasons == [analysis.TRAINED_SCREEN]
    detail = ItemAnalysis.objects.get(item=item)
    evidence = detail.safeguarding_evidence
    assert evidence["raised_by"] == ["model"]
    assert evidence["model_score"] == detail.safeguarding_score >= evidence["model_threshold"]
    assert evidence["model_version"] == analysis_context().models.version
    assert detail.version == f"{analysis.ANALYSIS_VERSION}+{evidence['model_version']}"

    patterned = ingest(text="My son Alfie said he wants to die.")
    evidence = ItemAnalysis.objects.get(item=patterned).safeguarding_evidence
    assert "patterns" in evidence["raised_by"]
    assert evidence["phrases"] == ["said he wants to die"]
    assert evidence["model_score"] is not None
