"""Member pages and moderators' screens through Django's test client: errors keep input,
junk never causes a 500, privacy between members, consent before taking part, leaving."""

import re

import pytest
from django.core import mail

from feedback.models import FeedbackItem
from tests.auth import sign_in as staff_sign_in
from youthforum import services
from youthforum.models import AgeBand, Member, TermsComment, TermsVersion, Topic, View, VoteRound

from .conftest import sign_in

pytestmark = pytest.mark.django_db


def test_public_pages(client):
    html = client.get("/youth-forum/").content.decode()
    assert "Join the youth forum" in html and "/you-said-we-did/?view=young" in html
    assert client.get("/youth-forum/join/").status_code == 200
    assert client.get("/youth-forum/terms-of-reference/").status_code == 200
    assert client.get("/youth-forum/sign-in/").status_code == 200


def test_join_errors_keep_input_and_strip_nul(client):
    resp = client.post("/youth-forum/join/", {"nickname": "<b>Zed</b>\x00", "contact_email": "not-an-email"})
    html = resp.content.decode()
    assert resp.status_code == 200 and "There is a problem" in html
    assert "Choose how old you are" in html and "Enter an email address like" in html
    assert 'value="&lt;b&gt;Zed&lt;/b&gt;"' in html and "<b>Zed" not in html
    assert 'value="not-an-email"' in html
    assert not Member.objects.exists()


def test_join_under_16_then_consent_then_approval(client, moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            "/youth-forum/join/",
            {
                "nickname": "Jo",
                "age_band": "13-15",
                "contact_email": "Parent@Example.org",
                "joined_with": "parent",
            },
        )
    assert resp["Location"] == "/youth-forum/join/done/"
    member = Member.objects.get()
    assert member.contact_email == "parent@example.org" and member.joined_with == "parent"
    assert "need to say yes" in client.get(resp["Location"]).content.decode()
    # Cannot take part before consent is recorded (and approval).
    prompt_resp = client.get("/youth-forum/my-views/")
    assert prompt_resp.status_code == 403 and "Waiting" in prompt_resp.content.decode()
    link = re.search(r"http://testserver(/youth-forum/consent/[^\s]+/)", mail.outbox[0].body).group(1)
    anon = client.__class__()
    html = anon.get(link).content.decode()
    assert "Can Jo join" in html and "Wording version" in html
    resp = anon.post(link, {"answer": "yes", "name": ""})
    assert "Enter your name" in resp.content.decode()
    resp = anon.post(link, {"answer": "yes", "name": "Pat"})
    assert "Thank you for saying yes" in resp.content.decode()
    member.refresh_from_db()
    assert member.consent_given_at is not None and not member.can_take_part
    assert client.get("/youth-forum/my-views/").status_code == 403
    services.member_approve(member=member, actor=moderator)
    assert client.get("/youth-forum/my-views/").status_code == 200


def test_bad_links_are_kind_404s(client):
    assert client.get("/youth-forum/consent/junk/").status_code == 404
    assert client.get("/youth-forum/sign-in/junk%00/").status_code == 404
    assert client.post("/youth-forum/consent/junk/", {"answer": "yes"}).status_code == 404


