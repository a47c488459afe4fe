"""Writes for the CMS: the site's fixed pages and editors' permissions, "You said, we did" pages
built from feedback and what publishing one does, replies to people who asked for one, and the
newsletter's double opt-in."""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection, send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import GroupPagePermission, Locale, Page, Site

from feedback.models import AuditEntry, FeedbackItem, FeedbackOriginal, ObjectiveTag
from feedback.responses import feedback_mark_responded
from portal import ratelimit
from portal.roles import Role, group_name

from . import conf
from .cache import page_cache_purge
from .models import (
    ActionStatus,
    EventIndexPage,
    HomePage,
    NewsIndexPage,
    NewsletterAudience,
    NewsletterPage,
    NewsletterSubscription,
    PlanTrackerPage,
    SearchPage,
    YouSaidWeDidFeedback,
    YouSaidWeDidIndexPage,
    YouSaidWeDidPage,
)

logger = logging.getLogger(__name__)

HOME_INTRO = (
    "Tell us what it is like to get support for special educational needs and disabilities "
    "(SEND), see what we are changing because of what you said, and follow our improvement plan."
)
HOME_EASY_READ = (
    "This website is about help for children and young people with SEND. "
    "You can tell us what you think. We listen. We tell you what we changed."
)
EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")


def _root_page_create() -> Page:
    """Wagtail's migrations create the tree root; a flushed database (transactional tests)
    has none, so make one the same way."""
    locale = Locale.objects.first() or Locale.objects.create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    return Page.add_root(instance=Page(title="Root", slug="root", locale=locale,
                                       content_type=ContentType.objects.get_for_model(Page)))


def _child_ensure(parent: Page, model, **fields) -> Page:
    existing = model.objects.first()
    if existing is not None:
        return existing
    page = model(**fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def editor_permissions_ensure(home: Page) -> None:
    """The engagement team (and administrators, who stand in for them) may add, edit and publish
    pages anywhere under the home page."""
    page_type = ContentType.objects.get_for_model(Page)
    permissions = [Permission.objects.get(content_type=page_type, codename=codename)
                   for codename in EDITOR_PAGE_PERMISSIONS]
    for role in (Role.ENGAGEMENT_TEAM, Role.ADMINISTRATOR):
        group, _ = Group.objects.get_or_create(name=group_name(role))
        for permission in permissions:
            GroupPagePermission.objects.get_or_create(group=group, page=home, permission=permission)


@transaction.atomic
def site_ensure() -> HomePage:
    """Create the home page, its Site and the fixed sections (/plan/, /you-said-we-did/, /news/,
    /events/, /newsletter/, /search/) if they are missing, and give the engagement team page
    permissions. Idempotent: running it again changes nothing."""
    home = HomePage.objects.first()
    if home is None:
        # Wagtail's placeholder "Welcome" page (plain Page, slug "home") makes way for ours.
        for page in Page.objects.filter(depth=2).specific():
            if type(page) is Page:
                page.delete()
        root = Page.get_first_root_node() or _root_page_create()
        home = HomePage(title="Your voice in SEND", slug="home", intro=HOME_INTRO,
                        easy_read_intro=HOME_EASY_READ)
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True,
                            site_name="SEND Voice")
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    _child_ensure(
        home, PlanTrackerPage, title="Our improvement plan", slug="plan",
        intro=("How we are doing on each part of the SEND improvement plan. Each objective "
               "has a rating: Blue, Green, Amber or Red."),
        easy_read_intro="This is our plan to make SEND help better. We show how we are doing.",
    )
    _child_ensure(
        home, YouSaidWeDidIndexPage, title="You said, we did", slug="you-said-we-did",
        intro=("What children, young people, families and professionals told us, and what we "
               "did about it. Each update links to the part of our improvement plan it answers."),
        easy_read_intro="You told us things. Here is what we did about them.",
    )
    _child_ensure(home, NewsIndexPage, title="News", slug="news",
                  intro="News about SEND services in Oxfordshire.",
                  easy_read_intro="News about help for children and young people with SEND.")
    _child_ensure(home, EventIndexPage, title="Events", slug="events",
                  intro="SEND conversations, webinars and youth forum meetings you can join.",
                  easy_read_intro="Meetings you can come to. Some are online.")
    _child_ensure(home, NewsletterPage, title="Get our newsletter", slug="newsletter",
                  intro=("A short email each month about SEND in Oxfordshire: what you told us, "
                         "what changed, and events. There is one for parents and carers and one "
                         "for professionals."),
                  easy_read_intro="We can send you an email each month. It tells you what changed.")
    _child_ensure(home, SearchPage, title="Search", slug="search")
    editor_permissions_ensure(home)
    return home


# --- "You said, we did" ------------------------------------------------------------------------


