"""Demo youth forum: approved members (one under-16 with recorded consent, one helped by a
worker, one waiting for consent), prompts with easy-read text and pictures, moderated views
sent through the feedback pipeline, a closed vote with results and an open one, past and
upcoming meetings, and terms of reference v1 published with v2 in draft.

Idempotent: everything is looked up by a natural key before it is created.
"""

from datetime import timedelta

from django.utils import timezone

from feedback.models import FeedbackItem
from feedback.services import feedback_analyse
from portal.models import User

from . import services
from .models import (
    AgeBand,
    ConsentRequest,
    Dot,
    Helper,
    Meeting,
    Member,
    Prompt,
    TermsVersion,
    Topic,
    View,
    VoteRound,
)

DEMO_DOMAIN = "demo.send-voice.test"

MEMBERS = [
    # nickname, age band, contact, joined with, approved
    ("Alex", AgeBand.AGE_16_17, "alex.yf", Helper.SELF, True),
    ("Jordan", AgeBand.AGE_13_15, "jordan.parent", Helper.PARENT, True),
    ("Sam", AgeBand.AGE_18_25, "sam.worker", Helper.WORKER, True),
    ("Kai", AgeBand.AGE_16_17, "kai.yf", Helper.SELF, True),
    ("Riley", AgeBand.AGE_11_12, "riley.parent", Helper.PARENT, False),
]

PROMPTS = [
    {
        "question": "What would make moving to college easier?",
        "easy_read_question": "What would help you move to college?",
        "easy_read_text": "Moving to college is a big change.\nTell us what would help you.",
        "picture_emoji": "🎓",
        "picture_label": "College",
    },
    {
        "question": "What helps you feel calm and safe at school?",
        "easy_read_question": "What helps you feel calm at school?",
        "easy_read_text": "Think about a good day at school.\nWhat helped?",
        "picture_emoji": "🏫",
        "picture_label": "School",
    },
    {
        "question": "How should services tell you about changes to your support?",
        "easy_read_question": "How should we tell you about changes?",
        "easy_read_text": "Sometimes your support changes.\nHow do you want to find out?",
        "picture_emoji": "📣",
        "picture_label": "Telling people",
    },
]

VIEWS = [
    # member, prompt index, feeling, words, consent, hide reason
    (
        "Alex",
        0,
        "not_sure",
        "Visiting the college more than once before I start, and meeting my support worker first.",
        True,
        "",
    ),
    ("Jordan", 0, "sad", "I am worried nobody at college will know about my EHCP.", True, ""),
    ("Sam", 0, "happy", "A quiet room and a map with pictures helped me a lot.", True, ""),
    ("Kai", 1, "okay", "Headphones and a time out card. Teachers who know my plan.", False, ""),
    ("Alex", 1, "happy", "", False, ""),
    (
        "Sam",
        2,
        "angry",
        "Nobody told me my transport was changing. Tell me by text, with time to get ready.",
        True,
        "",
    ),
    ("Jordan", 2, "", "My teacher Mrs Smith at Cherwell school said", True, "personal"),
]

TERMS_V1 = (
    "1. The SEND youth forum is for young people aged 11 to 25 with special educational needs or "
    "disabilities in Oxfordshire.\n\n2. We meet every two months, online or in person.\n\n"
    "3. We respect each other. Everyone gets a turn to speak.\n\n4. What we say in the forum is "
    "never shared with our names.\n\n5. A youth representative takes our views to the SEND "
    "improvement board."
)
TERMS_V1_EASY = (
    "🧑‍🤝‍🧑 The forum is for young people aged 11 to 25.\n\n📅 We meet every 2 months.\n\n"
    "🤝 We are kind to each other.\n\n🔒 We never share names.\n\n🏛️ One of us tells the board what we think."
)


def _moderator():
    return User.objects.filter(email=f"engagement@{DEMO_DOMAIN}").first()


def _member(nickname, band, contact, helper, approved, moderator, now) -> Member:
    email = f"{contact}@{DEMO_DOMAIN}"
    member = Member.objects.filter(contact_email=email, nickname=nickname).first()
    if member is None:
        member = services.member_join(
            nickname=nickname, age_band=band, contact_email=email, joined_with=helper
        )
    if member.needs_consent and approved and member.consent_given_at is None:
        consent = member.consents.first() or ConsentRequest.objects.create(
            member=member, email=email, wording_version="2026-11"
        )
        services.consent_confirm(consent=consent, name="Demo Parent", agreed=True)
        member.refresh_from_db()
    if approved and member.approved_at is None:
        services.member_approve(member=member, actor=moderator)
    return member


def _analyse_pending():
    """Run the feedback pipeline now, so moderation can see redacted text."""
    for pk in FeedbackItem.objects.filter(
        source_ref__startswith="youthforum.", analysis_state__in=["pending", "failed"]
    ).values_list("pk", flat=True):
        feedback_analyse(item_id=pk)


