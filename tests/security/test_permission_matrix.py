"""Every URL × every role, generated from the URL configuration.

The expected status comes from the access policy below, not from what the views happen to
return. A URL the policy does not classify fails the test, so a new URL cannot ship without a
decision about who may see it. Everyone is signed in for real, through each sign-in URL the site
answers (tests.auth.LOGIN_ROUTES), staff with their TOTP code, so the matrix holds for sessions
made every way a person can make one (tests/security/test_two_factor.py shows a password alone
opens nothing); the data comes from the demo loader.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from portal.roles import Role
from tests.auth import LOGIN_ROUTES, sign_in

pytestmark = pytest.mark.django_db

ANON = "anonymous"
ROLES = [ANON, *[r.value for r in Role]]
ADMIN_SITE = {Role.ENGAGEMENT_TEAM, Role.SAFEGUARDING_LEAD, Role.ADMINISTRATOR}
OUR_APPS = ("config", "privacy", "boardpacks", "cms", "surveys", "youthforum", "feedback", "portal")
BOGUS_TOKEN = "x" * 43

# Capability sets: who may use each staff URL.
TRIAGE = {Role.ENGAGEMENT_TEAM, Role.ADMINISTRATOR}
SAFEGUARDING = {Role.SAFEGUARDING_LEAD}
PACK_READERS = {Role.BOARD_MEMBER, Role.ENGAGEMENT_TEAM, Role.ADMINISTRATOR}

# URL name → rule. Rules: "public" (200 for all), "redirect" (302 for all), "same" (one status
# for every role, whatever it is, never 5xx), "login" (302 anonymous, 200 signed in),
# "member" (young people who are forum members; 403 kind page for everyone else),
# ("admin", capability set, post_only?) for Wagtail admin views, ("portal", set, builder?) for /board/.
RULES: dict[str, object] = {
    "healthz": "public",
    # Wagtail's sign-out, handed to allauth (tests/security/test_two_factor.py).
    "admin_logout": "redirect",
    "plan_json": "public",
    "plan_csv": "public",
    "portal:easy_read": "redirect",
    "portal:home": "login",
    # A person's own data: the download is POST only (405 to any GET), deleting needs sign-in
    # (staff get a page explaining an administrator closes their account).
    "privacy:data_download": "same",
    "privacy:account_delete": "login",
    "privacy:account_deleted": "public",
    "feedback:form": "public",
    "feedback:thanks": "same",
    "surveys:list": "public",
    "surveys:start": "public",
    "surveys:invitation": "same",
    "surveys:resume": "same",
    "surveys:unsubscribe": "same",
    "surveys:page": "same",
    "surveys:check": "same",
    "surveys:save": "same",
    "surveys:done": "same",
    "youthforum:index": "public",
    # Joining is for people who are not signed in; a member is sent on, anyone else signed in
    # gets a kind page saying the forum is for young people.
    "youthforum:join": {ANON: 200, "member": 302, "*": 403},
    "youthforum:joined": {"member": 200, "*": 302},
    "youthforum:consent": "same",
    "youthforum:sign_in": "same",
    "youthforum:sign_in_link": "same",
    "youthforum:terms": "public",
    "youthforum:prompt": "member",
    "youthforum:my_views": "member",
    "youthforum:vote": "member",
    "youthforum:meetings": "member",
    "youthforum:meeting": "member",
    "youthforum:terms_draft": "member",
    "youthforum:report": "member",
    "youthforum:leave": {"member": 200, "*": 403},
    # The safeguarding lead may read the inbox (context for an alert) but not enter or import.
    "feedback_admin:inbox": ("admin", TRIAGE | SAFEGUARDING, False),
    "feedback_admin:item": ("admin", TRIAGE | SAFEGUARDING, False),
    "feedback_admin:new": ("admin", TRIAGE, False),
    "feedback_admin:import": ("admin", TRIAGE, False),
    "feedback_admin:bulk": ("admin", TRIAGE, True),
    # Disclosures are for the safeguarding lead alone: administrators manage accounts, not cases.
    "feedback_admin:alerts": ("admin", SAFEGUARDING, False),
    "feedback_admin:alert": ("admin", SAFEGUARDING, False),
    "surveys_admin:index": ("admin", TRIAGE, False),
    "surveys_admin:results": ("admin", TRIAGE, False),
    "surveys_admin:export": ("admin", TRIAGE, False),
    "surveys_admin:invitations": ("admin", TRIAGE, False),
    "surveys_admin:status": ("admin", TRIAGE, True),
    "youthforum_admin:moderation": ("admin", TRIAGE, False),
    "youthforum_admin:member_decide": ("admin", TRIAGE, True),
    "youthforum_admin:view_decide": ("admin", TRIAGE, True),
    "youthforum_admin:comments": ("admin", TRIAGE, False),
    "youthforum_admin:report": ("admin", TRIAGE, False),
    "cms_yswd_build": ("admin", TRIAGE, False),
    # A page's feedback list and its replies screen: people who may edit / publish the page.
    "cms_yswd_feedback": ("admin", TRIAGE, False),
    "cms_yswd_replies": ("admin", TRIAGE, False),
    # Who saw unredacted text: the safeguarding lead and administrators (data protection).
    "portal_admin:access_log": ("admin", SAFEGUARDING | {Role.ADMINISTRATOR}, False),
    "boardpacks:list": ("portal", PACK_READERS),
    "boardpacks:detail": ("portal", PACK_READERS),
    "boardpacks:pdf": ("portal", PACK_READERS),
    "boardpacks:xlsx": ("portal", PACK_READERS),
    "boardpacks:chart_data": ("portal", PACK_READERS),
    "boardpacks:build": ("portal", TRIAGE),
}
# Framework URLs covered by their own tests or not ours to police.
IGNORED_PREFIXES = ("admin/", "accounts/", "documents/", "_util/", "^media/", "^((?:")


def _walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield prefix + str(p.pattern), name, p.callback.__module__


def url_inventory():
    """Our URLs: everything outside the admin, plus admin views our apps registered."""
    found = []
    for route, name, module in _walk(get_resolver().url_patterns):
        ours = module.split(".")[0] in OUR_APPS
        if route.startswith("admin/") and ours:
            found.append((route, name))
        elif not route.startswith(IGNORED_PREFIXES):
            found.append((route, name))
    return found


def test_every_url_has_an_access_rule():
    missing = [(route, name) for route, name in url_inventory() if name not in RULES]
    assert missing == [], f"classify these URLs in RULES: {missing}"
    stale = set(RULES) - {name for _, name in url_inventory()}
    assert stale == set(), f"RULES names URLs that no longer exist: {stale}"


def _samples():
    """Concrete arguments for URLs that take them, from the demo data."""
    from boardpacks.models import BoardPack
    from cms.models import YouSaidWeDidPage
    from feedback.models import FeedbackItem, SafeguardingAlert
    from surveys.models import Survey
    from youthforum.models import Meeting, Member, Prompt, View, VoteRound

    pack = BoardPack.objects.order_by("-pk").first()
    chart = pack.charts.first() if pack else None
    survey = Survey.objects.filter(open_to_anyone=True, status="open").first() or Survey.objects.first()
    return {
        "token": BOGUS_TOKEN,
        "slug": survey.slug,
        "number": 1,
        "feedback_admin:item": FeedbackItem.objects.first().pk,
        "feedback_admin:alert": SafeguardingAlert.objects.first().pk,
        "surveys_admin": survey.pk,
        "youthforum_admin:member_decide": Member.objects.first().pk,
        "youthforum_admin:view_decide": View.objects.first().pk,
        "youthforum:prompt": Prompt.objects.first().pk,
        "youthforum:vote": VoteRound.objects.first().pk,
        "youthforum:meeting": Meeting.objects.first().pk,
        "boardpacks": pack.pk if pack else 0,
        "key": chart.key if chart else "none",
        "fmt": "csv",
        "page_id": YouSaidWeDidPage.objects.live().first().pk,
    }


def _path(route: str, name: str, samples: dict) -> str:
    import re

    def value(match):
        param = match.group(2)
        for key in (name, name.split(":")[0], param):
            if key in samples and (key == param or param == "pk"):
                return str(samples[key])
        raise KeyError(f"no sample value for {param} in {name}")

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


def expected(rule, role: str, is_member: bool) -> set[int]:
    if isinstance(rule, dict):
        if is_member and "member" in rule:
            return {rule["member"]}
        return {rule.get(role, rule["*"])}
    if rule == "public":
        return {200}
    if rule == "redirect":
        return {302}
    if rule == "login":
        return {302} if role == ANON else {200}
    if rule == "member":
        return {200} if is_member else {403}
    kind, allowed, *rest = rule
    if kind == "portal":
        if role == ANON:
            return {302}
        return {200} if role in allowed else {403}
    post_only = rest[0]
    if role == ANON or role not in ADMIN_SITE:
        return {302}  # Wagtail sends people without admin access to sign in
    if post_only:
        return {405}  # GET does nothing; who may POST is checked in test_post_only_views
    if role not in allowed:
        return {302}  # Wagtail turns "permission denied" into a redirect to the dashboard
    return {200}


@pytest.fixture
def demo_data(settings):
    settings.DEBUG = True
    call_command("load_plan", verbosity=0)
    call_command("load_demo", verbosity=0)


def _client_for(role: str, make_user, route: str = "/accounts/login/") -> tuple[Client, bool]:
    client = Client()
    if role == ANON:
        return client, False
    from youthforum.models import Member

    staff = {r.value for r in Role} - {"parent_carer", "young_person", "professional"}
    user = make_user(role, totp=role in staff)
    is_member = False
    if role == Role.YOUNG_PERSON:
        # A demo forum member who may take part (approved, with consent where needed).
        member = next((m for m in Member.objects.filter(user__isnull=False) if m.can_take_part), None)
        assert member is not None, "the demo should include an active youth forum member"
        # Forum members sign in by an emailed link (youthforum), not a password.
        client.force_login(member.user, backend="django.contrib.auth.backends.ModelBackend")
        return client, True
    sign_in(client, user, via=route)
    return client, is_member


@pytest.mark.parametrize("login_route", LOGIN_ROUTES)
def test_permission_matrix(demo_data, make_user, login_route):
    samples = _samples()
    mismatches = []
    checked = 0
    for role in ROLES:
        client, is_member = _client_for(role, make_user, login_route)
        statuses = {}
        for route, name in url_inventory():
            path = _path(route, name, samples)
            response = client.get(path)
            statuses[name] = response.status_code
            checked += 1
            assert response.status_code < 500, f"{role} GET {path} → {response.status_code}"
            rule = RULES[name]
            if rule == "same":
                continue
            if response.status_code == 302 and urlsplit(response["Location"]).path == path:
                mismatches.append(f"{role:18} GET {path} redirects to itself")
            if response.status_code not in expected(rule, role, is_member):
                mismatches.append(
                    f"{role:18} GET {path} → {response.status_code}, "
                    f"expected {sorted(expected(rule, role, is_member))}"
                )
        if role == ANON:
            baseline = statuses
        else:
            for name, rule in RULES.items():
                if rule == "same" and name in statuses and statuses[name] != baseline[name]:
                    mismatches.append(f"{role:18} {name} → {statuses[name]}, anonymous got {baseline[name]}")
    assert checked > 100
    assert mismatches == [], "\n".join(mismatches)


def test_post_only_views_refuse_roles_without_permission(demo_data, make_user):
    samples = _samples()
    for route, name in url_inventory():
        rule = RULES[name]
        if not (isinstance(rule, tuple) and rule[0] == "admin" and rule[2]):
            continue
        path = _path(route, name, samples)
        for role in ROLES:
            client, _ = _client_for(role, make_user)
            response = client.post(path, {})
            assert response.status_code < 500, f"{role} POST {path} → {response.status_code}"
            if role not in rule[1]:
                assert response.status_code in (302, 403), f"{role} POST {path} → {response.status_code}"
                if response.status_code == 302:
                    assert urlsplit(response["Location"]).path != path
