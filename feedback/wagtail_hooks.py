"""Feedback in the Wagtail admin: triage inbox, staff entry, import, safeguarding queue (custom
views in `admin_views`), and the theme taxonomy and school list as snippets."""

from django.urls import include, path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views
from .models import School, Theme

admin_urls = [
    path("", admin_views.inbox, name="inbox"),
    path("bulk/", admin_views.bulk_action, name="bulk"),
    path("item/<int:pk>/", admin_views.item_detail, name="item"),
    path("new/", admin_views.staff_entry, name="new"),
    path("import/", admin_views.import_view, name="import"),
    path("alerts/", admin_views.alert_queue, name="alerts"),
    path("alerts/<int:pk>/", admin_views.alert_detail, name="alert"),
]


@hooks.register("register_admin_urls")
def register_feedback_urls():
    return [path("feedback/", include((admin_urls, "feedback_admin"), namespace="feedback_admin"))]


class PermMenuItem(MenuItem):
    def __init__(self, *args, perm: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.perm = perm

    def is_shown(self, request):
        return request.user.has_perm(self.perm)


feedback_menu = Menu(
    items=[
        PermMenuItem(
            "Inbox", "/admin/feedback/", icon_name="tasks", order=100, perm="feedback.view_feedbackitem"
        ),
        PermMenuItem(
            "Record feedback",
            "/admin/feedback/new/",
            icon_name="plus",
            order=200,
            perm="feedback.add_feedbackitem",
        ),
        PermMenuItem(
            "Import",
            "/admin/feedback/import/",
            icon_name="upload",
            order=300,
            perm="feedback.add_feedbackitem",
        ),
        PermMenuItem(
            "Safeguarding alerts",
            "/admin/feedback/alerts/",
            icon_name="warning",
            order=400,
            perm="feedback.view_safeguardingalert",
        ),
        PermMenuItem(
            "Themes",
            "/admin/snippets/feedback/theme/",
            icon_name="tag",
            order=500,
            perm="feedback.view_theme",
        ),
        PermMenuItem(
            "Schools (redaction list)",
            "/admin/snippets/feedback/school/",
            icon_name="home",
            order=600,
            perm="feedback.view_school",
        ),
    ]
)


class FeedbackSubmenu(SubmenuMenuItem):
    def is_shown(self, request):
        return request.user.has_perm("feedback.view_feedbackitem") or request.user.has_perm(
            "feedback.view_safeguardingalert"
        )


@hooks.register("register_admin_menu_item")
def register_feedback_menu():
    return FeedbackSubmenu("Feedback", feedback_menu, icon_name="comment", order=150)


class NoSafeguardingLeadPanel(Component):
    """A failure panel at the top of the admin dashboard while no one holds the safeguarding
    lead role: alerts then reach only the administrators, so whoever signs in sees it first."""

    name = "no_safeguarding_lead"
    order = 10

    def render_html(self, parent_context=None):
        return format_html(
            '<section class="help-block help-critical" role="alert" aria-labelledby="no-sg-lead">'
            '<h2 id="no-sg-lead">Failing: no safeguarding lead is set up</h2>'
            "<p>Safeguarding alerts cannot reach a safeguarding lead; they go to the administrators "
            'until someone is given the safeguarding lead role. <a href="{}">Give a user the role '
            "on the users page</a>.</p></section>",
            reverse("wagtailusers_users:index"),
        )


@hooks.register("construct_homepage_panels")
def add_safeguarding_lead_panel(request, panels):
    from .selectors import active_safeguarding_leads_exist

    if not active_safeguarding_leads_exist():
        panels.insert(0, NoSafeguardingLeadPanel())


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"
    list_display = ["label", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["label", "keywords"]
    add_to_admin_menu = False


class SchoolViewSet(SnippetViewSet):
    model = School
    icon = "home"
    list_display = ["name", "locality", "is_active"]
    list_filter = ["locality", "is_active"]
    search_fields = ["name", "aliases"]
    add_to_admin_menu = False


register_snippet(ThemeViewSet)
register_snippet(SchoolViewSet)

__all__ = ["reverse"]
