"""Survey templates and a realistic seeded set of responses (`manage.py load_demo`).

The four templates follow the 2024 Priority Action Plan: the post-EHC-needs-assessment survey
(re-circulated to parents in May 2024, E38), the annual-review survey (E31/E34), the
professionals' baseline survey (June 2024) and a young people's survey. Satisfaction questions
feed the KPIs "Feedback from parents / children and young people – good satisfaction ratings
from surveys". Safe to run again: existing surveys and their responses are left alone.
"""

from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo

from .models import Audience, ResponseStatus, Survey
from .questions import Kind, question_options

PRIVACY = (
    "Oxfordshire County Council and its SEND partners will use your answers to improve SEND "
    "services. Answers are reported in groups of 5 or more, so nobody can be identified. "
    "Comments are checked and personal details removed before anyone outside the engagement "
    "team sees them. We keep answers for 2 years. You can ask us to delete them at any time."
)

TEMPLATES = [
    {
        "slug": "after-your-ehc-needs-assessment",
        "title": "After your child's EHC needs assessment",
        "audience": Audience.PARENT_CARER,
        "intro": "Your child has recently had an Education, Health and Care (EHC) needs "
                 "assessment. We want to know how it went for your family, so we can make the "
                 "process better. It takes about 5 minutes.",
        "easy_intro": "Your child had an assessment for an EHC plan. Tell us how it went. "
                      "It takes 5 minutes.",
        "questions": [
            {"key": "outcome", "kind": Kind.SINGLE, "section": "About the assessment",
             "text": "What was the outcome of the assessment?",
             "easy_text": "What happened at the end?",
             "options": "An EHC plan was issued | We got a plan\nIt was decided not to issue a plan "
                        "| No plan\nWe are still waiting to hear | Still waiting"},
            {"key": "within-20-weeks", "kind": Kind.SINGLE,
             "text": "Did you hear the decision within 20 weeks of asking for the assessment?",
             "easy_text": "Did it take less than 20 weeks?",
             "options": "Yes\nNo\nI do not know", "objectives": ["PAP3A:1", "PAP3A:2"]},
            {"key": "kept-informed", "kind": Kind.LIKERT,
             "text": "I was kept informed about what was happening during the assessment",
             "easy_text": "People told me what was happening", "symbol": "📣",
             "objectives": ["PAP3A:3", "PAP2B:1"], "kpi": "KPI-SATISFACTION-PARENTS"},
            {"key": "who-informed", "kind": Kind.MULTIPLE, "allow_other": True, "required": False,
             "text": "Who kept you informed?", "easy_text": "Who told you what was happening?",
             "options": "My SEN caseworker\nMy child's school or setting\nA health professional\n"
                        "SENDIASS\nNobody"},
            {"key": "views-heard", "kind": Kind.LIKERT,
             "text": "My views and my child's views were listened to",
             "easy_text": "People listened to me and my child", "symbol": "👂",
             "objectives": ["PAP3A:4", "PAP1:3"], "kpi": "KPI-SATISFACTION-PARENTS"},
            {"key": "plan-quality", "kind": Kind.MATRIX, "section": "Your child's plan",
             "text": "How much do you agree with these statements about the plan?",
             "easy_text": "What do you think of the plan?",
             "statements": (
                 "The plan describes my child's needs accurately | The plan is right about my child\n"
                 "The plan says clearly what support my child will get "
                 "| The plan says what help my child gets\n"
                 "Health and social care advice is in the plan | The plan has health and care advice"),
             "show_if_key": "outcome", "show_if_op": "equals", "show_if_values": "An EHC plan was issued",
             "objectives": ["PAP3B:3", "PAP4D:2"]},
            {"key": "overall", "kind": Kind.RATING, "section": "Overall",
             "text": "Overall, how satisfied are you with the EHC needs assessment?",
             "help_text": "1 is very dissatisfied, 5 is very satisfied.",
             "easy_text": "Overall, how happy are you with the assessment?", "symbol": "⭐",
             "pictorial": True, "objectives": ["PAP1:4"], "kpi": "KPI-SATISFACTION-PARENTS"},
            {"key": "requested-on", "kind": Kind.DATE, "required": False,
             "text": "Roughly when did you ask for the assessment?",
             "help_text": "For example, 27 3 2024", "easy_text": "When did you ask for the assessment?"},
            {"key": "one-change", "kind": Kind.LONG_TEXT, "required": False,
             "text": "What one thing would have made the assessment better?",
             "help_text": "Please do not include names or other personal details.",
             "easy_text": "What would have made it better?", "objectives": ["PAP1:5"]},
        ],
    },
    {
        "slug": "annual-review",
        "title": "Your child's annual review",
        "audience": Audience.PARENT_CARER,
        "intro": "Every EHC plan is reviewed at least once a year. Tell us about your child's "
                 "most recent annual review. It takes about 4 minutes.",
        "easy_intro": "Your child's plan was checked at a meeting. Tell us how it went.",
        "questions": [
            {"key": "invited-on-time", "kind": Kind.YES_NO,
             "text": "Were you invited to the review meeting at least 2 weeks before it happened?",
             "easy_text": "Did you know about the meeting 2 weeks before?", "symbol": "📅",
             "objectives": ["PAP3A:1"]},
            {"key": "who-took-part", "kind": Kind.MULTIPLE, "required": False,
             "text": "Who took part in the review meeting?", "easy_text": "Who came to the meeting?",
             "options": "Me\nMy child or young person\nSchool or setting staff\nA health professional\n"
                        "A social worker\nA SEN caseworker"},
            {"key": "child-views", "kind": Kind.LIKERT,
             "text": "My child's views were part of the review",
             "easy_text": "The meeting heard what my child thinks", "objectives": ["PAP1:3", "PAP3A:4"],
             "kpi": "KPI-SATISFACTION-PARENTS"},
            {"key": "plan-updated", "kind": Kind.SINGLE,
             "text": "After the review, was the plan updated?", "easy_text": "Was the plan changed?",
             "options": "Yes, the plan was updated\nNo, it did not need changing\n"
                        "Not yet, we are still waiting | Still waiting"},
            {"key": "weeks-waiting", "kind": Kind.NUMBER, "min_value": 0, "max_value": 104,
             "text": "How many weeks have you been waiting since the review?",
             "easy_text": "How many weeks have you waited?",
             "show_if_key": "plan-updated", "show_if_op": "equals",
             "show_if_values": "Not yet, we are still waiting", "objectives": ["PAP3A:2"]},
            {"key": "priorities", "kind": Kind.RANKING,
             "text": "Put these in order of how important they are to you",
             "easy_text": "What matters most to you?",
             "options": "The review happening on time\nBeing listened to\nClear communication\n"
                        "The right support in school"},
            {"key": "overall", "kind": Kind.RATING, "pictorial": True,
             "text": "Overall, how satisfied are you with the annual review?",
             "help_text": "1 is very dissatisfied, 5 is very satisfied.",
             "easy_text": "Overall, how happy are you with the review?", "symbol": "⭐",
             "kpi": "KPI-SATISFACTION-PARENTS", "objectives": ["PAP1:4"]},
            {"key": "comments", "kind": Kind.LONG_TEXT, "required": False,
             "text": "Is there anything else you would like to tell us about the review?",
             "help_text": "Please do not include names or other personal details.",
             "easy_text": "Anything else?"},
        ],
    },
    {
        "slug": "professionals",
        "title": "Professionals' survey: working together on EHC plans",
        "audience": Audience.PROFESSIONAL,
        "intro": "For SENCOs, teachers, educational psychologists, health and social care "
                 "practitioners. Tell us how the partnership works for you. It takes about 5 minutes.",
        "questions": [
            {"key": "role", "kind": Kind.SINGLE, "allow_other": True, "text": "What is your role?",
             "options": "SENCO\nTeacher\nEducational psychologist\nHealth professional\n"
                        "Social care practitioner"},
            {"key": "advice-time", "kind": Kind.LIKERT,
             "text": "I have enough time to give good quality advice for EHC needs assessments",
             "objectives": ["PAP3B:2", "PAP3A:2"]},
            {"key": "advice-requests", "kind": Kind.NUMBER, "required": False, "min_value": 0,
             "max_value": 1000, "text": "About how many requests for advice did you get last term?"},
            {"key": "training", "kind": Kind.YES_NO,
             "text": "Have you had SEND training in the last 12 months?", "objectives": ["PAP5D:1"]},
            {"key": "training-useful", "kind": Kind.LIKERT, "text": "The training helped me in my work",
             "show_if_key": "training", "show_if_op": "equals", "show_if_values": "Yes",
             "objectives": ["PAP5D:1"]},
            {"key": "partnership", "kind": Kind.MATRIX, "text": "How much do you agree?",
             "statements": "Communication between services is good\nI know who to contact in the SEND team\n"
                           "Families are involved in decisions",
             "objectives": ["PAP2A:1", "PAP2A:2"]},
            {"key": "improve", "kind": Kind.LONG_TEXT, "required": False,
             "text": "What would most improve how we work together?"},
        ],
    },
    {
        "slug": "young-people",
        "title": "Your say: young people's survey",
        "audience": Audience.YOUNG_PERSON,
        "intro": "This survey is for young people aged 11 to 25 with special educational needs "
                 "or disabilities. There are 6 short questions. You can stop and come back later.",
        "easy_intro": "Tell us what you think. There are 6 short questions.",
        "questions": [
            {"key": "age", "kind": Kind.SINGLE, "text": "How old are you?", "symbol": "🎂",
             "options": "11 to 13\n14 to 16\n17 to 19\n20 to 25"},
            {"key": "school-feeling", "kind": Kind.RATING, "pictorial": True,
             "text": "How do you feel about school or college?",
             "easy_text": "How do you feel at school or college?", "symbol": "🏫",
             "kpi": "KPI-SATISFACTION-CYP", "objectives": ["PAP1:5"]},
            {"key": "listened-to", "kind": Kind.RATING, "pictorial": True,
             "text": "Do adults listen to you about the support you get?",
             "easy_text": "Do adults listen to you?", "symbol": "👂",
             "kpi": "KPI-SATISFACTION-CYP", "objectives": ["PAP1:3", "PAP1:5"]},
            {"key": "who-helps", "kind": Kind.MULTIPLE, "allow_other": True,
             "text": "Who helps you the most?", "easy_text": "Who helps you?", "symbol": "🤝",
             "options": "My family\nA teacher or tutor\nMy friends\nA youth worker"},
            {"key": "know-plan", "kind": Kind.YES_NO, "text": "Do you know what is in your EHC plan?",
             "easy_text": "Do you know what your plan says?", "symbol": "📄",
             "objectives": ["PAP3A:4"]},
            {"key": "one-thing", "kind": Kind.SHORT_TEXT, "required": False,
             "text": "What is one thing that would make things better for you?",
             "easy_text": "What would make things better?", "symbol": "💡"},
        ],
    },
]

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
COUNTS = {"after-your-ehc-needs-assessment": 32, "annual-review": 24, "professionals": 18,
          "young-people": 20}
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
    from .services import survey_create

    for spec in TEMPLATES:
        survey = Survey.objects.filter(slug=spec["slug"]).first()
        if survey is None:
            spec = dict(spec)
            questions = spec.pop("questions")
            survey = survey_create(privacy_notice=PRIVACY, questions=questions, **spec)
            stdout.write(f"Survey created: {survey.title}")
        if not survey.responses.filter(status=ResponseStatus.SUBMITTED).exists():
            invitations = 40 if survey.slug == "after-your-ehc-needs-assessment" else 0
            n = responses_seed(survey=survey, count=COUNTS.get(survey.slug, 10), invitations=invitations)
            stdout.write(f"  {n} responses seeded for {survey.title}")



