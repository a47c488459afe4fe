"""Surveys in the Wagtail admin: the builder (a snippet with inline questions), and results,
exports and invitations for each survey."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views
from .models import Survey, SurveyStatus


class SurveyViewSet(SnippetViewSet):
    model = Survey
    icon = "form"
    menu_label = "Surveys"
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["title", "audience", "status", "updated_at"]
    list_filter = ["status", "audience"]
    search_fields = ["title"]


register_snippet(SurveyViewSet)


def _publish_if_open(request, instance):
    """Saving an open survey publishes its questions as a new version when they changed, so
    answers already given keep the version they answered."""
    if not isinstance(instance, Survey) or instance.status != SurveyStatus.OPEN:
        return
    from .services import survey_publish

    try:
        version = survey_publish(survey=instance, user=request.user)
    except ValidationError as exc:
        Survey.objects.filter(pk=instance.pk, versions__isnull=True).update(status=SurveyStatus.DRAFT)
        messages.error(request, "The survey was saved but not opened: " + "; ".join(exc.messages))
        return
    messages.info(
        request,
        f"Respondents now answer version {version.number}. "
        f"Results: {reverse('surveys_admin:results', args=[instance.pk])}",
    )


@hooks.register("after_create_snippet")
def after_create(request, instance):
    _publish_if_open(request, instance)


@hooks.register("after_edit_snippet")
def after_edit(request, instance):
    _publish_if_open(request, instance)


@hooks.register("register_admin_urls")
def register_admin_urls():
    from django.urls import include

    urls = [
        path("", admin_views.survey_tools, name="index"),
        path("<int:pk>/results/", admin_views.results, name="results"),
        path("<int:pk>/export.<str:fmt>", admin_views.export, name="export"),
        path("<int:pk>/invitations/", admin_views.invitations, name="invitations"),
        path("<int:pk>/status/", admin_views.status, name="status"),
    ]
    return [path("survey-tools/", include((urls, "surveys_admin")))]


class ResultsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("surveys.view_results")


@hooks.register("register_admin_menu_item")
def register_results_menu():
    return ResultsMenuItem("Survey results", reverse("surveys_admin:index"), icon_name="table", order=211)
