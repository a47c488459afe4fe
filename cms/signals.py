"""Signal receivers: entry points that call services. They purge the page cache when a page or
the data pages show (feedback, themes, the plan) changes, and run what publishing a "You said,
we did" page does."""

from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from .cache import page_cache_purge


def _purge(sender, **kwargs):
    page_cache_purge()


def _yswd_published(sender, instance, revision=None, **kwargs):
    from .services import yswd_page_published

    yswd_page_published(page=instance, actor=getattr(revision, "user", None))


def connect() -> None:
    from wagtail.models import Page

    from feedback.models import FeedbackItem, ItemTheme, ObjectiveTag, Theme
    from portal.models import KPI, KPIReading, Objective, Plan, PriorityArea, RatingEntry

    from .models import YouSaidWeDidPage

    page_published.connect(_purge, dispatch_uid="cms_purge_published")
    page_unpublished.connect(_purge, dispatch_uid="cms_purge_unpublished")
    post_page_move.connect(_purge, dispatch_uid="cms_purge_moved")
    post_delete.connect(_purge, sender=Page, dispatch_uid="cms_purge_page_deleted")
    page_published.connect(_yswd_published, sender=YouSaidWeDidPage, dispatch_uid="cms_yswd_published")
    for model in (
        FeedbackItem,
        ObjectiveTag,
        ItemTheme,
        Theme,
        Plan,
        PriorityArea,
        Objective,
        RatingEntry,
        KPI,
        KPIReading,
    ):
        label = model._meta.label_lower
        post_save.connect(_purge, sender=model, dispatch_uid=f"cms_purge_save_{label}")
        post_delete.connect(_purge, sender=model, dispatch_uid=f"cms_purge_delete_{label}")
