"""People with personal data in every app, for the data protection tests (subject access,
erasure, retention). Every string a person wrote carries their `tag`, so a test can search an
export or the database for anything of theirs."""

from __future__ import annotations

from dataclasses import dataclass, field

from portal.roles import Role
from surveys.models import Audience
from surveys.questions import Kind
from tests.factories import user_with_role


def run_on_commit(fn, *args, **kwargs):
    """Call a service and run the on-commit callbacks it queued (eager Celery runs analysis and
    emails in-process), as the real request would after its transaction commits."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        return fn(*args, **kwargs)


def named_survey():
    """An open, named (not anonymous) survey: answers are linked to the signed-in account."""
    from surveys.services import survey_create

    return survey_create(
        title="Annual review survey",
        slug="annual-review",
        audience=Audience.PARENT_CARER,
        intro="About your annual review.",
        privacy_notice="We keep answers for 2 years.",
        anonymous=False,
        questions=[
            {"key": "rating", "kind": Kind.SINGLE, "text": "How was it?", "options": "Good\nBad"},
            {"key": "comment", "kind": Kind.LONG_TEXT, "text": "Tell us more", "required": False},
        ],
    )


@dataclass
class Forum:
    prompt: object
    terms: object
    vote_round: object
    topic: object


def forum():
    from youthforum.models import Prompt, TermsVersion, Topic, VoteRound

    prompt = Prompt.objects.create(
        question="What would help at college?", easy_read_question="College?", status=Prompt.Status.OPEN
    )
    terms = TermsVersion.objects.create(number=1, body="Draft terms", status=TermsVersion.Status.DRAFT)
    vote_round = VoteRound.objects.create(title="Priorities", status=VoteRound.Status.OPEN)
    topic = Topic.objects.create(round=vote_round, title="Transport", sort_order=0)
    return Forum(prompt, terms, vote_round, topic)


@dataclass
class Person:
    tag: str
    user: object
    email: str
    feedback: object = None
    safeguarding_item: object = None
    response: object = None
    invitation: object = None
    draft: object = None
    child: object = None
    subscription: object = None
    extra: dict = field(default_factory=dict)


def parent(tag: str, *, survey, totp: bool = False, safeguarding: bool = True) -> Person:
    """A parent with an account and data in every app: feedback with their email (and one that
    raised a safeguarding alert), a named survey response with free text, an invitation and a
    saved draft, a child in the youth forum who gave their email as the contact, and a
    newsletter sign-up."""
    from cms.services import newsletter_confirm, newsletter_subscribe
    from feedback.services import feedback_ingest
    from surveys import services as surveys
    from youthforum import services as youthforum
    from youthforum.models import AgeBand

    email = f"{tag}@example.org"
    user = user_with_role(Role.PARENT_CARER, totp=totp, email=email, first_name=f"First{tag}")
    person = Person(tag=tag, user=user, email=email)
    person.feedback = run_on_commit(
        feedback_ingest,
        text=f"The school transport for {tag} is always late.",
        channel="web_form",
        audience="parent_carer",
        contact_email=email,
        contact_name=f"Name {tag}",
        wants_reply=True,
    )
    if safeguarding:
        person.safeguarding_item = run_on_commit(
            feedback_ingest,
            text=f"About {tag}: she has started cutting herself and says she wants to die.",
            channel="web_form",
            audience="parent_carer",
            contact_email=email,
        )
    response = surveys.response_start(survey=survey, respondent=user)
    surveys.response_save_answers(
        response=response, values={"rating": "good", "comment": f"Survey words {tag}"}
    )
    person.response = run_on_commit(surveys.response_submit, response=response)
    run_on_commit(surveys.answers_feed_feedback, response_id=response.pk)
    person.invitation, _ = run_on_commit(
        surveys.invitation_create, survey=survey, email=email, name=f"Invitee {tag}", reference=f"EHCNA-{tag}"
    )
    draft = surveys.response_start(survey=survey)
    surveys.response_save_answers(response=draft, values={"comment": f"Draft words {tag}"})
    person.draft = run_on_commit(surveys.response_resume_email, response=draft, email=email)
    child = run_on_commit(
        youthforum.member_join, nickname=f"Kid{tag}", age_band=AgeBand.AGE_13_15, contact_email=email
    )
    youthforum.consent_confirm(consent=child.consents.get(), name=f"Parent {tag}", agreed=True)
    person.child = child
    person.subscription = run_on_commit(newsletter_subscribe, email=email, audience="parent_carer")
    newsletter_confirm(token=person.subscription.confirm_token)
    for obj in (
        person.feedback,
        person.safeguarding_item,
        person.response,
        person.invitation,
        person.draft,
        person.child,
        person.subscription,
    ):
        if obj is not None:
            obj.refresh_from_db()
    return person


def member(tag: str, *, place: Forum, moderator) -> Person:
    """A young person in the forum (an account with no email or password of its own) who sent a
    view, commented on the draft terms and voted."""
    from youthforum import services as youthforum
    from youthforum.models import AgeBand

    contact = f"{tag}-contact@example.org"
    young = run_on_commit(
        youthforum.member_join, nickname=f"Mem{tag}", age_band=AgeBand.AGE_16_17, contact_email=contact
    )
    youthforum.member_approve(member=young, actor=moderator)
    view = run_on_commit(
        youthforum.view_save,
        member=young,
        prompt=place.prompt,
        words=f"View words {tag} about buses",
        feeling="happy",
        consent_to_quote=True,
        send=True,
    )
    comment = run_on_commit(
        youthforum.terms_comment_add, member=young, version=place.terms, text=f"Comment words {tag}"
    )
    youthforum.dots_place(member=young, vote_round=place.vote_round, allocation={place.topic.pk: 2})
    person = Person(tag=tag, user=young.user, email=contact, child=young)
    person.extra.update(view=view, comment=comment)
    return person


__all__ = ["Forum", "Person", "forum", "member", "named_survey", "parent", "run_on_commit"]
