"""A seeded month for board-pack tests: feedback items, tags, themes, a safeguarding alert and
survey answers written straight into the database (no analysis pipeline), so every expected
number can be computed independently in the test."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime

import pytest
from django.utils import timezone

from feedback.models import FeedbackItem, ItemTheme, ObjectiveTag, SafeguardingAlert, Theme
from portal.models import KPI, Objective, Plan

JUNE = (date(2024, 6, 1), date(2024, 6, 30))
_serial = itertools.count(1)


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


@dataclass
class Seeded:
    plan: Plan
    objectives: list[Objective]
    items: list[FeedbackItem] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    survey: object = None
    kpi: KPI | None = None


def make_items(
    objective: Objective,
    *,
    count: int,
    sentiment: str,
    day: date,
    channel: str = "web_form",
    audience: str = "parent_carer",
    locality: str = "north",
    consent: bool = False,
    safeguarding: bool = False,
    text: str | None = None,
    state: str = "confirmed",
    theme: Theme | None = None,
    status: str = "new",
) -> list[FeedbackItem]:
    items = FeedbackItem.objects.bulk_create(
        [
            FeedbackItem(
                channel=channel,
                audience=audience,
                locality=locality,
                received_at=at(day),
                consent_to_quote=consent,
                safeguarding=safeguarding,
                sentiment=sentiment,
                analysis_state="done",
                status=status,
                redacted_text=text or f"Board pack test item {next(_serial)} about {objective.code}.",
            )
            for _ in range(count)
        ]
    )
    if not items[0].pk:  # backends without RETURNING on bulk insert
        items = list(FeedbackItem.objects.order_by("-pk")[:count])
    ObjectiveTag.objects.bulk_create([ObjectiveTag(item=i, objective=objective, state=state) for i in items])
    if theme is not None:
        ItemTheme.objects.bulk_create([ItemTheme(item=i, theme=theme) for i in items])
    return items


def seed_month(plan: Plan, *, scale: int = 1) -> Seeded:
    """June 2024 (and a little of May and earlier) for three objectives of the real PAP.

    Objective A: 6·scale negative, 4·scale neutral, 10·scale positive in June (confirmed tags),
                 5·scale in May; themes; consented quotes of each sentiment; one consented
                 safeguarding item and non-consented items with distinctive text.
    Objective B: 3 items in June (a small number, suppressed), suggested tags.
    Objective C: nothing at all (a gap).
    """
    objectives = list(Objective.objects.for_plan(plan).order_by("area__position", "position", "code")[:3])
    a, b, _c = objectives
    access, waiting = (
        Theme.objects.get_or_create(label=label, defaults={"keywords": label})[0]
        for label in ("bp access", "bp waiting")
    )
    s = Seeded(plan=plan, objectives=objectives)
    june = date(2024, 6, 12)
    s.items += make_items(a, count=6 * scale, sentiment="negative", day=june, theme=waiting)
    s.items += make_items(
        a,
        count=4 * scale,
        sentiment="neutral",
        day=june,
        channel="phone",
        audience="young_person",
        locality="south",
    )
    s.items += make_items(
        a,
        count=10 * scale,
        sentiment="positive",
        day=june,
        channel="email",
        audience="professional",
        locality="central",
        theme=access,
        status="responded",
    )
    s.items += make_items(a, count=5 * scale, sentiment="negative", day=date(2024, 5, 20))
    s.items += make_items(a, count=2, sentiment="positive", day=date(2024, 3, 3))
    # Quotes: consented, one of each sentiment; plus things that must never be quoted.
    s.texts = {
        "negative": "We waited far too long for the plan and nobody called us back.",
        "neutral": "The meeting happened and we were given a leaflet about the process.",
        "positive": "The new caseworker listened and the plan now describes our son well.",
        "no_consent": "SECRET-NO-CONSENT this must never be quoted in a board pack.",
        "safeguarding": "SECRET-SAFEGUARDING a child may be at risk, never quote this.",
        "alerted": "SECRET-ALERTED has an alert though the flag is off, never quote.",
    }
    for sentiment in ("negative", "neutral", "positive"):
        s.items += make_items(
            a, count=1, sentiment=sentiment, day=june, consent=True, text=s.texts[sentiment]
        )
    s.items += make_items(a, count=1, sentiment="negative", day=june, text=s.texts["no_consent"])
    sg = make_items(
        a,
        count=1,
        sentiment="negative",
        day=june,
        consent=True,
        safeguarding=True,
        text=s.texts["safeguarding"],
    )
    alerted = make_items(a, count=1, sentiment="positive", day=june, consent=True, text=s.texts["alerted"])
    SafeguardingAlert.objects.create(item=sg[0], reasons=["self-harm"])
    SafeguardingAlert.objects.create(item=alerted[0], reasons=["test"], state=SafeguardingAlert.State.CLOSED)
    s.items += sg + alerted
    # Set aside: never counted.
    spam = make_items(a, count=7, sentiment="negative", day=june)
    FeedbackItem.objects.filter(pk__in=[i.pk for i in spam]).update(set_aside="spam")
    # Objective B: a small number, suggested tags (counted), one rejected tag (not counted).
    s.items += make_items(b, count=3, sentiment="negative", day=june, state="suggested")
    make_items(b, count=1, sentiment="negative", day=june, state="rejected")
    s.survey, s.kpi = seed_survey(plan, a, scale=scale)
    return s


def seed_survey(plan: Plan, objective: Objective, *, scale: int = 1):
    """A Likert question tagged to the objective and to a PAP KPI: 8·scale good answers and
    6·scale others in June, plus answers outside the month that must not count."""
    from surveys.models import Answer, Question, Response, Survey, SurveyVersion

    kpi = KPI.objects.get(plan=plan, code="KPI-EHCP-20WK")
    survey = Survey.objects.create(
        title="Board pack test survey",
        slug="bp-test",
        audience="parent_carer",
        intro="x",
        privacy_notice="x",
        status="open",
    )
    question = Question(
        survey=survey, key="kept-informed", kind="likert", text="I was kept informed", kpi=kpi
    )
    question.objectives.set([objective])
    question.save()
    version = SurveyVersion.objects.create(
        survey=survey, number=1, definition={"questions": []}, definition_hash="x"
    )
    values = (["strongly_agree"] * 3 + ["agree"] * 5 + ["neither"] * 3 + ["disagree"] * 3) * scale
    values_may = ["disagree"] * 6
    for n, (value, day) in enumerate(
        [(v, date(2024, 6, 5)) for v in values] + [(v, date(2024, 5, 5)) for v in values_may]
    ):
        response = Response.objects.create(
            survey=survey,
            version=version,
            status="submitted",
            audience="parent_carer",
            token_hash=f"bp-{n}-{next(_serial)}",
            nonce="n",
            idempotency_key=f"bp-{n}-{next(_serial)}",
            submitted_at=at(day),
        )
        Answer.objects.create(
            response=response, survey=survey, question_key="kept-informed", kind="likert", value=value
        )
    return survey, kpi


@pytest.fixture
def seeded(plan) -> Seeded:
    return seed_month(plan)


@pytest.fixture
def board_user(make_user):
    from portal.roles import Role

    return make_user(Role.BOARD_MEMBER, totp=True)
