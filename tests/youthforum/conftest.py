"""Fixtures for the youth forum: members made through the services, a moderator, a prompt."""

import pytest

from portal.roles import Role
from youthforum import services
from youthforum.models import AgeBand, Prompt


@pytest.fixture
def moderator(make_user):
    return make_user(Role.ENGAGEMENT_TEAM, totp=True)


@pytest.fixture
def make_member(db, make_user, django_capture_on_commit_callbacks):
    """make_member(nickname, age_band=16-17, approved=True, consent=True) -> Member."""
    mod = make_user(Role.ENGAGEMENT_TEAM)

    def _make(nickname="Robin", age_band=AgeBand.AGE_16_17, approved=True, consent=True, email=None):
        with django_capture_on_commit_callbacks(execute=True):
            member = services.member_join(
                nickname=nickname, age_band=age_band, contact_email=email or f"{nickname.lower()}@example.org"
            )
        if member.needs_consent and consent:
            services.consent_confirm(consent=member.consents.get(), name="A Parent", agreed=True)
            member.refresh_from_db()
        if approved:
            services.member_approve(member=member, actor=mod)
        return member

    return _make


@pytest.fixture
def prompt(db):
    return Prompt.objects.create(
        question="What would make moving to college easier?",
        easy_read_question="What would help you move to college?",
        easy_read_text="Moving to college is a big change.",
        picture_emoji="🎓",
        picture_label="College",
        status=Prompt.Status.OPEN,
    )


@pytest.fixture
def send_view(django_capture_on_commit_callbacks):
    """Send a view with on-commit callbacks run, so eager Celery analyses it in-process."""

    def _send(member, prompt, words="", feeling="happy", consent=True):
        with django_capture_on_commit_callbacks(execute=True):
            view = services.view_save(
                member=member,
                prompt=prompt,
                words=words,
                feeling=feeling,
                consent_to_quote=consent,
                send=True,
            )
        view.refresh_from_db()
        return view

    return _send


def sign_in(client, member):
    client.force_login(member.user, backend="django.contrib.auth.backends.ModelBackend")
    return client
