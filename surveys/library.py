"""The survey template library: four ready-made surveys from the 2024 Priority Action Plan that
every install has, as drafts, for the engagement team to copy (the admin's "Copy" action) or
edit and open.

The post-EHC-needs-assessment survey (re-circulated to parents in May 2024, E38), the
annual-review survey (E31/E34), the professionals' baseline survey (June 2024) and a young
people's survey. Satisfaction questions feed the KPIs "Feedback from parents / children and
young people – good satisfaction ratings from surveys".

`library_ensure()` runs from `manage.py setup_site` on every install and upgrade: it creates
each template as a DRAFT survey titled "Template: …" at the slug "template-<key>", and leaves
existing ones alone (staff may have edited them). It creates no answers and no logins.
"""

from __future__ import annotations

from .models import Audience, Survey
from .questions import Kind

TEMPLATE_SLUG_PREFIX = "template-"
TEMPLATE_TITLE_PREFIX = "Template: "

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
            {
                "key": "outcome",
                "kind": Kind.SINGLE,
                "section": "About the assessment",
                "text": "What was the outcome of the assessment?",
                "easy_text": "What happened at the end?",
                "options": "An EHC plan was issued | We got a plan\nIt was decided not to issue a plan "
                "| No plan\nWe are still waiting to hear | Still waiting",
            },
            {
                "key": "within-20-weeks",
                "kind": Kind.SINGLE,
                "text": "Did you hear the decision within 20 weeks of asking for the assessment?",
                "easy_text": "Did it take less than 20 weeks?",
                "options": "Yes\nNo\nI do not know",
                "objectives": ["PAP3A:1", "PAP3A:2"],
            },
            {
                "key": "kept-informed",
                "kind": Kind.LIKERT,
                "text": "I was kept informed about what was happening during the assessment",
                "easy_text": "People told me what was happening",
                "symbol": "📣",
                "objectives": ["PAP3A:3", "PAP2B:1"],
                "kpi": "KPI-SATISFACTION-PARENTS",
            },
            {
                "key": "who-informed",
                "kind": Kind.MULTIPLE,
                "allow_other": True,
                "required": False,
                "text": "Who kept you informed?",
                "easy_text": "Who told you what was happening?",
                "options": "My SEN caseworker\nMy child's school or setting\nA health professional\n"
                "SENDIASS\nNobody",
            },
            {
                "key": "views-heard",
                "kind": Kind.LIKERT,
                "text": "My views and my child's views were listened to",
                "easy_text": "People listened to me and my child",
                "symbol": "👂",
                "objectives": ["PAP3A:4", "PAP1:3"],
                "kpi": "KPI-SATISFACTION-PARENTS",
            },
            {
                "key": "plan-quality",
                "kind": Kind.MATRIX,
                "section": "Your child's plan",
                "text": "How much do you agree with these statements about the plan?",
                "easy_text": "What do you think of the plan?",
                "statements": (
                    "The plan describes my child's needs accurately | The plan is right about my child\n"
                    "The plan says clearly what support my child will get "
                    "| The plan says what help my child gets\n"
                    "Health and social care advice is in the plan | The plan has health and care advice"
                ),
                "show_if_key": "outcome",
                "show_if_op": "equals",
                "show_if_values": "An EHC plan was issued",
                "objectives": ["PAP3B:3", "PAP4D:2"],
            },
            {
                "key": "overall",
                "kind": Kind.RATING,
                "section": "Overall",
                "text": "Overall, how satisfied are you with the EHC needs assessment?",
                "help_text": "1 is very dissatisfied, 5 is very satisfied.",
                "easy_text": "Overall, how happy are you with the assessment?",
                "symbol": "⭐",
                "pictorial": True,
                "objectives": ["PAP1:4"],
                "kpi": "KPI-SATISFACTION-PARENTS",
            },
            {
                "key": "requested-on",
                "kind": Kind.DATE,
                "required": False,
                "text": "Roughly when did you ask for the assessment?",
                "help_text": "For example, 27 3 2024",
                "easy_text": "When did you ask for the assessment?",
            },
            {
                "key": "one-change",
                "kind": Kind.LONG_TEXT,
                "required": False,
                "text": "What one thing would have made the assessment better?",
                "help_text": "Please do not include names or other personal details.",
                "easy_text": "What would have made it better?",
                "objectives": ["PAP1:5"],
            },
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
            {
                "key": "invited-on-time",
                "kind": Kind.YES_NO,
                "text": "Were you invited to the review meeting at least 2 weeks before it happened?",
                "easy_text": "Did you know about the meeting 2 weeks before?",
                "symbol": "📅",
                "objectives": ["PAP3A:1"],
            },
            {
                "key": "who-took-part",
                "kind": Kind.MULTIPLE,
                "required": False,
                "text": "Who took part in the review meeting?",
                "easy_text": "Who came to the meeting?",
                "options": "Me\nMy child or young person\nSchool or setting staff\nA health professional\n"
                "A social worker\nA SEN caseworker",
            },
            {
                "key": "child-views",
                "kind": Kind.LIKERT,
                "text": "My child's views were part of the review",
                "easy_text": "The meeting heard what my child thinks",
                "objectives": ["PAP1:3", "PAP3A:4"],
                "kpi": "KPI-SATISFACTION-PARENTS",
            },
            {
                "key": "plan-updated",
                "kind": Kind.SINGLE,
                "text": "After the review, was the plan updated?",
                "easy_text": "Was the plan changed?",
                "options": "Yes, the plan was updated\nNo, it did not need changing\n"
                "Not yet, we are still waiting | Still waiting",
            },
            {
                "key": "weeks-waiting",
                "kind": Kind.NUMBER,
                "min_value": 0,
                "max_value": 104,
                "text": "How many weeks have you been waiting since the review?",
                "easy_text": "How many weeks have you waited?",
                "show_if_key": "plan-updated",
                "show_if_op": "equals",
                "show_if_values": "Not yet, we are still waiting",
                "objectives": ["PAP3A:2"],
            },
            {
                "key": "priorities",
                "kind": Kind.RANKING,
                "text": "Put these in order of how important they are to you",
                "easy_text": "What matters most to you?",
                "options": "The review happening on time\nBeing listened to\nClear communication\n"
                "The right support in school",
            },
            {
                "key": "overall",
                "kind": Kind.RATING,
                "pictorial": True,
                "text": "Overall, how satisfied are you with the annual review?",
                "help_text": "1 is very dissatisfied, 5 is very satisfied.",
                "easy_text": "Overall, how happy are you with the review?",
                "symbol": "⭐",
                "kpi": "KPI-SATISFACTION-PARENTS",
                "objectives": ["PAP1:4"],
            },
            {
                "key": "comments",
                "kind": Kind.LONG_TEXT,
                "required": False,
                "text": "Is there anything else you would like to tell us about the review?",
                "help_text": "Please do not include names or other personal details.",
                "easy_text": "Anything else?",
            },
        ],
    },
    {
        "slug": "professionals",
        "title": "Professionals' survey: working together on EHC plans",
        "audience": Audience.PROFESSIONAL,
        "intro": "For SENCOs, teachers, educational psychologists, health and social care "
        "practitioners. Tell us how the partnership works for you. It takes about 5 minutes.",
        "questions": [
            {
                "key": "role",
                "kind": Kind.SINGLE,
                "allow_other": True,
                "text": "What is your role?",
                "options": "SENCO\nTeacher\nEducational psychologist\nHealth professional\n"
                "Social care practitioner",
            },
            {
                "key": "advice-time",
                "kind": Kind.LIKERT,
                "text": "I have enough time to give good quality advice for EHC needs assessments",
                "objectives": ["PAP3B:2", "PAP3A:2"],
            },
            {
                "key": "advice-requests",
                "kind": Kind.NUMBER,
                "required": False,
                "min_value": 0,
                "max_value": 1000,
                "text": "About how many requests for advice did you get last term?",
            },
            {
                "key": "training",
                "kind": Kind.YES_NO,
                "text": "Have you had SEND training in the last 12 months?",
                "objectives": ["PAP5D:1"],
            },
            {
                "key": "training-useful",
                "kind": Kind.LIKERT,
                "text": "The training helped me in my work",
                "show_if_key": "training",
                "show_if_op": "equals",
                "show_if_values": "Yes",
                "objectives": ["PAP5D:1"],
            },
            {
                "key": "partnership",
                "kind": Kind.MATRIX,
                "text": "How much do you agree?",
                "statements": "Communication between services is good\n"
                "I know who to contact in the SEND team\n"
                "Families are involved in decisions",
                "objectives": ["PAP2A:1", "PAP2A:2"],
            },
            {
                "key": "improve",
                "kind": Kind.LONG_TEXT,
                "required": False,
                "text": "What would most improve how we work together?",
            },
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
            {
                "key": "age",
                "kind": Kind.SINGLE,
                "text": "How old are you?",
                "symbol": "🎂",
                "options": "11 to 13\n14 to 16\n17 to 19\n20 to 25",
            },
            {
                "key": "school-feeling",
                "kind": Kind.RATING,
                "pictorial": True,
                "text": "How do you feel about school or college?",
                "easy_text": "How do you feel at school or college?",
                "symbol": "🏫",
                "kpi": "KPI-SATISFACTION-CYP",
                "objectives": ["PAP1:5"],
            },
            {
                "key": "listened-to",
                "kind": Kind.RATING,
                "pictorial": True,
                "text": "Do adults listen to you about the support you get?",
                "easy_text": "Do adults listen to you?",
                "symbol": "👂",
                "kpi": "KPI-SATISFACTION-CYP",
                "objectives": ["PAP1:3", "PAP1:5"],
            },
            {
                "key": "who-helps",
                "kind": Kind.MULTIPLE,
                "allow_other": True,
                "text": "Who helps you the most?",
                "easy_text": "Who helps you?",
                "symbol": "🤝",
                "options": "My family\nA teacher or tutor\nMy friends\nA youth worker",
            },
            {
                "key": "know-plan",
                "kind": Kind.YES_NO,
                "text": "Do you know what is in your EHC plan?",
                "easy_text": "Do you know what your plan says?",
                "symbol": "📄",
                "objectives": ["PAP3A:4"],
            },
            {
                "key": "one-thing",
                "kind": Kind.SHORT_TEXT,
                "required": False,
                "text": "What is one thing that would make things better for you?",
                "easy_text": "What would make things better?",
                "symbol": "💡",
            },
        ],
    },
]