@transaction.atomic
def yswd_draft_create(*, index: YouSaidWeDidIndexPage, title: str, items, actor=None,
                      summary: str = "") -> YouSaidWeDidPage:
    """Start a "You said, we did" page (a draft, not published) from a triaged group of feedback
    items: it links the items, proposes quotes from those that may be quoted, and fills in the
    objectives (confirmed tags) and themes the items carry. The editor then writes the summary
    and the action, and publishes. Used by the admin's "Build from feedback" view and the demo."""
    items = list(FeedbackItem.objects.filter(pk__in=[getattr(i, "pk", i) for i in items])
                 .prefetch_related("themes", "objective_tags__objective").order_by("received_at"))
    if not items:
        raise ValidationError({"items": "Choose at least one piece of feedback."})
    if any(i.safeguarding for i in items):
        raise ValidationError({"items": "Safeguarding feedback cannot be answered on a public page."})
    title = (title or "").replace("\x00", "").strip()
    if not title:
        raise ValidationError({"title": "Give the page a title."})
    objectives = {t.objective for i in items for t in i.objective_tags.all()
                  if t.state == ObjectiveTag.State.CONFIRMED}
    themes = {t for i in items for t in i.themes.all()}
    page = YouSaidWeDidPage(
        title=title, live=False, owner=actor,
        summary=summary or f"{len(items)} pieces of feedback. Write a short summary here.",
        action="Write what we did here.", partner="To be confirmed",
        status=ActionStatus.PLANNED,
        feedback_from=timezone.localtime(items[0].received_at).date(),
        feedback_to=timezone.localtime(items[-1].received_at).date(),
    )
    page.feedback_links = [YouSaidWeDidFeedback(item=i, quote=i.may_quote) for i in items]
    page.objectives = sorted(objectives, key=lambda o: o.code)
    page.themes = sorted(themes, key=lambda t: t.label)
    index.add_child(instance=page)
    page.save_revision(user=actor)
    return page


def public_url(page: Page) -> str:
    """The page's address for emails and feedback records: SITE_BASE_URL (set per environment)
    plus the page path, so links never point at the placeholder Site hostname."""
    url = page.get_url() or ""
    if url.startswith(("http://", "https://")):
        return url
    return settings.SITE_BASE_URL.rstrip("/") + url


def yswd_page_published(*, page: YouSaidWeDidPage, actor=None) -> int:
    """What publishing a "You said, we did" page does: the feedback it answers is marked
    responded (and audited), and, after commit, people who left contact details and asked for a
    reply are emailed. Returns how many items changed. Called from the page_published signal."""
    from .selectors import yswd_items_for_page

    ids = yswd_items_for_page(page)
    changed = feedback_mark_responded(items=ids, page_url=public_url(page), actor=actor)
    page_cache_purge()
    transaction.on_commit(lambda: _enqueue_replies(page.pk))
    return changed


def _enqueue_replies(page_id: int) -> None:
    from .tasks import send_feedback_replies

    try:
        send_feedback_replies.delay(page_id)
    except Exception:  # the broker may be down: publishing must not fail because of it
        logger.warning("Could not queue replies for page %s", page_id, exc_info=True)


REPLY_ACTION = "reply_sent"


def feedback_replies_send(*, page_id: int) -> int:
    """Email everyone who gave feedback this page answers, left an email address and asked for a
    reply: what we did, its status, and the link. Each person is emailed once per page (an audit
    entry claims the send before the email goes, and is removed if sending fails). The email
    repeats none of their feedback: the address may be shared."""
    page = YouSaidWeDidPage.objects.live().filter(pk=page_id).first()
    if page is None:
        return 0
    from .selectors import yswd_items_for_page

    url = public_url(page)
    ids = yswd_items_for_page(page)
    done = {a.item_id for a in AuditEntry.objects.filter(item_id__in=ids, action=REPLY_ACTION)
            if a.changes.get("page_url") == url}
    originals = (FeedbackOriginal.objects.filter(item_id__in=ids, item__wants_reply=True,
                                                 purged_at__isnull=True)
                 .exclude(contact_email="").select_related("item"))
    sent = 0
    for original in originals:
        if original.item_id in done:
            continue
        with transaction.atomic():
            claim = AuditEntry.objects.create(item_id=original.item_id, action=REPLY_ACTION,
                                              changes={"page_url": url})
            try:
                send_mail(subject="What we did about your feedback",
                          message=_reply_text(page, original, url), from_email=None,
                          recipient_list=[original.contact_email])
            except Exception:
                claim.delete()
                raise
        sent += 1
    return sent


def _reply_text(page: YouSaidWeDidPage, original: FeedbackOriginal, url: str) -> str:
    greeting = f"Hello {original.contact_name}," if original.contact_name else "Hello,"
    when = timezone.localtime(original.item.received_at)
    status = page.get_status_display()
    if page.status == ActionStatus.COULD_NOT_DO and page.status_reason:
        status += f". Why: {page.status_reason}"
    return (
        f"{greeting}\n\n"
        f"On {when:%-d %B %Y} you gave us feedback about SEND services and asked us to tell you "
        "what happened.\n\n"
        f"We have published an update: {page.title}\n\n"
        f"What we did: {page.action}\n"
        f"Who is doing it: {page.partner}\n"
        f"Where it stands: {status}\n\n"
        f"Read the whole update: {url}\n\n"
        "Thank you for telling us. Your feedback helps us make things better.\n"
        "We will not email you again about this feedback.\n"
    )


