"""The youth forum in the Wagtail admin: prompts, votes, meetings and terms of reference as
snippets; moderation, comments and the representative's report as custom views."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views
from .models import Meeting, Prompt, TermsVersion, VoteRound


class PromptViewSet(SnippetViewSet):
    model = Prompt
    icon = "help"
    menu_label = "Forum questions"
    list_display = ["question", "status", "created_at"]
    list_filter = ["status"]


class VoteRoundViewSet(SnippetViewSet):
    model = VoteRound
    icon = "list-ol"
    menu_label = "Forum votes"
    list_display = ["title", "status", "dots_per_member", "closed_at"]


class MeetingViewSet(SnippetViewSet):
    model = Meeting
    icon = "date"
    menu_label = "Forum meetings"
    list_display = ["title", "starts_at", "place"]


class TermsViewSet(SnippetViewSet):
    model = TermsVersion
    icon = "doc-full"
    menu_label = "Terms of reference"
    list_display = ["number", "status", "published_at"]


for viewset in (PromptViewSet, VoteRoundViewSet, MeetingViewSet, TermsViewSet):
    register_snippet(viewset)


def _after_save(request, instance):
    from .services import terms_version_publish, vote_round_sync_status

    if isinstance(instance, TermsVersion) and instance.status == TermsVersion.Status.PUBLISHED:
        terms_version_publish(version=instance)
    elif isinstance(instance, VoteRound):
        vote_round_sync_status(vote_round=instance)


@hooks.register("after_create_snippet")
def after_create(request, instance):
    _after_save(request, instance)


@hooks.register("after_edit_snippet")
def after_edit(request, instance):
    _after_save(request, instance)


@hooks.register("register_admin_urls")
def register_admin_urls():
    urls = [
        path("", admin_views.moderation, name="moderation"),
        path("members/<int:pk>/", admin_views.member_decide, name="member_decide"),
        path("views/<int:pk>/", admin_views.view_decide, name="view_decide"),
        path("comments/", admin_views.comments, name="comments"),
        path("report/", admin_views.report, name="report"),
    ]
    return [path("youth-forum/", include((urls, "youthforum_admin"), namespace="youthforum_admin"))]


class PermMenuItem(MenuItem):
    def __init__(self, *args, perm: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.perm = perm

    def is_shown(self, request):
        return request.user.has_perm(self.perm)


class ForumSubmenu(SubmenuMenuItem):
    def is_shown(self, request):
        return request.user.has_perm("youthforum.moderate_forum")


@hooks.register("register_admin_menu_item")
def register_menu():
    mod = "youthforum.moderate_forum"
    menu = Menu(
        items=[
            PermMenuItem(
                "Moderation", reverse("youthforum_admin:moderation"), icon_name="tasks", order=100, perm=mod
            ),
            PermMenuItem(
                "Questions",
                reverse("wagtailsnippets_youthforum_prompt:list"),
                icon_name="help",
                order=200,
                perm="youthforum.view_prompt",
            ),
            PermMenuItem(
                "Votes",
                reverse("wagtailsnippets_youthforum_voteround:list"),
                icon_name="list-ol",
                order=300,
                perm="youthforum.view_voteround",
            ),
            PermMenuItem(
                "Meetings",
                reverse("wagtailsnippets_youthforum_meeting:list"),
                icon_name="date",
                order=400,
                perm="youthforum.view_meeting",
            ),
            PermMenuItem(
                "Terms of reference",
                reverse("wagtailsnippets_youthforum_termsversion:list"),
                icon_name="doc-full",
                order=500,
                perm="youthforum.view_termsversion",
            ),
            PermMenuItem(
                "Comments on terms",
                reverse("youthforum_admin:comments"),
                icon_name="comment",
                order=600,
                perm=mod,
            ),
            PermMenuItem(
                "Representative's report",
                reverse("youthforum_admin:report"),
                icon_name="doc-full-inverse",
                order=700,
                perm=mod,
            ),
        ]
    )
    return ForumSubmenu("Youth forum", menu, icon_name="group", order=230)