def test_sign_in_by_link_is_single_use(client, make_member, django_capture_on_commit_callbacks):
    member = make_member("Robin", email="carer@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post("/youth-forum/sign-in/", {"email": "CARER@example.org"})
    assert "Check your email" in resp.content.decode()
    link = re.search(r"http://testserver(/youth-forum/sign-in/[^\s]+/)", mail.outbox[-1].body).group(1)
    assert "Sign in as Robin" in client.get(link).content.decode()  # GET does not sign in
    assert client.post(link)["Location"] == "/youth-forum/"
    assert "Hello Robin" in client.get("/youth-forum/").content.decode()
    assert client.post(link).status_code == 404  # used
    # Unknown emails get the same answer.
    resp = client.post("/youth-forum/sign-in/", {"email": "nobody@example.org"})
    assert "Check your email" in resp.content.decode()
    assert member.pk


def test_answer_prompt_draft_then_send(client, make_member, prompt, django_capture_on_commit_callbacks):
    member = make_member()
    sign_in(client, member)
    url = f"/youth-forum/questions/{prompt.pk}/"
    html = client.get(url).content.decode()
    assert "😀 Happy" in html and "Picture: College" in html
    resp = client.post(url, {"send": "1", "words": "", "helped_by": ""})
    assert resp.status_code == 200 and "Choose a picture, write some words, or both" in resp.content.decode()
    resp = client.post(url, {"save": "1", "words": "<script>alert(1)</script>", "helped_by": "worker"})
    assert resp.status_code == 302
    html = client.get(url).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            url,
            {
                "send": "1",
                "feeling": "sad",
                "words": "More visits",
                "helped_by": "worker",
                "consent_to_quote": "on",
            },
        )
    assert resp["Location"] == "/youth-forum/my-views/"
    view = View.objects.get()
    assert view.status == "sent" and view.helped_by == "worker" and view.consent_to_quote
    assert FeedbackItem.objects.filter(source_ref=view.source_ref).exists()
    assert "Waiting for a moderator" in client.get("/youth-forum/my-views/").content.decode()
    # Junk: unknown feeling, huge words, bad pk.
    assert client.post(url, {"send": "1", "feeling": "zzz"}).status_code == 200
    assert client.get("/youth-forum/questions/abc/").status_code == 404
    assert client.get("/youth-forum/questions/99999999999999999999/").status_code == 404


def test_other_member_cannot_see_unmoderated_views(client, make_member, prompt, send_view, moderator):
    author, other = make_member("Author"), make_member("Other")
    send_view(author, prompt, words="Unmoderated words about college buses")
    sign_in(client, other)
    html = client.get(f"/youth-forum/questions/{prompt.pk}/").content.decode()
    assert "Unmoderated words" not in html and "Author" not in html
    view = View.objects.get(member=author)
    services.view_approve(view=view, actor=moderator)
    html = client.get(f"/youth-forum/questions/{prompt.pk}/").content.decode()
    assert "Unmoderated words about college buses" in html
    assert FeedbackItem.objects.get(source_ref=view.source_ref).analysis_state == "done"
    assert "Author" not in html
    # Another member's "my views" never lists it.
    assert "college buses" not in client.get("/youth-forum/my-views/").content.decode()


def test_hidden_view_shows_kind_explanation(client, make_member, prompt, send_view, moderator):
    member = make_member()
    view = send_view(member, prompt, words="My teacher Mr Jones")
    services.view_hide(view=view, actor=moderator, reason="worry", note="We will check in with you.")
    html = sign_in(client, member).get("/youth-forum/my-views/").content.decode()
    assert "You did the right thing by telling us" in html and "We will check in with you." in html


def test_vote_and_results(client, make_member, settings):
    member = make_member()
    sign_in(client, member)
    vote_round = VoteRound.objects.create(title="Our topics", dots_per_member=3, status="open")
    a, b = (
        Topic.objects.create(round=vote_round, title=t, picture_emoji="🚌", picture_label="Bus")
        for t in ("Buses", "Clubs")
    )
    url = f"/youth-forum/votes/{vote_round.pk}/"
    assert "Buses" in client.get(url).content.decode()
    resp = client.post(url, {f"topic-{a.pk}": "3", f"topic-{b.pk}": "2"})
    assert resp.status_code == 400 and "You have 3 dots. You used 5." in resp.content.decode()
    assert 'value="3" checked' in resp.content.decode()  # keeps what was chosen
    assert client.post(url, {f"topic-{a.pk}": "x\x00"}).status_code == 400
    assert client.post(url, {f"topic-{a.pk}": "2", f"topic-{b.pk}": "1"}).status_code == 302
    vote_round.status = "closed"
    vote_round.save()
    html = client.get(url).content.decode()
    # One member's 2 + 1 dots: small numbers, shown as such to other members.
    assert "Results: Our topics" in html and "Fewer than 5 dots" in html
    assert "Fewer than 5 members voted" in html and "2 dots" not in html and "1 dot<" not in html
    settings.SMALL_NUMBER_THRESHOLD = 1
    html = client.get(url).content.decode()
    assert "2 dots" in html and "1 dot" in html and "1 member voted" in html