# --- Newsletter --------------------------------------------------------------------------------


def _token() -> str:
    return secrets.token_urlsafe(32)


def _newsletter_page() -> NewsletterPage | None:
    return NewsletterPage.objects.live().first()


def newsletter_signup_allowed(*, client: str) -> bool:
    limit, window = conf.newsletter_rate_limit()
    return ratelimit.allow(scope="newsletter", client=client, limit=limit, window=window)


@transaction.atomic
def newsletter_subscribe(*, email: str, audience: str) -> NewsletterSubscription:
    """Start a double opt-in: record the request and email a confirmation link. Nothing else is
    sent until the link is used. Asking again re-sends the link; the page says the same whatever
    the address, so it never reveals who is subscribed."""
    email = (email or "").replace("\x00", "").strip().lower()
    validate_email(email)
    if audience not in NewsletterAudience.values:
        raise ValidationError({"audience": "Choose who the newsletter is for."})
    sub, created = NewsletterSubscription.objects.select_for_update().get_or_create(
        email=email, audience=audience,
        defaults={"confirm_token": _token(), "unsubscribe_token": _token()})
    if not created and sub.unsubscribed_at is not None:
        sub.unsubscribed_at = None
        sub.confirmed_at = None
        sub.confirm_token = _token()
        sub.save()
    # Asking again re-sends the link, but only a few times an hour: the form must not be a way to
    # flood someone else's mailbox. Past that nothing is sent, and the page still says the same.
    if sub.confirmed_at is None and ratelimit.allow(
        scope="newsletter-to", client=email, limit=conf.newsletter_confirmations_per_address(), window=3600
    ):
        transaction.on_commit(lambda: _enqueue_confirmation(sub.pk))
    return sub


def _enqueue_confirmation(subscription_id: int) -> None:
    from .tasks import send_newsletter_confirmation

    try:
        send_newsletter_confirmation.delay(subscription_id)
    except Exception:
        logger.warning("Could not queue newsletter confirmation %s", subscription_id, exc_info=True)


def _links(sub: NewsletterSubscription) -> tuple[str, str]:
    page = _newsletter_page()
    base = public_url(page).rstrip("/") + "/" if page else settings.SITE_BASE_URL + "/newsletter/"
    return (f"{base}confirm/{sub.confirm_token}/", f"{base}unsubscribe/{sub.unsubscribe_token}/")


def _send(sub: NewsletterSubscription, subject: str, body: str, connection=None) -> None:
    _, unsubscribe = _links(sub)
    message = EmailMessage(
        subject=subject,
        body=f"{body}\n\n--\nTo stop getting these emails, unsubscribe: {unsubscribe}\n",
        to=[sub.email], connection=connection,
        headers={"List-Unsubscribe": f"<{unsubscribe}>"},
    )
    message.send()


def newsletter_confirmation_send(*, subscription_id: int) -> bool:
    """The double opt-in email: the confirm link (and, like every email, an unsubscribe link)."""
    sub = NewsletterSubscription.objects.filter(pk=subscription_id, confirmed_at__isnull=True,
                                                unsubscribed_at__isnull=True).first()
    if sub is None:
        return False
    confirm, _ = _links(sub)
    _send(sub, "Confirm you want our SEND newsletter", (
        f"Someone (we hope you) asked for the SEND Voice newsletter for "
        f"{sub.get_audience_display().lower()}.\n\n"
        f"To confirm, open this link: {confirm}\n\n"
        "If it was not you, ignore this email and we will not send you anything."))
    return True


def newsletter_confirm(*, token: str) -> bool:
    sub = NewsletterSubscription.objects.filter(confirm_token=token,
                                                unsubscribed_at__isnull=True).first()
    if sub is None:
        return False
    if sub.confirmed_at is None:
        sub.confirmed_at = timezone.now()
        sub.save(update_fields=["confirmed_at", "updated_at"])
    return True


def newsletter_unsubscribe(*, token: str) -> bool:
    updated = NewsletterSubscription.objects.filter(
        unsubscribe_token=token, unsubscribed_at__isnull=True).update(
        unsubscribed_at=timezone.now(), updated_at=timezone.now())
    return bool(updated)


def newsletter_issue_send(*, audience: str, subject: str, body: str) -> int:
    """Send one newsletter issue to every confirmed, still-subscribed person in an audience, each
    email with its own unsubscribe link. Returns how many were sent."""
    subs = NewsletterSubscription.objects.filter(audience=audience, confirmed_at__isnull=False,
                                                 unsubscribed_at__isnull=True)
    connection = get_connection()
    sent = 0
    for sub in subs.iterator():
        _send(sub, subject, body, connection=connection)
        sent += 1
    return sent


def newsletter_subject_erase(*, emails) -> int:
    """Subject erasure (`portal.subject_access`): delete every newsletter sign-up for these
    emails. Returns how many were deleted."""
    from django.db.models import Q

    match = Q(pk__in=[])
    for email in emails or ():
        if email:
            match |= Q(email__iexact=email)
    deleted, _ = NewsletterSubscription.objects.filter(match).delete()
    return deleted
