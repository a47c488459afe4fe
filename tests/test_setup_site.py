"""docs/operations.md "First deploy", followed literally on an empty (migrated) database with no
demo: load_plan, setup_site, createsuperuser. Then the home page is ours, and every link in
its header and footer works."""

import io
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command


class _Links(HTMLParser):
    """The href of every <a> (and form action) inside <header>, the service navigation (<nav>,
    just below the header in the GOV.UK pattern) or <footer>."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("header", "nav", "footer"):
            self.depth += 1
        elif tag in ("a", "form") and self.depth:
            href = dict(attrs).get("href" if tag == "a" else "action")
            if href:
                self.hrefs.append(href)

    def handle_endtag(self, tag):
        if tag in ("header", "nav", "footer"):
            self.depth -= 1


def _counts():
    from django.contrib.auth.models import Group
    from wagtail.models import GroupPagePermission, Page, Site

    from feedback.models import School, Theme
    from surveys.models import Question, Survey

    return {
        "pages": Page.objects.count(),
        "sites": Site.objects.count(),
        "groups": Group.objects.count(),
        "page_permissions": GroupPagePermission.objects.count(),
        "schools": School.objects.count(),
        "themes": Theme.objects.count(),
        "theme_links": Theme.objectives.through.objects.count(),
        "surveys": Survey.objects.count(),
        "questions": Question.objects.count(),
        "users": get_user_model().objects.count(),
    }


@pytest.mark.django_db
def test_first_deploy_gives_a_working_site(client):
    from django.contrib.auth.models import Group
    from wagtail.models import GroupPagePermission

    from cms.models import HomePage
    from portal.roles import Role, group_name
    from surveys.models import Response, Survey, SurveyStatus

    call_command("load_plan", stdout=io.StringIO())
    out = io.StringIO()
    call_command("setup_site", stdout=out)
    assert "Survey template created (draft): Template: Your child's annual review" in out.getvalue()
    get_user_model().objects.create_superuser(email="admin@example.org", password="a long passphrase 42")
    first = _counts()
    assert first["users"] == 1  # setup_site creates no logins

    home = client.get("/")
    assert home.status_code == 200
    html = home.content.decode()
    assert "Welcome to your new Wagtail site" not in html
    assert isinstance(home.context["page"], HomePage)

    parser = _Links()
    parser.feed(html)
    links = {h for h in parser.hrefs if not urlsplit(h).netloc and not h.startswith("#")}
    for expected in (
        "/plan/",
        "/you-said-we-did/",
        "/news/",
        "/events/",
        "/newsletter/",
        "/search/",
        "/surveys/",
        "/feedback/",
        "/youth-forum/",
        "/accounts/login/",
    ):
        assert expected in links
    for href in sorted(links):
        response = client.get(href, follow=True)
        assert response.status_code == 200, f"{href} -> {response.status_code}"

    team = Group.objects.get(name=group_name(Role.ENGAGEMENT_TEAM))
    codenames = set(
        GroupPagePermission.objects.filter(group=team, page=HomePage.objects.get()).values_list(
            "permission__codename", flat=True
        )
    )
    assert codenames == {"add_page", "change_page", "publish_page"}

    templates = Survey.objects.filter(slug__startswith="template-")
    assert templates.count() == 4
    assert set(templates.values_list("status", flat=True)) == {SurveyStatus.DRAFT}
    assert all(s.title.startswith("Template: ") and s.questions.exists() for s in templates)
    assert not Response.objects.exists()
    assert client.get("/surveys/template-annual-review/").status_code == 404  # drafts are not public
    assert first["theme_links"] > 0  # themes linked to the current plan's objectives

    again = io.StringIO()
    call_command("setup_site", stdout=again)
    assert _counts() == first
    assert "created" not in again.getvalue().replace("nothing to create", "")
