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
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import GroupPagePermission, Locale, Page, Site

from feedback.models import AuditEntry, FeedbackItem, FeedbackOriginal, ObjectiveTag
from feedback.triage import feedback_mark_responded
from portal import ratelimit
from portal.queueing import enqueue, enqueue_on_commit
from portal.roles import Role, group_name

from . import conf, selectors
from .cache import page_cache_purge
from .models import (
    BUILDER_ACTION_PLACEHOLDER,
    BUILDER_PARTNER_PLACEHOLDER,
    BUILDER_SUMMARY_PLACEHOLDER,
    ActionStatus,
    EventIndexPage,
    HomePage,
    NewsIndexPage,
    NewsletterAudience,
    NewsletterPage,
    NewsletterSubscription,
    PlanTrackerPage,
    ReplyRecipient,
    ReplySend,
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
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    return Page.add_root(
        instance=Page(
            title="Root", slug="root", locale=locale, content_type=ContentType.objects.get_for_model(Page)
        )
    )


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
    permissions = [
        Permission.objects.get(content_type=page_type, codename=codename)
        for codename in EDITOR_PAGE_PERMISSIONS
    ]
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
        home = HomePage(
            title="Your voice in SEND", slug="home", intro=HOME_INTRO, easy_read_intro=HOME_EASY_READ
        )
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="SEND Voice"
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    _child_ensure(
        home,
        PlanTrackerPage,
        title="Our improvement plan",
        slug="plan",
        intro=(
            "How we are doing on each part of the SEND improvement plan. Each objective "
            "has a rating: Blue, Green, Amber or Red."
        ),
        easy_read_intro="This is our plan to make SEND help better. We show how we are doing.",
    )
    _child_ensure(
        home,
        YouSaidWeDidIndexPage,
        title="You said, we did",
        slug="you-said-we-did",
        intro=(
            "What children, young people, families and professionals told us, and what we "
            "did about it. Each update links to the part of our improvement plan it answers."
        ),
        easy_read_intro="You told us things. Here is what we did about them.",
    )
    _child_ensure(
        home,
        NewsIndexPage,
        title="News",
        slug="news",
        intro="News about SEND services in Oxfordshire.",
        easy_read_intro="News about help for children and young people with SEND.",
    )
    _child_ensure(
        home,
        EventIndexPage,
        title="Events",
        slug="events",
        intro="SEND conversations, webinars and youth forum meetings you can join.",
        easy_read_intro="Meetings you can come to. Some are online.",
    )
    _child_ensure(
        home,
        NewsletterPage,
        title="Get our newsletter",
        slug="newsletter",
        intro=(
            "A short email each month about SEND in Oxfordshire: what you told us, "
            "what changed, and events. There is one for parents and carers and one "
            "for professionals."
        ),
        easy_read_intro="We can send you an email each month. It tells you what changed.",
    )
    _child_ensure(home, SearchPage, title="Search", slug="search")
    editor_permissions_ensure(home)
    return home


# --- "You said, we did" ------------------------------------------------------------------------


@transaction.atomic
def yswd_draft_create(
    *, index: YouSaidWeDidIndexPage, title: str, items, actor=None, summary: str = ""
) -> YouSaidWeDidPage:
    """Start a "You said, we did" page (a draft, not published) from a triaged group of feedback
    items: it links the items, proposes quotes from those that may be quoted, and fills in the
    objectives (confirmed tags) and themes the items carry. The editor then writes the summary
    and the action, and publishes. Used by the admin's "Build from feedback" view and the demo.

    Feedback a public page may not answer (safeguarding, set aside as spam or empty, not yet
    analysed: the editor's own rule) is refused here, naming the items, so every draft made can
    be published once the placeholder text is replaced. The draft itself is fully validated
    (`save_revision` runs `full_clean`); only publishing checks for placeholders."""
    ids = [int(getattr(i, "pk", i)) for i in items]
    if not ids:
        raise ValidationError({"items": "Choose at least one piece of feedback."})
    refused = selectors.yswd_items_refused_messages(ids)
    if refused:
        raise ValidationError({"items": refused})
    items = list(
        FeedbackItem.objects.filter(pk__in=ids)
        .prefetch_related("themes", "objective_tags__objective")
        .order_by("received_at")
    )
    title = (title or "").replace("\x00", "").strip()
    if not title:
        raise ValidationError({"title": "Give the page a title."})
    objectives = {
        t.objective for i in items for t in i.objective_tags.all() if t.state == ObjectiveTag.State.CONFIRMED
    }
    themes = {t for i in items for t in i.themes.all()}
    page = YouSaidWeDidPage(
        title=title,
        live=False,
        owner=actor,
        summary=summary or f"{len(items)} pieces of feedback. {BUILDER_SUMMARY_PLACEHOLDER}",
        action=BUILDER_ACTION_PLACEHOLDER,
        partner=BUILDER_PARTNER_PLACEHOLDER,
        status=ActionStatus.PLANNED,
        feedback_from=timezone.localtime(items[0].received_at).date(),
        feedback_to=timezone.localtime(items[-1].received_at).date(),
    )
    # Quotes are proposed only where the one quoting rule allows (a hidden youth view never).
    quotable = set(
        FeedbackItem.objects.quotable().filter(pk__in=[i.pk for i in items]).values_list("pk", flat=True)
    )
    page.feedback_links = [YouSaidWeDidFeedback(item=i, quote=i.pk in quotable) for i in items]
    page.objectives = sorted(objectives, key=lambda o: o.code)
    page.themes = sorted(themes, key=lambda t: t.label)
    index.add_child(instance=page)
    page.save_revision(user=actor)
    return page


@transaction.atomic
def yswd_links_update(*, page: YouSaidWeDidPage, actor, shown, quoted, removed) -> int:
    """Change the feedback a page answers from the paginated list: for the items `shown` on
    that screen, quote exactly those in `quoted` and drop those in `removed`. Saves a new draft
    revision of the latest one (the links are part of the revision, as with the editor), so it
    shows only once published. Returns how many links changed.

    Refused if a ticked quote is not quotable by the one quoting rule, or if nothing would be
    left to answer."""
    shown = {int(i) for i in shown}
    quoted, removed = {int(i) for i in quoted} & shown, {int(i) for i in removed} & shown
    quoted -= removed
    latest = page.get_latest_revision_as_object()
    links = list(latest.feedback_links.all())
    wanted_new = {link.item_id for link in links if link.item_id in quoted and not link.quote}
    allowed = (
        set(FeedbackItem.objects.quotable().filter(pk__in=wanted_new).values_list("pk", flat=True))
        if wanted_new
        else set()
    )
    if wanted_new - allowed:
        ids = ", ".join(f"#{pk}" for pk in sorted(wanted_new - allowed))
        raise ValidationError(
            f"Feedback {ids} cannot be quoted: the person did not agree, or it cannot be published."
        )
    kept, changed = [], 0
    for link in links:
        if link.item_id in removed:
            changed += 1
            continue
        if link.item_id in shown and link.quote != (link.item_id in quoted):
            link.quote = link.item_id in quoted
            changed += 1
        kept.append(link)
    if not kept:
        raise ValidationError("A page must answer at least one piece of feedback.")
    if changed:
        latest.feedback_links = kept
        latest.save_revision(user=actor, log_action=True)
    return changed


def public_url(page: Page) -> str:
    """The page's address for emails and feedback records: SITE_BASE_URL (set per environment)
    plus the page path, so links never point at the placeholder Site hostname."""
    url = page.get_url() or ""
    if url.startswith(("http://", "https://")):
        return url
    return settings.SITE_BASE_URL.rstrip("/") + url


def yswd_page_published(*, page: YouSaidWeDidPage, actor=None) -> int:
    """What publishing a "You said, we did" page does: the feedback it answers is marked
    responded (and audited) and the page cache purged. Returns how many items changed. Called
    from the page_published signal.

    It emails nobody: replies go only when a staff member has seen the exact emails and the
    number of people on the replies screen and confirmed (`yswd_replies_start`). Publishing
    once emailed the builder's placeholder to 117 people at once (issue 19)."""
    ids = selectors.yswd_items_for_page(page)
    changed = feedback_mark_responded(items=ids, page_url=public_url(page), actor=actor)
    page_cache_purge()
    return changed


REPLY_ACTION = selectors.REPLY_ACTION


@transaction.atomic
def yswd_replies_start(
    *, page: YouSaidWeDidPage, actor, previewed_revision: int | None, previewed_count: int
) -> ReplySend:
    """Send the reply emails for a published page, as the staff member just saw them on the
    replies screen: records the exact subject and text per group of recipients and one row per
    person, in batches, and after commit queues one `cms.tasks.send_reply_batch` per batch.

    Refused (ValidationError, nothing sent) if the page is not live, still holds placeholder or
    empty text, was published again since the preview (another revision), or the number of
    people waiting is no longer the number shown. Asking again while a send is running sends
    nobody twice: it queues that send's remaining batches again (e.g. after a broker outage)."""
    locked = Page.objects.select_for_update().filter(pk=page.pk).first()  # one start at a time
    page = YouSaidWeDidPage.objects.filter(pk=page.pk).first() if locked else None
    if page is None or not page.live:
        raise ValidationError("Publish the page first: the email links to the published page.")
    problems = page.placeholder_errors()
    if problems:
        raise ValidationError(list(problems.values()))
    running = (
        ReplySend.objects.filter(
            page=page, stopped_at__isnull=True, recipients__state=ReplyRecipient.State.QUEUED
        )
        .distinct()
        .first()
    )
    if running is not None:
        transaction.on_commit(lambda: _enqueue_batches(running.pk))
        return running
    if previewed_revision is None or page.live_revision_id != int(previewed_revision):
        raise ValidationError(
            "The page has been published again since this preview. Check the emails again before sending."
        )
    recipients = selectors.yswd_reply_recipients(page)
    if not recipients:
        raise ValidationError("Nobody is waiting for a reply about this page.")
    if len(recipients) != int(previewed_count):
        raise ValidationError(
            f"The number of people waiting for a reply has changed (now "
            f"{len(recipients)}). Check the emails again before sending."
        )
    url = public_url(page)
    size = conf.reply_batch_size()
    send = ReplySend.objects.create(
        page=page,
        page_url=url,
        revision_id=page.live_revision_id,
        subject=selectors.REPLY_SUBJECT,
        bodies={g: selectors.yswd_reply_body(page, group=g, url=url) for g in {r.group for r in recipients}},
        batch_size=size,
        created_by=actor,
    )
    ReplyRecipient.objects.bulk_create(
        [
            ReplyRecipient(send=send, batch=1 + n // size, items=r.items, group=r.group)
            for n, r in enumerate(recipients)
        ]
    )
    transaction.on_commit(lambda: _enqueue_batches(send.pk))
    return send


def _enqueue_batches(send_id: int) -> bool:
    """Queue every batch of a send that still has people waiting, spaced out so a mail relay's
    rate limit is not hit. False if the broker could not be reached (the screen says so, and
    sending again queues them)."""
    from .tasks import send_reply_batch

    batches = sorted(
        set(
            ReplyRecipient.objects.filter(send_id=send_id, state=ReplyRecipient.State.QUEUED).values_list(
                "batch", flat=True
            )
        )
    )
    interval = conf.reply_batch_seconds()
    for n, batch in enumerate(batches):
        if not enqueue(send_reply_batch, send_id, batch, countdown=n * interval):
            return False  # the broker is down: the send stays queued and can be queued again
    return True


def yswd_reply_batch_send(*, send_id: int, batch: int) -> int:
    """Email one batch of a confirmed send: the stored text, to each waiting person's current
    address (read now from `FeedbackOriginal`: an address purged or a reply withdrawn since is
    skipped). Returns how many were sent. Called by `cms.tasks.send_reply_batch`.

    Exactly once per person: each is claimed by a conditional UPDATE (QUEUED -> SENDING) before
    the email goes, so a second run of the batch (a retry, a redelivery after a worker died, a
    duplicate message) skips them; a stopped send has no QUEUED rows left to claim. If sending
    fails the person goes back to QUEUED and the task retries."""
    send = ReplySend.objects.filter(pk=send_id).first()
    if send is None or send.stopped_at is not None:
        return 0
    rows = list(ReplyRecipient.objects.filter(send=send, batch=batch, state=ReplyRecipient.State.QUEUED))
    if not rows:
        return 0
    addresses = dict(
        FeedbackOriginal.objects.filter(
            item_id__in=[i for row in rows for i in row.items], item__wants_reply=True, purged_at__isnull=True
        )
        .exclude(contact_email="")
        .values_list("item_id", "contact_email")
    )
    connection = get_connection()
    sent = 0
    for row in rows:
        items = [i for i in row.items if i in addresses]
        claim = ReplyRecipient.objects.filter(pk=row.pk, state=ReplyRecipient.State.QUEUED)
        if not items:
            claim.update(state=ReplyRecipient.State.SKIPPED, updated_at=timezone.now())
            continue
        if not claim.update(state=ReplyRecipient.State.SENDING, updated_at=timezone.now()):
            continue  # another run of this batch has them, or staff stopped the send
        try:
            EmailMessage(
                subject=send.subject,
                body=send.bodies[row.group],
                to=[addresses[items[0]].strip()],
                connection=connection,
            ).send()
        except Exception:
            stopped = ReplySend.objects.filter(pk=send.pk, stopped_at__isnull=False).exists()
            ReplyRecipient.objects.filter(pk=row.pk, state=ReplyRecipient.State.SENDING).update(
                state=ReplyRecipient.State.STOPPED if stopped else ReplyRecipient.State.QUEUED,
                updated_at=timezone.now(),
            )
            raise
        with transaction.atomic():
            now = timezone.now()
            ReplyRecipient.objects.filter(pk=row.pk).update(
                state=ReplyRecipient.State.SENT, sent_at=now, updated_at=now
            )
            AuditEntry.objects.bulk_create(
                [
                    AuditEntry(
                        item_id=i,
                        actor=send.created_by,
                        action=REPLY_ACTION,
                        changes={"page_url": send.page_url, "reply_send": send.pk},
                    )
                    for i in items
                ]
            )
        sent += 1
    return sent


@transaction.atomic
def yswd_replies_stop(*, send: ReplySend, actor) -> int:
    """Stop a send: nobody still waiting in it is emailed (batches already queued find nobody
    to claim; an email already handed to the mail server cannot be called back). Returns how
    many were stopped. Starting again later emails only the people not emailed yet."""
    now = timezone.now()
    ReplySend.objects.filter(pk=send.pk, stopped_at__isnull=True).update(stopped_at=now, stopped_by=actor)
    return ReplyRecipient.objects.filter(send=send, state=ReplyRecipient.State.QUEUED).update(
        state=ReplyRecipient.State.STOPPED, updated_at=now
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
        email=email, audience=audience, defaults={"confirm_token": _token(), "unsubscribe_token": _token()}
    )
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
        from .tasks import send_newsletter_confirmation

        enqueue_on_commit(send_newsletter_confirmation, sub.pk)
    return sub


def _links(sub: NewsletterSubscription) -> tuple[str, str]:
    page = _newsletter_page()
    base = public_url(page).rstrip("/") + "/" if page else settings.SITE_BASE_URL + "/newsletter/"
    return (f"{base}confirm/{sub.confirm_token}/", f"{base}unsubscribe/{sub.unsubscribe_token}/")


def _send(sub: NewsletterSubscription, subject: str, body: str, connection=None) -> None:
    _, unsubscribe = _links(sub)
    message = EmailMessage(
        subject=subject,
        body=f"{body}\n\n--\nTo stop getting these emails, unsubscribe: {unsubscribe}\n",
        to=[sub.email],
        connection=connection,
        headers={"List-Unsubscribe": f"<{unsubscribe}>"},
    )
    message.send()


def newsletter_confirmation_send(*, subscription_id: int) -> bool:
    """The double opt-in email: the confirm link (and, like every email, an unsubscribe link)."""
    sub = NewsletterSubscription.objects.filter(
        pk=subscription_id, confirmed_at__isnull=True, unsubscribed_at__isnull=True
    ).first()
    if sub is None:
        return False
    confirm, _ = _links(sub)
    _send(
        sub,
        "Confirm you want our SEND newsletter",
        (
            f"Someone (we hope you) asked for the SEND Voice newsletter for "
            f"{sub.get_audience_display().lower()}.\n\n"
            f"To confirm, open this link: {confirm}\n\n"
            "If it was not you, ignore this email and we will not send you anything."
        ),
    )
    return True


def newsletter_confirm(*, token: str) -> bool:
    sub = NewsletterSubscription.objects.filter(confirm_token=token, unsubscribed_at__isnull=True).first()
    if sub is None:
        return False
    if sub.confirmed_at is None:
        sub.confirmed_at = timezone.now()
        sub.save(update_fields=["confirmed_at", "updated_at"])
    return True


def newsletter_unsubscribe(*, token: str) -> bool:
    updated = NewsletterSubscription.objects.filter(
        unsubscribe_token=token, unsubscribed_at__isnull=True
    ).update(unsubscribed_at=timezone.now(), updated_at=timezone.now())
    return bool(updated)


def newsletter_issue_send(*, audience: str, subject: str, body: str) -> int:
    """Send one newsletter issue to every confirmed, still-subscribed person in an audience, each
    email with its own unsubscribe link. Returns how many were sent."""
    subs = NewsletterSubscription.objects.filter(
        audience=audience, confirmed_at__isnull=False, unsubscribed_at__isnull=True
    )
    connection = get_connection()
    sent = 0
    for sub in subs.iterator():
        _send(sub, subject, body, connection=connection)
        sent += 1
    return sent


def newsletter_subject_erase(*, emails) -> int:
    """Subject erasure (`privacy.subject_access`): delete every newsletter sign-up for these
    emails. Returns how many were deleted."""
    from django.db.models import Q

    match = Q(pk__in=[])
    for email in emails or ():
        if email:
            match |= Q(email__iexact=email)
    deleted, _ = NewsletterSubscription.objects.filter(match).delete()
    return deleted