def load(stdout) -> None:
    now = timezone.now()
    moderator = _moderator()
    members = {spec[0]: _member(*spec, moderator, now) for spec in MEMBERS}

    prompts = []
    for spec in PROMPTS:
        prompt, _ = Prompt.objects.get_or_create(
            question=spec["question"], defaults={**spec, "status": Prompt.Status.OPEN}
        )
        prompts.append(prompt)

    created_views = []
    for nickname, index, feeling, words, consent, _hide in VIEWS:
        member, prompt = members[nickname], prompts[index]
        if not View.objects.filter(member=member, prompt=prompt).exists():
            created_views.append(
                services.view_save(
                    member=member,
                    prompt=prompt,
                    words=words,
                    feeling=feeling,
                    consent_to_quote=consent,
                    helped_by=member.joined_with,
                    send=True,
                )
            )
    _analyse_pending()
    for nickname, index, _f, _w, _c, hide in VIEWS:
        view = View.objects.filter(member=members[nickname], prompt=prompts[index]).first()
        if view is None or view.status != View.Status.SENT:
            continue
        if hide:
            services.view_hide(
                view=view,
                actor=moderator,
                reason=hide,
                note="Please do not use names of teachers or schools.",
            )
        else:
            try:
                services.view_approve(view=view, actor=moderator)
            except Exception as exc:  # e.g. a demo text flagged for safeguarding: leave it waiting
                stdout.write(f"  view #{view.pk} left for moderation: {exc}\n")
    # A draft, to show "save and send later".
    draft_prompt = prompts[2]
    if not View.objects.filter(member=members["Kai"], prompt=draft_prompt).exists():
        services.view_save(
            member=members["Kai"],
            prompt=draft_prompt,
            words="I would like a text message",
            feeling="",
            consent_to_quote=False,
            send=False,
        )

    closed, was_created = VoteRound.objects.get_or_create(
        title="What should the youth forum work on this year?",
        defaults={
            "easy_read_text": "Pick the topics that matter most to you.",
            "dots_per_member": 3,
            "status": VoteRound.Status.OPEN,
        },
    )
    if was_created:
        for order, (title, emoji, label) in enumerate(
            [
                ("Moving to college and adult life", "🎓", "College"),
                ("Mental health support", "💚", "Heart"),
                ("Getting to school and college (transport)", "🚌", "Bus"),
                ("Being listened to in EHCP meetings", "👂", "Ear"),
            ]
        ):
            Topic.objects.create(
                round=closed, title=title, picture_emoji=emoji, picture_label=label, sort_order=order
            )
        topics = list(closed.topics.all())
        plan = {
            "Alex": {0: 2, 3: 1},
            "Jordan": {1: 2, 3: 1},
            "Sam": {0: 1, 2: 2},
            "Kai": {0: 1, 1: 1, 3: 1},
        }
        for nickname, allocation in plan.items():
            services.dots_place(
                member=members[nickname],
                vote_round=closed,
                allocation={topics[i].pk: n for i, n in allocation.items()},
            )
        closed.status = VoteRound.Status.CLOSED
        closed.save()
        services.vote_round_sync_status(vote_round=closed)

    open_round, was_created = VoteRound.objects.get_or_create(
        title="What should our youth representative ask the board about?",
        defaults={
            "easy_read_text": "You have 2 dots.",
            "dots_per_member": 2,
            "status": VoteRound.Status.OPEN,
        },
    )
    if was_created:
        for order, (title, emoji, label) in enumerate(
            [
                ("Waiting times for CAMHS", "⏳", "Timer"),
                ("Training for teachers about autism", "🧑‍🏫", "Teacher"),
                ("More clubs and activities", "⚽", "Football"),
            ]
        ):
            Topic.objects.create(
                round=open_round, title=title, picture_emoji=emoji, picture_label=label, sort_order=order
            )

    meetings = [
        (
            "Youth forum meeting: moving on",
            now - timedelta(days=45),
            "1. Welcome and games\n2. Moving to college\n3. Voting on our topics",
            "We talked about moving to college.\nWe voted on what to work on this year.",
            "You said: visits to college before you start would help.\nWe did: the council asked every "
            "college to offer at least 2 visits for young people with an EHCP.",
        ),
        (
            "Youth forum meeting: calm at school",
            now + timedelta(days=21),
            "1. Welcome\n2. Feeling calm at school",
            "",
            "",
        ),
    ]
    for title, when, agenda, notes, happened in meetings:
        Meeting.objects.get_or_create(
            title=title,
            defaults={
                "starts_at": when,
                "place": "Online (Microsoft Teams) or County Hall, Oxford",
                "agenda": agenda,
                "easy_read_agenda": agenda,
                "easy_read_notes": notes,
                "notes": notes,
                "what_happened": happened,
            },
        )

    if not TermsVersion.objects.filter(number=1).exists():
        v1 = TermsVersion.objects.create(number=1, body=TERMS_V1, easy_read_body=TERMS_V1_EASY)
        services.terms_version_publish(version=v1, when=now - timedelta(days=120))
    if not TermsVersion.objects.filter(number=2).exists():
        TermsVersion.objects.create(
            number=2,
            status=TermsVersion.Status.DRAFT,
            body=TERMS_V1 + "\n\n6. Members can bring a parent, carer or worker to meetings.",
            easy_read_body=TERMS_V1_EASY + "\n\n👪 You can bring someone to help you.",
            change_summary="Members can bring a parent, carer or worker to meetings.",
        )
    stdout.write(
        f"Youth forum: {Member.objects.count()} members, {Prompt.objects.count()} questions, "
        f"{View.objects.count()} views, {VoteRound.objects.count()} votes ({Dot.objects.count()} dot rows), "
        f"{Meeting.objects.count()} meetings, {TermsVersion.objects.count()} terms versions.\n"
    )