def test_meetings_and_terms(client, make_member):
    from django.utils import timezone

    from youthforum.models import Meeting

    Meeting.objects.create(
        title="Next meeting",
        starts_at=timezone.now() + timezone.timedelta(days=3),
        place="Online",
        easy_read_agenda="Games",
    )
    v1 = TermsVersion.objects.create(number=1, body="Rule one")
    services.terms_version_publish(version=v1)
    TermsVersion.objects.create(number=2, body="Rule two", status="draft")
    assert client.get("/youth-forum/meetings/").status_code == 403  # members only
    member = make_member()
    sign_in(client, member)
    assert "Next meeting" in client.get("/youth-forum/meetings/").content.decode()
    html = client.get("/youth-forum/terms-of-reference/").content.decode()
    assert "Rule one" in html and "Read the new version" in html
    resp = client.post("/youth-forum/terms-of-reference/draft/", {"text": "", "helped_by": ""})
    assert "Write your comment" in resp.content.decode()
    resp = client.post("/youth-forum/terms-of-reference/draft/", {"text": "Add breaks", "helped_by": ""})
    assert resp.status_code == 302 and TermsComment.objects.get().text == "Add breaks"


def test_leave_erases_and_signs_out(client, make_member, prompt, send_view):
    member = make_member()
    send_view(member, prompt, words="Something")
    sign_in(client, member)
    resp = client.post("/youth-forum/leave/", {})
    assert "Tick the box" in resp.content.decode()
    resp = client.post("/youth-forum/leave/", {"confirm": "on"})
    assert "You have left the youth forum" in resp.content.decode()
    assert not Member.objects.exists() and not View.objects.exists()
    assert client.get("/youth-forum/my-views/").status_code == 403


def test_staff_who_are_not_members_get_a_kind_page(client, moderator):
    staff_sign_in(client, moderator)
    assert client.get("/youth-forum/my-views/").status_code == 403
    assert client.get("/youth-forum/join/").status_code == 403


# --- Moderation in the Wagtail admin -------------------------------------------------------


@pytest.fixture
def staff_client(client, moderator):
    staff_sign_in(client, moderator)
    return client


def test_moderation_screens(staff_client, make_member, prompt, send_view):
    waiting = make_member("Waiting", age_band=AgeBand.AGE_13_15, approved=False, consent=False)
    ready = make_member("Ready", approved=False)
    resp = staff_client.get("/admin/youth-forum/")
    assert resp.status_code == 200, resp
    html = resp.content.decode()
    assert "Waiting" in html and "Ready" in html and "waiting@example.org" in html
    # Seeing young people's contact emails is recorded in the access log: who, where, which members.
    from portal.models import AccessLogEntry

    entry = AccessLogEntry.objects.get(action="contacts_viewed")
    assert entry.screen == "youth forum moderation" and sorted(entry.detail["members"]) == sorted(
        [waiting.pk, ready.pk]
    )
    staff_client.post(f"/admin/youth-forum/members/{waiting.pk}/", {"decision": "approve"})
    waiting.refresh_from_db()
    assert waiting.approved_at is None  # no consent yet
    staff_client.post(f"/admin/youth-forum/members/{ready.pk}/", {"decision": "approve"})
    ready.refresh_from_db()
    assert ready.can_take_part
    view = send_view(ready, prompt, words="<i>Buses</i> are late")
    html = staff_client.get("/admin/youth-forum/").content.decode()
    assert "&lt;i&gt;Buses&lt;/i&gt;" in html
    staff_client.post(f"/admin/youth-forum/views/{view.pk}/", {"decision": "hide", "reason": "bogus"})
    view.refresh_from_db()
    assert view.status == "sent"
    staff_client.post(
        f"/admin/youth-forum/views/{view.pk}/", {"decision": "hide", "reason": "unkind", "note": "x\x00y"}
    )
    view.refresh_from_db()
    assert view.status == "hidden" and view.hide_note == "xy"
    staff_client.post(f"/admin/youth-forum/views/{view.pk}/", {"decision": "approve"})
    view.refresh_from_db()
    assert view.status == "approved"
    assert staff_client.get("/admin/youth-forum/comments/").status_code == 200
    resp = staff_client.get("/admin/youth-forum/report/?from=2020-01-01&to=junk")
    assert resp.status_code == 200 and "Youth representative" in resp.content.decode()
    assert staff_client.get("/admin/snippets/youthforum/prompt/").status_code == 200


