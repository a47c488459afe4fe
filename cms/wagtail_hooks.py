"""The CMS in the Wagtail admin: the full WCAG 2.2 AA accessibility checker for editors, the page
cache flag, the "Build from feedback" view, feedback list and replies screen for "You said, we
did" pages, and newsletter subscriptions."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.userbar import ContentCheckerItem
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views, selectors
from .cache import mark_cacheable
from .models import NewsletterSubscription, YouSaidWeDidPage

# Every WCAG 2.0, 2.1 and 2.2 success criterion at levels A and AA that axe-core can test.
WCAG_22_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


class WCAG22AccessibilityItem(ContentCheckerItem):
    """Wagtail's built-in accessibility checker (editors see it in the userbar and in the
    editor's Checks panel), run against the full WCAG 2.2 AA rule set instead of Wagtail's short
    default list. Wagtail 8 renamed AccessibilityItem to ContentCheckerItem (subclassing the old
    name warns), so this subclasses the new name; it replaces AccessibilityItem wherever it
    appears."""

    axe_run_only = WCAG_22_AA_TAGS
    # Keep Wagtail's own content checks (alt text quality, meta description) alongside: custom
    # rules stay enabled even when runOnly selects tags.
    axe_rules = {"alt-text-quality": {"enabled": True}, "empty-meta-description": {"enabled": False}}


@hooks.register("construct_wagtail_userbar")
def use_wcag22_checker(request, items, page):
    for i, item in enumerate(items):
        if type(item) is not WCAG22AccessibilityItem and isinstance(item, ContentCheckerItem):
            items[i] = WCAG22AccessibilityItem(in_editor=item.in_editor)


@hooks.register("before_serve_page")
def flag_cacheable_page(page, request, serve_args, serve_kwargs):
    mark_cacheable(request, page)


@hooks.register("register_admin_urls")
def register_cms_admin_urls():
    return [
        path("you-said-we-did/build/", admin_views.yswd_build, name="cms_yswd_build"),
        path("you-said-we-did/<int:page_id>/feedback/", admin_views.yswd_feedback, name="cms_yswd_feedback"),
        path("you-said-we-did/<int:page_id>/replies/", admin_views.yswd_replies, name="cms_yswd_replies"),
    ]


@hooks.register("after_publish_page")
def replies_after_publish(request, page):
    """Publishing a "You said, we did" page emails nobody: if people asked for a reply, the
    editor goes straight to the replies screen to check the emails and send them."""
    if not isinstance(page.specific_deferred, YouSaidWeDidPage) or not page.live:
        return None
    waiting = len(selectors.yswd_reply_recipients(page.specific))
    if not waiting:
        return None
    messages.success(
        request,
        f"'{page.title}' is published. {waiting} "
        f"{'person' if waiting == 1 else 'people'} asked for a reply: check the "
        "email below, then send it. Nothing has been sent yet.",
    )
    return redirect(reverse("cms_yswd_replies", args=[page.pk]))


@hooks.register("register_page_header_buttons")
def replies_header_button(page, user, view_name, next_url=None):
    if (
        page.live
        and isinstance(page.specific_deferred, YouSaidWeDidPage)
        and page.permissions_for_user(user).can_publish()
    ):
        yield Button(
            "Replies to people", reverse("cms_yswd_replies", args=[page.pk]), icon_name="mail", priority=40
        )


class BuildMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("feedback.triage_feedbackitem") or request.user.is_superuser


@hooks.register("register_admin_menu_item")
def register_build_menu_item():
    return BuildMenuItem(
        "Build 'You said, we did'", reverse("cms_yswd_build"), icon_name="doc-full", order=160
    )


class NewsletterSubscriptionViewSet(SnippetViewSet):
    model = NewsletterSubscription
    icon = "mail"
    menu_label = "Newsletter sign-ups"
    list_display = ["email", "audience", "confirmed_at", "unsubscribed_at", "created_at"]
    list_filter = ["audience"]
    search_fields = ["email"]
    add_to_admin_menu = True
    menu_order = 170


register_snippet(NewsletterSubscriptionViewSet)
