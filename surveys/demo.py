"""Demo answers on top of the survey template library (`manage.py load_demo`).

The demo opens a copy of each library template (`surveys/library.py`) at its plain slug
(/surveys/annual-review/ …) and seeds realistic, reproducible responses. Safe to run again:
existing surveys and their responses are left alone.
"""

from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo

from .library import PRIVACY, TEMPLATES, survey_from_template
from .models import ResponseStatus, Survey
from .questions import Kind, question_options

__all__ = ["PRIVACY", "TEMPLATES", "load", "responses_seed"]

COMMENTS = [
    "Nobody told us what was happening for weeks and we had to keep chasing.",
    "The caseworker was brilliant and always rang back.",
    "It took far too long and my son was out of school for most of it.",
    "Clearer letters, in plain English, please.",
    "The plan finally reflects his needs. Thank you.",
    "Health advice arrived late, which held everything up.",
    "We felt listened to at the meeting.",
    "More time to talk to the educational psychologist.",
    "A named person to contact would have made a huge difference.",
    "Friends who understand me",
    "Quieter places at school",
]

# (year, month) of the seeded responses: some from June 2024, when the post-EHCNA survey was
# re-circulated, the rest over the following year.
PERIODS = [(2024, 6)] * 5 + [(2024, 10), (2025, 1), (2025, 4), (2025, 9), (2026, 2)]
COUNTS = {"after-your-ehc-needs-assessment": 32, "annual-review": 24, "professionals": 18, "young-people": 20}
LONDON = ZoneInfo("Europe/London")


def _answer(q: dict, rng: random.Random):
    kind = q["kind"]
    options = [o["value"] for o in question_options(q) if o["value"] != "other"]
    if not q.get("required") and rng.random() < 0.3:
        return None
    if kind in (Kind.LIKERT, Kind.RATING):
        weights = [3, 4, 2, 2, 1] if kind == Kind.LIKERT else [1, 2, 3, 4, 3]
        return rng.choices(options, weights=weights[: len(options)])[0]
    if kind in (Kind.SINGLE, Kind.YES_NO):
        return rng.choice(options)
    if kind == Kind.MULTIPLE:
        return sorted(rng.sample(options, rng.randint(1, min(3, len(options)))), key=options.index)
    if kind == Kind.NUMBER:
        return str(rng.randint(int(q.get("min") or 0), min(int(q.get("max") or 50), 40)))
    if kind == Kind.DATE:
        return f"2024-0{rng.randint(1, 5)}-{rng.randint(10, 28)}"
    if kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
        return rng.choice(COMMENTS)
    if kind == Kind.RANKING:
        items = [o["value"] for o in q["options"]]
        rng.shuffle(items)
        return items
    if kind == Kind.MATRIX:
        return {s["value"]: rng.choices(options, weights=[3, 4, 2, 2, 1])[0] for s in q["statements"]}
    return None


def responses_seed(*, survey: Survey, count: int, seed: int = 2024, invitations: int = 0) -> int:
    """Answer the survey `count` times with plausible, reproducible answers, through the same
    services a respondent uses. The first `invitations // 2` come through invitation links."""
    from .services import invitation_create, response_save_answers, response_start, response_submit

    rng = random.Random(f"{seed}:{survey.slug}")  # noqa: S311 - demo data, not security
    links = [invitation_create(survey=survey, reference=f"EHCNA-{1000 + i}")[0] for i in range(invitations)]
    definition = survey.current_version().definition
    for i in range(count):
        invitation = links[i] if i < len(links) // 2 else None
        response = response_start(survey=survey, invitation=invitation)
        answers: dict = {}
        for q in definition["questions"]:
            value = _answer(q, rng)
            if value is not None:
                answers[q["key"]] = value
                if value == "other" or (isinstance(value, list) and "other" in value):
                    answers[f"{q['key']}.other"] = "A family support worker"
        response_save_answers(response=response, values=answers)
        year, month = PERIODS[i % len(PERIODS)]
        when = datetime(year, month, 1 + (i * 7) % 27, 10 + i % 8, (i * 13) % 60, tzinfo=LONDON)
        response_submit(response=response, now=when)
    return count


def load(stdout) -> None:
    for spec in TEMPLATES:
        survey = Survey.objects.filter(slug=spec["slug"]).first()
        if survey is None:
            survey = survey_from_template(spec["slug"], slug=spec["slug"], publish=True)
            stdout.write(f"Survey created: {survey.title}")
        if not survey.responses.filter(status=ResponseStatus.SUBMITTED).exists():
            invitations = 40 if survey.slug == "after-your-ehc-needs-assessment" else 0
            n = responses_seed(survey=survey, count=COUNTS.get(survey.slug, 10), invitations=invitations)
            stdout.write(f"  {n} responses seeded for {survey.title}")
