"""Objective suggestions for a plan loaded from another area's file: its own codes and wording,
none of which the cue list (written for Oxfordshire's codes) or the trained models know."""

from pathlib import Path

import pytest

from feedback import analysis
from feedback.models import ObjectiveTag

PLAN_FILE = Path(__file__).parent / "data" / "other_area_plan.json"

# Feedback written for these tests, in parents' and young people's words, not the plan's.
EXPECTED = {
    "We asked for an EHC needs assessment in March and nobody can tell us what is happening, it has "
    "been 30 weeks.": "NSB.1",
    "Our case officer has changed three times and never answers the phone.": "NSB.2",
    "CAMHS waiting list is 18 months and my son's anxiety is getting worse.": "NSC.1",
    "He has been on a reduced timetable since October and keeps being sent home.": "NSD.1",
    "She turns 16 next year and no one has talked to us about college.": "NSE.1",
    "There is no respite available in the summer holidays.": "NSF.1",
    "Nobody ever asks parents what we think before they change things.": "NSA.1",
}


@pytest.fixture
def other_plan(db):
    """Northshire's made-up plan, loaded from its file and made the current plan."""
    from feedback.selectors import analysis_context_reset
    from feedback.services import school_seed, theme_seed
    from portal.plan_loader import parse_plan_file, plans_load

    plans_load(parse_plan_file(PLAN_FILE), current_code="NSP-2025")
    school_seed()
    theme_seed()
    analysis_context_reset()
    yield
    analysis_context_reset()


@pytest.mark.django_db
def test_second_area_plan_gets_sensible_suggestions(other_plan):
    from feedback.selectors import analysis_context

    context = analysis_context()
    assert context.objective_codes == {"NSA.1", "NSB.1", "NSB.2", "NSC.1", "NSD.1", "NSE.1", "NSF.1"}
    assert not context.cue_codes  # the cue list names none of these codes
    for text, code in EXPECTED.items():
        result = analysis.analyse(text, context=context)
        suggested = [s.code for s in result.objectives]
        assert suggested and suggested[0] == code, (text, suggested)
        assert all(c in context.objective_codes for c in suggested)
        assert any(cue.startswith("wording: ") for cue in result.objectives[0].cues)


@pytest.mark.django_db
def test_confirmed_tags_teach_the_suggestions(other_plan, ingest, make_user):
    from feedback.selectors import analysis_context
    from feedback.services import feedback_tags_confirm
    from portal.roles import Role

    text = "There is nothing for him to do at weekends since the club shut."
    before = analysis.analyse(text, context=analysis_context())
    staff = make_user(Role.ENGAGEMENT_TEAM)
    for words in [
        "The youth club for disabled kids shut down and there is nothing to do at weekends.",
        "We can't find any activities he can join after school.",
    ]:
        item = ingest(text=words)
        feedback_tags_confirm(item=item, actor=staff, codes=["NSF.1"])
    assert ObjectiveTag.objects.filter(state="confirmed", objective__code="NSF.1").count() == 2
    after = analysis.analyse(text, context=analysis_context(max_age=0))
    top = after.objectives[0]
    assert top.code == "NSF.1"
    assert any(cue.startswith("like confirmed feedback") for cue in top.cues)
    assert top.confidence > next(s.confidence for s in before.objectives if s.code == "NSF.1")


@pytest.mark.django_db
def test_stored_suggestions_use_the_other_plan(other_plan, ingest):
    item = ingest(text="Our case officer has changed three times and never answers the phone.")
    codes = list(item.objective_tags.values_list("objective__code", flat=True))
    assert codes and codes[0] == "NSB.2"
