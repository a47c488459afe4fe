"""Youth forum services: joining, consent, moderation, feedback intake, dots, erasure,
retention and the demo loader."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from feedback.models import FeedbackItem, FeedbackOriginal
from portal.roles import Role, user_has_role
from youthforum import demo, retention, selectors, services
from youthforum.models import AgeBand, ConsentRequest, Dot, Member, TermsVersion, Topic, View, VoteRound

pytestmark = pytest.mark.django_db


def test_join_creates_private_account_with_young_person_role(make_member):
    member = make_member("Robin", approved=False)
    assert user_has_role(member.user, Role.YOUNG_PERSON)
    assert member.user.email.endswith(".invalid")  # never mailed, never shown
    assert not member.user.has_usable_password()
    assert not member.can_take_part
    assert mail.outbox == []  # 16+: no consent email


def test_under_16_needs_consent_before_approval(make_member, moderator):
    member = make_member("Jo", age_band=AgeBand.AGE_13_15, approved=False, consent=False)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["jo@example.org"]
    assert "/youth-forum/consent/" in mail.outbox[0].body
    with pytest.raises(ValidationError):
        services.member_approve(member=member, actor=moderator)
    consent = member.consents.get()
    assert consent.sent_at is not None and consent.wording_version
    services.consent_confirm(consent=consent, name="Pat Parent", agreed=True)
    member.refresh_from_db()
    consent.refresh_from_db()
    assert consent.confirmed_at and consent.confirmed_name == "Pat Parent"
    assert member.consent_given_at == consent.confirmed_at
    services.member_approve(member=member, actor=moderator)
    assert member.can_take_part and member.approved_by == moderator


def test_parent_saying_no_erases_the_member(make_member):
    member = make_member("Jo", age_band=AgeBand.AGE_11_12, approved=False, consent=False)
    user_pk = member.user.pk
    services.consent_confirm(consent=member.consents.get(), name="", agreed=False)
    assert not Member.objects.filter(pk=member.pk).exists()
    from portal.models import User

    assert not User.objects.filter(pk=user_pk).exists()


def test_consent_token_is_signed_and_checked():
    assert services.consent_from_token("junk") is None
    assert services.consent_from_token("") is None


def test_view_draft_then_send_goes_through_feedback(make_member, prompt, send_view):
    member = make_member()
    draft = services.view_save(
        member=member, prompt=prompt, words="Draft words", feeling="", consent_to_quote=False, send=False
    )
    assert draft.status == View.Status.DRAFT
    assert not FeedbackItem.objects.exists()  # drafts stay private
    view = send_view(member, prompt, words="More visits before I start\x00 please", feeling="not_sure")
    assert view.pk == draft.pk and view.status == View.Status.SENT
    assert "\x00" not in view.words
    item = FeedbackItem.objects.get(source_ref=f"youthforum.view:{view.pk}")
    assert item.channel == "youth_forum" and item.audience == "young_person" and item.consent_to_quote
    assert item.analysis_state == "done"
    assert "Feeling: Not sure" in item.original.text
    with pytest.raises(ValidationError):
        services.view_save(
            member=member, prompt=prompt, words="change", feeling="", consent_to_quote=False, send=True
        )


def test_sending_needs_words_or_feeling(make_member, prompt):
    with pytest.raises(ValidationError):
        services.view_save(
            member=make_member(), prompt=prompt, words="  ", feeling="", consent_to_quote=False, send=True
        )


def test_pending_member_cannot_take_part(make_member, prompt):
    member = make_member("Jo", age_band=AgeBand.AGE_13_15, approved=False, consent=False)
    with pytest.raises(ValidationError):
        services.view_save(
            member=member, prompt=prompt, words="hi", feeling="", consent_to_quote=False, send=True
        )


def test_only_approved_views_are_shared_and_only_redacted(make_member, prompt, send_view, moderator):
    author = make_member("Robin")
    view = send_view(author, prompt, words="My name is Robin Smith and I want more college visits")
    assert selectors.views_shared(prompt) == []
    services.view_approve(view=view, actor=moderator)
    shared = selectors.views_shared(prompt)
    assert len(shared) == 1
    item = FeedbackItem.objects.get(source_ref=view.source_ref)
    assert shared[0].text == selectors.without_feeling(item.redacted_text)
    assert "Feeling:" not in shared[0].text


def test_words_without_consent_are_not_shown_to_members(make_member, prompt, send_view, moderator):
    view = send_view(make_member(), prompt, words="Please more visits", feeling="happy", consent=False)
    services.view_approve(view=view, actor=moderator)
    shared = selectors.views_shared(prompt)
    assert [s.text for s in shared] == [""] and shared[0].feeling == "happy"


def test_safeguarding_view_can_never_be_shared(make_member, prompt, send_view, moderator):
    view = send_view(make_member(), prompt, words="My dad hits me and I am scared to go home")
    item = FeedbackItem.objects.get(source_ref=view.source_ref)
    assert item.safeguarding
    with pytest.raises(ValidationError):
        services.view_approve(view=view, actor=moderator)


def test_hide_with_reason_gives_kind_explanation(make_member, prompt, send_view, moderator):
    view = send_view(make_member(), prompt, words="My teacher is Mr Jones")
    services.view_hide(view=view, actor=moderator, reason="personal", note="No names please")
    assert view.status == View.Status.HIDDEN
    assert "personal details" in selectors.hide_explanation(view)
    with pytest.raises(ValidationError):
        services.view_hide(view=view, actor=moderator, reason="nonsense")


def _round(status=VoteRound.Status.OPEN, dots=3):
    vote_round = VoteRound.objects.create(title="Topics", dots_per_member=dots, status=status)
    topics = [Topic.objects.create(round=vote_round, title=t, sort_order=i) for i, t in enumerate("ABC")]
    return vote_round, topics


def test_dot_voting_limits_and_results(make_member, settings):
    vote_round, (a, b, c) = _round()
    one, two = make_member("One"), make_member("Two")
    services.dots_place(member=one, vote_round=vote_round, allocation={a.pk: 2, b.pk: 1})
    services.dots_place(member=two, vote_round=vote_round, allocation={a.pk: 1})
    services.dots_place(member=two, vote_round=vote_round, allocation={c.pk: 3})  # replaces
    for bad in ({a.pk: 4}, {a.pk: 0}, {999999: 1}, {a.pk: -1}):
        with pytest.raises(ValidationError):
            services.dots_place(member=one, vote_round=vote_round, allocation=bad)
    results = selectors.round_results(vote_round)
    # Members see small numbers of dots as "fewer than 5" (portal.disclosure); still ranked.
    assert [(r.topic.title, r.dots, r.percent) for r in results] == [
        ("C", None, None),
        ("A", None, None),
        ("B", None, None),
    ]
    assert results[0].words == "fewer than 5 dots"
    settings.SMALL_NUMBER_THRESHOLD = 1  # every count shown: the sums themselves
    results = selectors.round_results(vote_round)
    assert [(r.topic.title, r.dots) for r in results] == [("C", 3), ("A", 2), ("B", 1)]
    assert results[0].percent == 100 and results[2].words == "1 dot"
    vote_round.status = VoteRound.Status.CLOSED
    vote_round.save()
    with pytest.raises(ValidationError):
        services.dots_place(member=one, vote_round=vote_round, allocation={a.pk: 1})


def test_leaving_erases_everything(make_member, prompt, send_view):
    member = make_member("Leaver")
    view = send_view(member, prompt, words="I like the quiet room at college")
    item_pk = FeedbackItem.objects.get(source_ref=view.source_ref).pk
    closed, (a, _b, _c) = _round()
    open_round, (x, _y, _z) = _round()
    services.dots_place(member=member, vote_round=closed, allocation={a.pk: 2})
    services.dots_place(member=member, vote_round=open_round, allocation={x.pk: 1})
    closed.status = VoteRound.Status.CLOSED
    closed.save()
    user_pk = member.user.pk
    services.member_leave(member=member)
    from portal.models import User

    assert not User.objects.filter(pk=user_pk).exists()
    assert not Member.objects.exists() and not View.objects.exists()
    assert not ConsentRequest.objects.exists()
    # Closed results stay true but anonymous; open-round dots are gone.
    assert list(Dot.objects.values_list("round_id", "member_id", "count")) == [(closed.pk, None, 2)]
    item = FeedbackItem.objects.get(pk=item_pk)
    assert item.redacted_text == "" and item.source_ref == ""
    assert FeedbackOriginal.objects.get(item=item).text == ""


def test_retention_expires_consent_and_erases_waiting_child(make_member):
    waiting = make_member("Wait", age_band=AgeBand.AGE_13_15, approved=False, consent=False)
    fresh = make_member("Fresh", age_band=AgeBand.AGE_13_15, approved=False, consent=False)
    ConsentRequest.objects.filter(member=waiting).update(created_at=timezone.now() - timedelta(days=31))
    result = retention.enforce(now=timezone.now())
    assert result == {"consent_requests_expired": 1, "members_erased": 1}
    assert list(Member.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert retention.enforce(now=timezone.now()) == {"consent_requests_expired": 0, "members_erased": 0}


def test_terms_publish_supersedes_previous():
    v1 = TermsVersion.objects.create(number=1, body="One")
    services.terms_version_publish(version=v1)
    v2 = TermsVersion.objects.create(number=2, body="Two")
    services.terms_version_publish(version=v2)
    v1.refresh_from_db()
    assert v1.status == TermsVersion.Status.SUPERSEDED
    assert selectors.terms_published() == v2
    assert list(selectors.terms_history()) == [v2, v1]


def test_terms_comment_only_on_drafts(make_member):
    member = make_member()
    draft = TermsVersion.objects.create(number=3, body="Draft", status=TermsVersion.Status.DRAFT)
    comment = services.terms_comment_add(member=member, version=draft, text="Add a rule about breaks")
    assert FeedbackItem.objects.filter(source_ref=f"youthforum.termscomment:{comment.pk}").exists()
    services.terms_version_publish(version=draft)
    with pytest.raises(ValidationError):
        services.terms_comment_add(member=member, version=draft, text="Too late")


def test_report_uses_only_consented_redacted_text(make_member, prompt, send_view, moderator, settings):
    quoted = send_view(make_member("A"), prompt, words="College visits helped me settle in")
    private = send_view(make_member("B"), prompt, words="Secret thoughts about college", consent=False)
    for view in (quoted, private):
        services.view_approve(view=view, actor=moderator)
    now = timezone.now()
    report = selectors.representation_report(since=now - timedelta(days=1), until=now + timedelta(days=1))
    assert report.views is None and report.members is None  # 2 and 2: small, for the board
    assert report.members_words == "fewer than 5 members"
    settings.SMALL_NUMBER_THRESHOLD = 1
    report = selectors.representation_report(since=now - timedelta(days=1), until=now + timedelta(days=1))
    assert report.views == 2 and report.members == 2
    texts = [q for _question, q in report.quotes]
    assert texts == [
        selectors.without_feeling(FeedbackItem.objects.get(source_ref=quoted.source_ref).redacted_text)
    ]
    assert "College visits helped me settle in" in texts[0]


def test_demo_is_idempotent(plan):
    from portal.demo import demo_users_ensure

    demo_users_ensure()
    out = io.StringIO()
    demo.load(out)
    counts = (Member.objects.count(), View.objects.count(), Dot.objects.count(), TermsVersion.objects.count())
    demo.load(io.StringIO())
    assert counts == (
        Member.objects.count(),
        View.objects.count(),
        Dot.objects.count(),
        TermsVersion.objects.count(),
    )
    assert Member.objects.filter(
        approved_at__isnull=False, age_band__in=["11-12", "13-15"], consent_given_at__isnull=False
    ).exists()
    assert VoteRound.objects.filter(status="closed").exists()
    assert View.objects.filter(status="approved").exists()
    assert TermsVersion.objects.filter(status="published").exists()
    assert TermsVersion.objects.filter(status="draft").exists()
