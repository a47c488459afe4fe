"""Newsletter double opt-in, site search, site setup (sections, editor permissions), the editors'
accessibility checker, and the demo content."""

import io
import re

import pytest
from django.core import mail

from cms import services
from cms.models import NewsletterSubscription

pytestmark = pytest.mark.django_db


def _subscribe(client, email="carer@example.org", audience="parent_carer", capture=None):
    with capture(execute=True):
        return client.post("/newsletter/", {"email": email, "audience": audience})


def test_double_opt_in_and_unsubscribe(client, site, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    response = _subscribe(client, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"].endswith("/check-your-email/")
    sub = NewsletterSubscription.objects.get()
    assert not sub.is_active
    [message] = mail.outbox
    assert "/confirm/" in message.body and "/unsubscribe/" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    confirm = re.search(r"https?://[^/]+(/\S+/confirm/\S+/)", message.body).group(1)
    assert client.get(confirm).status_code == 200  # a GET shows a button, never confirms
    sub.refresh_from_db()
    assert not sub.is_active
    client.post(confirm)
    sub.refresh_from_db()
    assert sub.is_active
    assert services.newsletter_issue_send(audience="parent_carer", subject="November", body="News") == 1
    assert "/unsubscribe/" in mail.outbox[-1].body  # in every email
    unsubscribe = re.search(r"https?://[^/]+(/\S+/unsubscribe/\S+/)", mail.outbox[-1].body).group(1)
    client.post(unsubscribe)
    sub.refresh_from_db()
    assert sub.unsubscribed_at is not None
    assert services.newsletter_issue_send(audience="parent_carer", subject="x", body="y") == 0


def test_signup_errors_keep_input_and_never_reveal_subscribers(
    client, site, django_capture_on_commit_callbacks
):
    response = client.post("/newsletter/", {"email": "not an email", "audience": ""})
    html = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in html
    assert 'value="not an email"' in html
    first = _subscribe(client, capture=django_capture_on_commit_callbacks)
    again = _subscribe(client, capture=django_capture_on_commit_callbacks)
    assert first["Location"] == again["Location"]
    assert NewsletterSubscription.objects.count() == 1


def test_bad_tokens(client, site):
    assert not services.newsletter_confirm(token="nope")
    assert not services.newsletter_unsubscribe(token="nope")
    assert client.post("/newsletter/confirm/nope/").status_code == 200


def test_site_search_finds_pages(client, yswd_index):
    from .conftest import publish_update

    publish_update(yswd_index, title="Named workers for families", summary="One caseworker each.")
    html = client.get("/search/?q=caseworker").content.decode()
    assert "Named workers for families" in html
    html = client.get("/search/?q=%3Cscript%3E").content.decode()
    assert "<script>" not in html.split("<main")[1]


def test_site_ensure_is_idempotent_and_gives_editors_page_permissions(db):
    from wagtail.models import GroupPagePermission, Page

    home = services.site_ensure()
    count = Page.objects.count()
    services.site_ensure()
    assert Page.objects.count() == count
    slugs = set(home.get_children().values_list("slug", flat=True))
    assert {"plan", "you-said-we-did", "news", "events", "newsletter", "search"} <= slugs
    perms = set(
        GroupPagePermission.objects.filter(group__name="Engagement team", page=home).values_list(
            "permission__codename", flat=True
        )
    )
    assert perms == {"add_page", "change_page", "publish_page"}


def test_engagement_team_can_publish(site, make_user):
    from cms.models import YouSaidWeDidIndexPage
    from portal.roles import Role

    editor = make_user(Role.ENGAGEMENT_TEAM)
    perms = YouSaidWeDidIndexPage.objects.get().permissions_for_user(editor)
    assert perms.can_add_subpage() and perms.can_publish()


def test_accessibility_checker_runs_full_wcag_22_aa(rf, site, make_user):
    from wagtail.admin.userbar import AccessibilityItem, apply_userbar_hooks

    from cms.wagtail_hooks import WCAG22AccessibilityItem

    request = rf.get("/")
    request.user = make_user()
    items = [AccessibilityItem(in_editor=True)]
    apply_userbar_hooks(request, items, site)
    assert isinstance(items[0], WCAG22AccessibilityItem)
    config = items[0].get_axe_configuration(request)
    assert set(config["options"]["runOnly"]) >= {"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}


def test_demo_builds_at_least_five_updates_from_seeded_feedback(plan, site):
    from cms import demo
    from cms.models import YouSaidWeDidPage
    from feedback import demo as feedback_demo
    from feedback.models import FeedbackItem

    feedback_demo.load(io.StringIO())
    demo.load(io.StringIO())
    demo.load(io.StringIO())  # idempotent
    pages = YouSaidWeDidPage.objects.live()
    assert pages.count() >= 5
    codes = set(pages.values_list("objectives__code", flat=True))
    assert {"PAP3A:1", "PAP2B:2", "PAP1:1"} <= codes
    assert FeedbackItem.objects.filter(status="responded", source_ref__startswith="demo:").count() >= 20
    assert pages.filter(status="could_not_do").exclude(status_reason="").exists()
