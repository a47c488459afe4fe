"""Demo content for the public site: "You said, we did" updates built from the seeded demo
feedback (feedback.demo) and linked to real objectives of the 2024 Priority Action Plan, plus
a standard page, news and events. Idempotent: pages are found by slug and left alone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from feedback.models import Channel, FeedbackItem, Theme
from feedback.services import feedback_analyse, feedback_ingest
from portal.models import Objective

from .models import (
    ActionStatus,
    EventIndexPage,
    EventKind,
    EventPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    StandardPage,
    YouSaidWeDidIndexPage,
    YouSaidWeDidPage,
)
from .services import site_ensure, yswd_draft_create

# Feedback of our own, with contact details and a wish for a reply, to show the reply email.
OWN_FEEDBACK = [
    (
        "cms-demo:01",
        "Nobody asked my son what he wanted at his annual review. He is 15 and has "
        "views. Please let young people speak in their own meetings.",
        "parent_carer",
        "demo.parent@example.org",
        "Sam",
    ),
    (
        "cms-demo:02",
        "We waited 31 weeks for the final EHC plan. Nobody told us why it was late or when it would come.",
        "parent_carer",
        "waiting.family@example.org",
        "",
    ),
]

UPDATES = [
    {
        "slug": "ehc-plans-on-time",
        "title": "Getting EHC plans finished on time",
        "refs": [
            "demo:00",
            "demo:03",
            "demo:13",
            "demo:15",
            "demo:25",
            "demo:28",
            "demo:40",
            "demo:43",
            "demo:55",
            "cms-demo:02",
        ],
        "objectives": ["PAP3A:1", "PAP3A:2"],
        "themes": ["ehcp timeliness"],
        "summary": (
            "Families and professionals told us that EHC needs assessments take far too long. "
            "Many waited much longer than the legal 20 weeks, and nobody explained the delay. "
            "SENCOs said waiting for educational psychology advice holds everything up."
        ),
        "action": (
            "We recruited six more educational psychologists and two assessment coordinators. "
            "Every family now gets a named contact and a fortnightly update while the assessment "
            "is open. We publish the share of plans finished within 20 weeks every month."
        ),
        "partner": "Oxfordshire County Council SEND Service",
        "status": ActionStatus.IN_PROGRESS,
        "easy": "You said plans take too long. We have more staff now. We tell you how it is going.",
        "picture": "⏱️",
        "months_ago": 1,
    },
    {
        "slug": "a-named-worker-for-every-family",
        "title": "One named worker for every family",
        "refs": ["demo:01", "demo:27", "demo:41"],
        "objectives": ["PAP2B:2"],
        "themes": ["named worker", "communication"],
        "summary": (
            "Parents told us their caseworker changed again and again and nobody told them. They "
            "did not know who to contact. Families in the named worker pilot said it made a real "
            "difference to have one person who knows them."
        ),
        "action": (
            "The named worker pilot is now the way we work across the county. Every family with an "
            "EHC plan has one named SEND officer. If your worker changes we write to you within five "
            "working days with the new name and how to reach them."
        ),
        "partner": "Oxfordshire County Council SEND Service",
        "status": ActionStatus.DONE,
        "easy": "You said you did not know who to talk to. Now every family has one named worker.",
        "picture": "🧑‍💼",
        "months_ago": 2,
    },
    {
        "slug": "young-people-in-their-own-meetings",
        "title": "Young people have a say in their own plans",
        "refs": ["demo:12", "demo:21", "demo:22", "demo:52", "cms-demo:01"],
        "objectives": ["PAP1:1", "PAP1:2"],
        "themes": ["co-production"],
        "summary": (
            "Young people told us nobody asked them what they wanted in their plan, even though it "
            "is about them. Members of the SEND youth forum said it works because adults actually "
            "listen."
        ),
        "action": (
            "The youth forum wrote a one-page 'All about me' form with us. Every annual review now "
            "starts with it, and young people can choose to come to the meeting, send a video or "
            "have someone speak for them. Youth forum members train our staff on it each term."
        ),
        "partner": "Oxfordshire County Council with the SEND youth forum",
        "status": ActionStatus.DONE,
        "easy": "You said nobody asked you. Now your review starts with what you want to say.",
        "picture": "🙋",
        "months_ago": 3,
    },
    {
        "slug": "replying-to-your-emails",
        "title": "Replying to your emails and calls",
        "refs": ["demo:30", "demo:38", "demo:43"],
        "objectives": ["PAP2A:1", "PAP3A:3"],
        "themes": ["communication"],
        "summary": (
            "People told us emails to the SEND team went unanswered and they had to chase again "
            "and again. Some said things have improved and they now get updates."
        ),
        "action": (
            "We set a standard: we reply to every email within 10 working days, and we check each "
            "month how well we keep to it. A shared inbox means messages are picked up when a "
            "worker is away."
        ),
        "partner": "Oxfordshire County Council SEND Service",
        "status": ActionStatus.IN_PROGRESS,
        "easy": "You said we did not answer emails. Now we answer within 10 working days.",
        "picture": "📧",
        "months_ago": 4,
    },
    {
        "slug": "camhs-waiting-times",
        "title": "Waiting times for mental health support",
        "refs": ["demo:06", "demo:23", "demo:32", "demo:46"],
        "objectives": ["PAP4C:1"],
        "themes": ["mental health", "waiting times"],
        "summary": (
            "Families told us children wait far too long for CAMHS and autism assessments, and get "
            "no help while they wait. Young people told us they feel anxious and nobody helps."
        ),
        "action": (
            "We asked for one four-week waiting time for every CAMHS referral. We could not do this "
            "yet. Instead, every child on the waiting list now gets a named contact, a check-in call "
            "every six weeks and access to the Wellbeing While You Wait sessions."
        ),
        "partner": "Oxford Health NHS Foundation Trust",
        "status": ActionStatus.COULD_NOT_DO,
        "reason": (
            "National funding for children's mental health is fixed for this year and there are not "
            "enough trained clinicians. We will ask again when the funding is set for next year."
        ),
        "easy": "",
        "picture": "🧠",
        "months_ago": 5,
    },
    {
        "slug": "better-ehc-plans",
        "title": "EHC plans that describe your child",
        "refs": ["demo:04", "demo:05", "demo:44", "demo:45"],
        "objectives": ["PAP3B:1", "PAP3B:2"],
        "themes": ["ehcp quality"],
        "summary": (
            "Parents told us draft plans were copied from other children and that section F was too "
            "vague for schools to know what support to give."
        ),
        "action": (
            "From next term, every draft plan is checked against a quality standard written with "
            "the parent carer forum before it is sent. Section F must say what support, how often "
            "and who gives it."
        ),
        "partner": "Oxfordshire County Council with Oxfordshire Parent Carer Forum",
        "status": ActionStatus.PLANNED,
        "easy": "You said plans were not about your child. We will check every plan first.",
        "picture": "📝",
        "months_ago": 0,
    },
]

EVENTS = [
    (
        "send-conversation-north",
        "SEND conversation: Banbury",
        EventKind.SEND_CONVERSATION,
        21,
        "Banbury Town Hall, Bridge Street, Banbury",
        "Parents and carers",
        "Come and tell us how SEND support is working for your family.",
    ),
    (
        "webinar-annual-reviews",
        "Webinar: getting ready for an annual review",
        EventKind.WEBINAR,
        35,
        "Online (Microsoft Teams)",
        "Parents, carers and professionals",
        "What happens at an annual review and how to make sure your child's views are heard.",
    ),
    (
        "youth-forum-december",
        "SEND youth forum meeting",
        EventKind.YOUTH_FORUM,
        14,
        "Oxford Youth Hub, and online",
        "Young people aged 11 to 25",
        "Pizza, games and planning what we tell the council next.",
    ),
]


def _own_feedback() -> None:
    for ref, text, audience, email, name in OWN_FEEDBACK:
        item = feedback_ingest(
            text=text,
            channel=Channel.WEB_FORM,
            audience=audience,
            source_ref=ref,
            received_at=timezone.now() - timedelta(days=120),
            consent_to_quote=True,
            contact_email=email,
            contact_name=name,
            wants_reply=True,
        )
        if item.analysis_state != FeedbackItem.AnalysisState.DONE:
            feedback_analyse(item_id=item.pk)


def _publish_update(index: YouSaidWeDidIndexPage, spec: dict) -> bool:
    if YouSaidWeDidPage.objects.filter(slug=spec["slug"]).exists():
        return False
    items = list(FeedbackItem.objects.filter(source_ref__in=spec["refs"], safeguarding=False))
    if not items:
        return False
    page = yswd_draft_create(index=index, title=spec["title"], items=items)
    page.slug = spec["slug"]
    page.summary = spec["summary"]
    page.action = spec["action"]
    page.partner = spec["partner"]
    page.status = spec["status"]
    page.status_reason = spec.get("reason", "")
    page.easy_read_summary = spec["easy"]
    page.easy_read_picture = spec["picture"]
    page.action_date = timezone.localdate() - timedelta(days=30 * spec["months_ago"])
    page.objectives = list(Objective.objects.filter(code__in=spec["objectives"], area__plan__is_current=True))
    page.themes = list(Theme.objects.filter(label__in=spec["themes"]))
    page.save_revision().publish()
    return True


def _other_pages(home: HomePage) -> None:
    if not StandardPage.objects.filter(slug="how-we-use-your-feedback").exists():
        page = StandardPage(
            title="How we use your feedback",
            slug="how-we-use-your-feedback",
            summary=(
                "Everything you tell us is read by the engagement team, linked to our "
                "improvement plan and reported to the SEND improvement board every month."
            ),
            easy_read_summary="We read everything you tell us. We use it to make things better.",
            body=[
                ("heading", {"text": "What happens to your feedback", "level": "h2"}),
                (
                    "paragraph",
                    "<p>We remove names and anything else that could identify you. "
                    "Then we look for themes and link your feedback to the part of our "
                    "plan it is about.</p>",
                ),
                ("easy_read", {"picture": "🔒", "text": "We take out your name."}),
                ("easy_read", {"picture": "📈", "text": "We tell the board what you said."}),
                ("inset", {"text": "We only quote you if you said we could."}),
            ],
        )
        home.add_child(instance=page)
        page.save_revision().publish()
    news_index = NewsIndexPage.objects.first()
    if news_index and not NewsPage.objects.filter(slug="named-workers-countywide").exists():
        story = NewsPage(
            title="Named workers for every family",
            slug="named-workers-countywide",
            date=timezone.localdate() - timedelta(days=20),
            summary="After a successful pilot, every family with an EHC plan now has a named worker.",
            easy_read_summary="Every family now has one named worker to talk to.",
            body=[
                (
                    "paragraph",
                    "<p>The pilot showed families were happier when they had one person who knew them.</p>",
                )
            ],
        )
        news_index.add_child(instance=story)
        story.save_revision().publish()
    events_index = EventIndexPage.objects.first()
    for slug, title, kind, days, location, audience, summary in EVENTS:
        if events_index is None or EventPage.objects.filter(slug=slug).exists():
            continue
        starts = timezone.make_aware(datetime.combine(date.today() + timedelta(days=days), time(18)))
        event = EventPage(
            title=title,
            slug=slug,
            kind=kind,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1, minutes=30),
            location=location,
            audience=audience,
            summary=summary,
            easy_read_summary="Come and tell us what you think.",
        )
        events_index.add_child(instance=event)
        event.save_revision().publish()


def load(stdout) -> None:
    home = site_ensure()
    index = YouSaidWeDidIndexPage.objects.first()
    _own_feedback()
    published = sum(_publish_update(index, spec) for spec in UPDATES)
    _other_pages(home)
    stdout.write(
        f"CMS demo: {published} new 'You said, we did' pages "
        f"({YouSaidWeDidPage.objects.live().count()} published).\n"
    )