def test_members_cannot_reach_moderation(client, make_member):
    sign_in(client, make_member())
    resp = client.get("/admin/youth-forum/")
    assert resp.status_code in (302, 403)


def test_join_and_sign_in_are_rate_limited_and_keep_input(client, settings, monkeypatch):
    monkeypatch.setenv("YOUTHFORUM_RATE_LIMIT", "1")
    data = {"nickname": "Zed", "age_band": "16-17", "contact_email": "zed@example.org"}
    assert client.post("/youth-forum/join/", data).status_code == 302
    client.logout()
    resp = client.post("/youth-forum/join/", {**data, "nickname": "Zoe"})
    assert resp.status_code == 429 and 'value="Zoe"' in resp.content.decode()
    assert Member.objects.count() == 1
    assert client.post("/youth-forum/sign-in/", {"email": "a@example.org"}).status_code == 200
    resp = client.post("/youth-forum/sign-in/", {"email": "a@example.org"})
    assert resp.status_code == 429 and 'value="a@example.org"' in resp.content.decode()


def test_admin_snippets_and_hooks(staff_client):
    from youthforum.wagtail_hooks import _after_save

    for model in ("prompt", "voteround", "meeting", "termsversion"):
        assert staff_client.get(f"/admin/snippets/youthforum/{model}/add/").status_code == 200, model
    v1 = TermsVersion.objects.create(number=1, body="One", status="published")
    _after_save(None, v1)
    v2 = TermsVersion.objects.create(number=2, body="Two", status="published")
    _after_save(None, v2)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v1.status == "superseded" and v2.published_at is not None
    vote_round = VoteRound.objects.create(title="T", status="closed")
    _after_save(None, vote_round)
    vote_round.refresh_from_db()
    assert vote_round.closed_at is not None


def test_member_report_page_uses_consented_redacted_words(
    client, make_member, prompt, send_view, moderator, settings
):
    quoted = send_view(make_member("A"), prompt, words="Visits to college helped me")
    private = send_view(make_member("B"), prompt, words="Private worry about buses", consent=False)
    for view in (quoted, private):
        services.view_approve(view=view, actor=moderator)
    html = sign_in(client, make_member("C")).get("/youth-forum/report/").content.decode()
    assert "Visits to college helped me" in html and "Private worry" not in html
    assert "Fewer than 5 members sent fewer than 5 views" in html
    settings.SMALL_NUMBER_THRESHOLD = 1
    html = client.get("/youth-forum/report/").content.decode()
    assert "2 members sent 2 views" in html


JUNK = ["", "\x00", "x" * 5000, "💥" * 300, "<script>", "-1", "999999999999999999999", "1e9", "None"]


def test_junk_never_causes_a_500(client, make_member, prompt):
    vote_round = VoteRound.objects.create(title="Junk", dots_per_member=2, status="open")
    topic = Topic.objects.create(round=vote_round, title="A")
    TermsVersion.objects.create(number=9, body="Draft", status="draft")
    anon_urls = [
        "/youth-forum/join/",
        "/youth-forum/sign-in/",
        "/youth-forum/consent/x/",
        "/youth-forum/leave/",
    ]
    member_urls = [
        f"/youth-forum/questions/{prompt.pk}/",
        f"/youth-forum/votes/{vote_round.pk}/",
        "/youth-forum/terms-of-reference/draft/",
        "/youth-forum/questions/0/",
        "/youth-forum/votes/x/",
        "/youth-forum/meetings/-1/",
    ]
    fields = [
        "nickname",
        "age_band",
        "contact_email",
        "joined_with",
        "email",
        "answer",
        "name",
        "feeling",
        "words",
        "consent_to_quote",
        "helped_by",
        "text",
        f"topic-{topic.pk}",
        "send",
        "save",
    ]
    for url in anon_urls:
        for junk in JUNK:
            resp = client.post(url, dict.fromkeys(fields, junk))
            assert resp.status_code < 500, (url, junk)
            client.logout()
    sign_in(client, make_member("Junk"))
    for url in member_urls:
        for junk in JUNK:
            resp = client.post(url, dict.fromkeys(fields, junk))
            assert resp.status_code < 500, (url, junk)
            assert client.get(url).status_code < 500