def template_get(key: str) -> dict:
    """The library definition whose `slug` is `key` (a copy, safe to change)."""
    for spec in TEMPLATES:
        if spec["slug"] == key:
            return {**spec, "questions": [dict(q) for q in spec["questions"]]}
    raise KeyError(key)


def survey_from_template(
    key: str, *, slug: str, title: str | None = None, publish: bool = False, user=None
) -> Survey:
    """A new survey built from library template `key`, a draft unless `publish` (which opens it)."""
    from .services import survey_create

    spec = template_get(key)
    questions = spec.pop("questions")
    spec.pop("slug")
    spec["title"] = title or spec["title"]
    return survey_create(
        slug=slug, privacy_notice=PRIVACY, questions=questions, publish=publish, user=user, **spec
    )


def library_ensure() -> dict[str, list[str]]:
    """Create the library's template surveys (drafts, no versions, no answers) that are missing.
    Idempotent by slug. Returns {"created": [titles], "unchanged": [titles]}."""
    result: dict[str, list[str]] = {"created": [], "unchanged": []}
    for spec in TEMPLATES:
        slug = TEMPLATE_SLUG_PREFIX + spec["slug"]
        existing = Survey.objects.filter(slug=slug).first()
        if existing is not None:
            result["unchanged"].append(existing.title)
            continue
        survey = survey_from_template(spec["slug"], slug=slug, title=TEMPLATE_TITLE_PREFIX + spec["title"])
        result["created"].append(survey.title)
    return result
