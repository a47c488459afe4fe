"""The set-up every install needs, real or demo: `manage.py setup_site` runs it on every deploy
and upgrade, `manage.py load_demo` runs it before adding demo content, and the tests build
their world with it.

It creates only what a live site needs and is missing, and leaves everything else alone:
the home page, its Site and the fixed sections the header and footer link to (/plan/,
/you-said-we-did/, /news/, /events/, /newsletter/, /search/); the engagement team's (and
administrators') page permissions on that tree; the school list used to redact names; the
starter themes, linked to the current plan's objectives; and the survey template library as
draft surveys. It never creates logins, answers or feedback.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.models import GroupPagePermission, Page

from cms.models import HomePage
from cms.services import site_ensure
from feedback.models import School, Theme
from feedback.selectors import analysis_context_reset
from feedback.services import school_seed, theme_seed
from portal.models import Plan
from portal.roles import Role, group_name
from surveys.library import library_ensure


def _linked_themes() -> int:
    return Theme.objects.filter(objectives__isnull=False).distinct().count()


@transaction.atomic
def site_setup(stdout=None) -> dict:
    """Ensure the site tree, editors' page permissions, schools, themes (linked to the current
    plan) and the survey template library. Idempotent. Writes one line per step to `stdout`
    (if given) and returns what it did as a dict of counts and titles."""
    old_home = HomePage.objects.first()
    pages_before = Page.objects.descendant_of(old_home, inclusive=True).count() if old_home else 0
    perms_before = GroupPagePermission.objects.count()
    linked_before = _linked_themes()

    home = site_ensure()
    schools_created = school_seed()
    themes_created = theme_seed()
    if schools_created or themes_created:
        analysis_context_reset()  # the redactor and theme matcher cache the lists
    library = library_ensure()

    plan = Plan.objects.filter(is_current=True).first()  # theme_seed links to this one
    team = Group.objects.get(name=group_name(Role.ENGAGEMENT_TEAM))
    result: dict = {
        "home": home.url_path,
        "pages": Page.objects.descendant_of(home, inclusive=True).count(),
        "pages_created": Page.objects.descendant_of(home, inclusive=True).count() - pages_before,
        "page_permissions_created": GroupPagePermission.objects.count() - perms_before,
        "engagement_team_page_permissions": sorted(
            GroupPagePermission.objects.filter(group=team, page=home).values_list(
                "permission__codename", flat=True
            )
        ),
        "schools_created": schools_created,
        "schools": School.objects.count(),
        "themes_created": themes_created,
        "themes": Theme.objects.count(),
        "themes_linked_now": _linked_themes() - linked_before,
        "themes_linked": _linked_themes(),
        "plan": plan.code if plan else None,
        "survey_templates_created": library["created"],
        "survey_templates_unchanged": library["unchanged"],
    }
    if stdout is not None:
        _report(stdout, result)
    return result


def _report(stdout, r: dict) -> None:
    def changed(n: int) -> str:
        return f"created {n}" if n else "nothing to create"

    stdout.write(f"Site tree: {r['pages']} pages under the home page; {changed(r['pages_created'])}.")
    stdout.write(
        f"Page permissions on the home page and below, engagement team: "
        f"{', '.join(r['engagement_team_page_permissions'])}; "
        f"{changed(r['page_permissions_created'])} (engagement team and administrators)."
    )
    stdout.write(f"Schools (for redaction): {r['schools']}; {changed(r['schools_created'])}.")
    stdout.write(
        f"Themes: {r['themes']}; {changed(r['themes_created'])}. Linked to objectives: "
        f"{r['themes_linked']} ({r['themes_linked_now']} linked now)."
    )
    if r["plan"] is None:
        stdout.write(
            "  No current plan: themes are not linked to objectives. Run "
            "`manage.py load_plan`, then `manage.py setup_site` again."
        )
    for title in r["survey_templates_created"]:
        stdout.write(f"Survey template created (draft): {title}")
    for title in r["survey_templates_unchanged"]:
        stdout.write(f"Survey template left alone: {title}")
