"""The improvement plan in the Wagtail admin (snippet viewsets with search and filters), and the
access log of who was shown unredacted personal data."""

from django.urls import include, path
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .models import KPI, Objective, Plan, PriorityArea


class ObjectiveFilterSet(WagtailFilterSet):
    class Meta:
        model = Objective
        fields = ["area__plan", "area", "deadline"]


class PlanViewSet(SnippetViewSet):
    model = Plan
    icon = "list-ul"
    list_display = ["title", "code", "rating_scale", "is_current"]
    search_fields = ["title", "code"]


class PriorityAreaViewSet(SnippetViewSet):
    model = PriorityArea
    icon = "folder-open-inverse"
    list_display = ["code", "title", "kind", "plan"]
    list_filter = ["plan", "kind"]
    search_fields = ["title", "code"]


class ObjectiveViewSet(SnippetViewSet):
    model = Objective
    icon = "tick-inverse"
    list_display = ["code", "title", "deadline", "area"]
    filterset_class = ObjectiveFilterSet
    search_fields = ["code", "title", "impact"]
    list_per_page = 50


class KPIViewSet(SnippetViewSet):
    model = KPI
    icon = "table"
    list_display = ["name", "code", "unit", "plan"]
    list_filter = ["plan", "higher_is_better"]
    search_fields = ["name", "code"]


class PlanViewSetGroup(SnippetViewSetGroup):
    menu_label = "Improvement plan"
    menu_icon = "list-ul"
    menu_order = 200
    items = (PlanViewSet, PriorityAreaViewSet, ObjectiveViewSet, KPIViewSet)


register_snippet(PlanViewSetGroup)


# --- The access log (who saw unredacted personal data) --------------------------------------


@hooks.register("register_admin_urls")
def register_access_log_urls():
    urls = [path("", admin_views.access_log, name="access_log")]
    return [path("access-log/", include((urls, "portal_admin"), namespace="portal_admin"))]


class AccessLogMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("portal.view_accesslogentry")


@hooks.register("register_admin_menu_item")
def register_access_log_menu():
    return AccessLogMenuItem("Access log", "/admin/access-log/", icon_name="view", order=900)
