"""Writes for the youth forum: joining, consent, sign-in links, views, dots, comments,
moderation and erasure.

Called by the member pages (`views.py`), the moderators' screens in the Wagtail admin
(`admin_views.py`), Celery tasks, the demo loader and retention. Every service takes
keyword-only arguments and calls `full_clean()` before saving.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

import feedback.services
from portal import ratelimit
from portal.models import User
from portal.queueing import enqueue_on_commit
from portal.roles import Role
from portal.services import user_assign_role
from portal.text import clean_text

from . import conf
from .models import (
    ConsentRequest,
    Dot,
    Helper,
    Member,
    Prompt,
    TermsComment,
    TermsVersion,
    View,
    VoteRound,
)

logger = logging.getLogger(__name__)

CONSENT_SALT = "youthforum.consent"
SIGN_IN_SALT = "youthforum.sign-in"
# Member accounts never receive mail at this address: `.invalid` cannot be delivered.
MEMBER_EMAIL_DOMAIN = "members.youth-forum.invalid"
WORDS_MAX = 2000


def _site_url(path: str) -> str:
    return getattr(settings, "SITE_BASE_URL", "").rstrip("/") + path


# --- Joining, consent, sign-in --------------------------------------------------------------


@transaction.atomic
def member_join(*, nickname: str, age_band: str, contact_email: str, joined_with: str = "") -> Member:
    """Create a member (and their portal account with the young person role).

    Under-16s get a consent request emailed to their parent/carer or worker; nobody takes part
    until a moderator approves them (and, for under-16s, consent is recorded).
    """
    contact_email = clean_text(contact_email).lower()
    user = User(
        email=f"yf-{secrets.token_hex(8)}@{MEMBER_EMAIL_DOMAIN}", first_name=clean_text(nickname)[:40]
    )
    user.set_unusable_password()
    member = Member(
        user=user,
        nickname=clean_text(nickname),
        age_band=age_band,
        contact_email=contact_email,
        joined_with=joined_with or "",
    )
    member.full_clean(exclude=["user"])
    user.full_clean(exclude=["password"])
    user.save()
    member.user = user
    member.save()
    user_assign_role(user=user, role=Role.YOUNG_PERSON)
    if member.needs_consent:
        consent_request_create(member=member)
    return member


def _address_allowed(*, kind: str, email: str) -> bool:
    """Count one email of this kind to this address; False past YOUTHFORUM_EMAILS_PER_ADDRESS
    in the hour (from any connection, so many connections cannot flood one inbox)."""
    return ratelimit.allow(
        scope=f"youthforum:{kind}-to",
        client=clean_text(email).lower(),
        limit=conf.emails_per_address(),
        window=3600,
    )


def consent_request_create(*, member: Member) -> ConsentRequest:
    """Record a consent request and email the link after commit. Past the per-address limit
    the request is recorded but not emailed (sent_at stays empty); the young person sees the
    same page either way."""
    from .tasks import send_consent_request

    consent = ConsentRequest(
        member=member, email=member.contact_email, wording_version=conf.CONSENT_WORDING_VERSION
    )
    consent.full_clean()
    consent.save()
    if _address_allowed(kind="consent", email=consent.email):
        enqueue_on_commit(send_consent_request, consent.pk)
    else:
        logger.info("Consent request %s not emailed: the address has had enough this hour", consent.pk)
    return consent


def consent_token(consent: ConsentRequest) -> str:
    return signing.dumps({"c": consent.pk}, salt=CONSENT_SALT)


def consent_from_token(token: str) -> ConsentRequest | None:
    """The consent request a link points to, if the link is genuine and not expired."""
    try:
        data = signing.loads(clean_text(token), salt=CONSENT_SALT, max_age=conf.consent_expiry_days() * 86400)
        pk = int(data["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    consent = ConsentRequest.objects.select_related("member").filter(pk=pk).first()
    if consent is None or consent.expired_at is not None:
        return None
    return consent


def consent_request_send(*, consent_id: int) -> bool:
    """Email the consent link (called by the task).

    The address was typed by whoever filled in the join form and nobody has shown it is theirs,
    so the email carries nothing they typed, not even the nickname: otherwise anyone could send
    words of their choosing from the council's address to anyone. It names the service and the
    action; the consent page behind the link shows who asked."""
    consent = (
        ConsentRequest.objects.select_related("member")
        .filter(pk=consent_id, confirmed_at__isnull=True, expired_at__isnull=True)
        .first()
    )
    if consent is None:
        return False
    link = _site_url(reverse("youthforum:consent", args=[consent_token(consent)]))
    site = settings.WAGTAIL_SITE_NAME
    days = conf.consent_expiry_days()
    send_mail(
        subject=f"{site}: a young person needs your consent to join the youth forum",
        message=(
            f"A young person asked to join the {site} youth forum. They gave this email address for "
            "their parent, carer or worker.\n\n"
            f"They told us they are aged {consent.member.get_age_band_display()}. Because they are under "
            "16, a parent or carer must agree before they can take part.\n\n"
            f"To see who asked and what you are agreeing to, and to answer, open this link:\n{link}\n\n"
            f"The link works for {days} days.\n\n"
            "If you do not know who this is, you do not need to do anything. We will delete their "
            f"details after {days} days.\n\n"
            f"{site}\n{_site_url('/')}\n"
        ),
        from_email=None,
        recipient_list=[consent.email],
    )
    ConsentRequest.objects.filter(pk=consent.pk).update(sent_at=timezone.now())
    return True


@transaction.atomic
def consent_confirm(*, consent: ConsentRequest, name: str, agreed: bool) -> ConsentRequest:
    """A parent/carer answers the consent request. Saying no erases the waiting member."""
    consent = ConsentRequest.objects.select_for_update().select_related("member").get(pk=consent.pk)
    if consent.confirmed_at is not None:
        return consent
    if consent.expired_at is not None:
        raise ValidationError("This link has expired.")
    if not agreed:
        member_erase(member=consent.member)
        return consent
    now = timezone.now()
    consent.confirmed_at = now
    consent.confirmed_name = clean_text(name)[:100]
    consent.full_clean()
    consent.save()
    member = consent.member
    member.consent_given_at = now
    member.full_clean()
    member.save()
    return consent


def sign_in_token(member: Member) -> str:
    return signing.dumps({"m": member.pk, "n": member.sign_in_nonce}, salt=SIGN_IN_SALT)


def member_from_sign_in_token(token: str) -> Member | None:
    try:
        data = signing.loads(clean_text(token), salt=SIGN_IN_SALT, max_age=conf.sign_in_link_days() * 86400)
        pk, nonce = int(data["m"]), int(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    member = Member.objects.select_related("user").filter(pk=pk, rejected_at__isnull=True).first()
    if member is None or member.sign_in_nonce != nonce:
        return None
    return member


def member_sign_in_used(*, member: Member) -> None:
    """A sign-in link is single-use: using it invalidates every earlier link."""
    Member.objects.filter(pk=member.pk).update(sign_in_nonce=member.sign_in_nonce + 1)


def sign_in_links_request(*, email: str) -> int:
    """Email a sign-in link for each member whose contact email this is. The page says the same
    thing whether or not the email is known, so it never reveals who is a member."""
    from .tasks import send_sign_in_link

    pks = list(
        Member.objects.filter(contact_email=clean_text(email).lower(), rejected_at__isnull=True).values_list(
            "pk", flat=True
        )[:10]
    )
    queued = 0
    for pk in pks:
        # Past the per-address limit nothing more is sent; the page still says the same.
        if not _address_allowed(kind="sign-in", email=email):
            break
        enqueue_on_commit(send_sign_in_link, pk)
        queued += 1
    return queued


def sign_in_link_send(*, member_id: int) -> bool:
    """Email a member's sign-in link to their contact address. Nobody has shown that address
    is theirs (it was typed on the join form), so the email carries nothing typed there, not
    the nickname: only the age group and the day they joined, so a parent with two members
    can tell the links apart."""
    member = Member.objects.filter(pk=member_id, rejected_at__isnull=True).first()
    if member is None:
        return False
    link = _site_url(reverse("youthforum:sign_in_link", args=[sign_in_token(member)]))
    site = settings.WAGTAIL_SITE_NAME
    joined = timezone.localtime(member.created_at)
    who = f"the member aged {member.get_age_band_display()} who joined on {joined:%-d %B %Y}"
    send_mail(
        subject=f"{site}: your sign-in link for the youth forum",
        message=(
            f"Someone asked for a link to sign in to the {site} youth forum. This email address was "
            "given for a member of the forum.\n\n"
            f"Here is the sign-in link for {who}:\n{link}\n\n"
            f"It works once, for {conf.sign_in_link_days()} days. If you did not ask for it, "
            "you do not need to do anything.\n\n"
            f"{site}\n{_site_url('/')}\n"
        ),
        from_email=None,
        recipient_list=[member.contact_email],
    )
    return True


# --- Moderation of members ----------------------------------------------------------------


def member_approve(*, member: Member, actor) -> Member:
    if member.needs_consent and member.consent_given_at is None:
        raise ValidationError(
            "A parent or carer has not given consent yet, so this member cannot be approved."
        )
    member.approved_at = timezone.now()
    member.approved_by = actor
    member.rejected_at = None
    member.full_clean()
    member.save()
    return member


def member_reject(*, member: Member, actor) -> Member:
    """Turn a request to join down; retention erases the member after a short period."""
    member.rejected_at = timezone.now()
    member.approved_at = None
    member.approved_by = actor
    member.full_clean()
    member.save()
    return member


# --- Views ---------------------------------------------------------------------------------


def _require_taking_part(member: Member) -> None:
    if not member.can_take_part:
        raise ValidationError("You cannot take part yet.")


@transaction.atomic
def view_save(
    *,
    member: Member,
    prompt: Prompt,
    words: str,
    feeling: str,
    consent_to_quote: bool,
    helped_by: str = "",
    send: bool,
) -> View:
    """Save a member's answer as a draft, or send it (then it goes to the feedback pipeline and
    waits for a moderator). A sent view cannot be changed."""
    _require_taking_part(member)
    if prompt.status != Prompt.Status.OPEN:
        raise ValidationError("This question is not taking answers now.")
    view = View.objects.select_for_update().filter(member=member, prompt=prompt).first()
    if view is not None and view.status != View.Status.DRAFT:
        raise ValidationError("You already sent your answer to this question.")
    view = view or View(member=member, prompt=prompt)
    view.words = clean_text(words)
    view.feeling = feeling or ""
    view.consent_to_quote = bool(consent_to_quote)
    view.helped_by = helped_by or ""
    if len(view.words) > WORDS_MAX:
        raise ValidationError({"words": f"Use {WORDS_MAX} letters or fewer."})
    if send:
        if not view.words and not view.feeling:
            raise ValidationError({"feeling": "Choose a picture, write some words, or both."})
        view.status = View.Status.SENT
        view.sent_at = timezone.now()
    view.full_clean()
    view.save()
    view.at_risk_on_submit = False  # not stored: the crisis signposting after sending
    if send:
        view_ingest(view=view)
        view.at_risk_on_submit = feedback.services.submission_at_risk(texts=[view.words])
    return view


def _feedback_text(view: View) -> str:
    parts = [view.words]
    if view.feeling:
        parts.append(f"Feeling: {view.get_feeling_display().split(' ', 1)[-1]}")
    return "\n\n".join(p for p in parts if p)


# What the moderator has decided about a view, as the feedback item records it: a view is
# quotable only once a moderator approved it (`feedback.models.quotable_q`).
QUOTE_MODERATION = {
    View.Status.SENT: "pending",
    View.Status.APPROVED: "approved",
    View.Status.HIDDEN: "hidden",
}


def view_ingest(*, view: View):
    """Send a view into the feedback pipeline (redaction, safeguarding, analysis, tagging).
    Idempotent through its source_ref. The item starts "pending" moderation, so it is never
    quoted before a moderator approves the view. Returns the feedback item."""
    item = feedback.services.feedback_ingest(
        text=_feedback_text(view),
        channel="youth_forum",
        audience="young_person",
        source_ref=view.source_ref,
        received_at=view.sent_at,
        consent_to_quote=view.consent_to_quote,
        quote_moderation=QUOTE_MODERATION.get(view.status, "pending"),
    )
    _moderation_to_feedback(view=view, actor=None)
    return item


def _moderation_to_feedback(*, view: View, actor) -> None:
    """Tell the feedback item what the moderator decided (the feedback app owns quoting)."""
    feedback.services.feedback_quote_moderation_set(
        source_ref=view.source_ref, state=QUOTE_MODERATION.get(view.status, "pending"), actor=actor
    )


@transaction.atomic
def view_approve(*, view: View, actor) -> View:
    """Share a view with other members (its redacted text, never a name). The feedback item it
    became may then be quoted, if its author agreed and nothing else forbids it."""
    from .selectors import feedback_items_for_views

    if view.status not in (View.Status.SENT, View.Status.HIDDEN):
        raise ValidationError("Only sent views can be moderated.")
    item = feedback_items_for_views([view]).get(view.pk)
    if item is not None and item.analysis_state != "done":
        raise ValidationError("This view is still going through redaction. Try again in a minute.")
    if item is not None and item.safeguarding:
        raise ValidationError("This view was flagged for safeguarding: it can never be shared.")
    view.status = View.Status.APPROVED
    view.hide_reason, view.hide_note = "", ""
    view.moderated_by, view.moderated_at = actor, timezone.now()
    view.full_clean()
    view.save()
    _moderation_to_feedback(view=view, actor=actor)
    return view


@transaction.atomic
def view_hide(*, view: View, actor, reason: str, note: str = "") -> View:
    """Hide a view with a reason; the member sees a kind explanation. Its feedback item is
    never quoted from then on (board packs, "You said, we did" pages), whatever the reason."""
    if view.status == View.Status.DRAFT:
        raise ValidationError("Drafts are private and cannot be moderated.")
    if reason not in View.HideReason.values:
        raise ValidationError({"hide_reason": "Choose a reason."})
    view.status = View.Status.HIDDEN
    view.hide_reason = reason
    view.hide_note = clean_text(note)[:300]
    view.moderated_by, view.moderated_at = actor, timezone.now()
    view.full_clean()
    view.save()
    _moderation_to_feedback(view=view, actor=actor)
    return view


# --- Voting --------------------------------------------------------------------------------


@transaction.atomic
def dots_place(*, member: Member, vote_round: VoteRound, allocation: dict[int, int]) -> list[Dot]:
    """Replace a member's dots in an open round. `allocation` maps topic id to dots."""
    _require_taking_part(member)
    vote_round = VoteRound.objects.select_for_update().get(pk=vote_round.pk)
    if vote_round.status != VoteRound.Status.OPEN:
        raise ValidationError("Voting has closed.")
    topics = {t.pk: t for t in vote_round.topics.all()}
    if any(pk not in topics or count < 0 for pk, count in allocation.items()):
        raise ValidationError("Choose from the topics on the list.")
    total = sum(allocation.values())
    if total == 0:
        raise ValidationError("Put at least 1 dot on a topic.")
    if total > vote_round.dots_per_member:
        raise ValidationError(f"You have {vote_round.dots_per_member} dots. You used {total}.")
    Dot.objects.filter(round=vote_round, member=member).delete()
    dots = []
    for pk, count in allocation.items():
        if count:
            dot = Dot(round=vote_round, topic=topics[pk], member=member, count=count)
            dot.full_clean()
            dot.save()
            dots.append(dot)
    return dots


def vote_round_sync_status(*, vote_round: VoteRound) -> None:
    """Called when staff save a round: stamp when it closed."""
    if vote_round.status == VoteRound.Status.CLOSED and vote_round.closed_at is None:
        VoteRound.objects.filter(pk=vote_round.pk).update(closed_at=timezone.now())
    elif vote_round.status != VoteRound.Status.CLOSED and vote_round.closed_at is not None:
        VoteRound.objects.filter(pk=vote_round.pk).update(closed_at=None)


# --- Terms of reference ------------------------------------------------------------------


def terms_comment_add(
    *, member: Member, version: TermsVersion, text: str, helped_by: str = ""
) -> TermsComment:
    """A member comments on a draft. The comment also goes through the feedback pipeline, so a
    worrying comment reaches the safeguarding lead like any view."""
    _require_taking_part(member)
    if version.status != TermsVersion.Status.DRAFT:
        raise ValidationError("This version is not open for comments.")
    text = clean_text(text)
    if not text:
        raise ValidationError({"text": "Write your comment."})
    if len(text) > WORDS_MAX:
        raise ValidationError({"text": f"Use {WORDS_MAX} letters or fewer."})
    comment = TermsComment(
        version=version, member=member, text=text, helped_by=helped_by if helped_by in Helper.values else ""
    )
    comment.full_clean()
    comment.save()
    feedback.services.feedback_ingest(
        text=text,
        channel="youth_forum",
        audience="young_person",
        source_ref=f"youthforum.termscomment:{comment.pk}",
    )
    return comment


@transaction.atomic
def terms_version_publish(*, version: TermsVersion, when: datetime | None = None) -> TermsVersion:
    """Publish a version: earlier published versions become history ("superseded")."""
    TermsVersion.objects.filter(status=TermsVersion.Status.PUBLISHED).exclude(pk=version.pk).update(
        status=TermsVersion.Status.SUPERSEDED
    )
    version.status = TermsVersion.Status.PUBLISHED
    version.published_at = version.published_at or when or timezone.now()
    version.full_clean()
    version.save()
    return version


# --- Leaving and erasure ----------------------------------------------------------------


def _erase_feedback(source_refs: list[str]) -> int:
    """Erase what this member wrote from the feedback items it became, through the feedback
    app's own service (`feedback.services.feedback_erase`): the non-personal counts (theme,
    sentiment) stay, and items with an open safeguarding alert keep their text until the
    safeguarding lead closes it (a legal duty that outweighs erasure)."""
    if not source_refs:
        return 0
    return feedback.services.feedback_erase(source_refs=source_refs)["erased"]


@transaction.atomic
def member_erase(*, member: Member) -> dict[str, int]:
    """Erase everything about a member: account, profile, consent records, views, comments.

    Dots in closed rounds are kept without the member, so published results stay true.
    Used when a member leaves, when a parent says no, and by retention.
    """
    refs = [f"youthforum.view:{pk}" for pk in member.views.values_list("pk", flat=True)]
    refs += [f"youthforum.termscomment:{pk}" for pk in member.terms_comments.values_list("pk", flat=True)]
    erased_feedback = _erase_feedback(refs)
    Dot.objects.filter(member=member).exclude(round__status=VoteRound.Status.CLOSED).delete()
    Dot.objects.filter(member=member).update(member=None)
    views = member.views.count()
    user = member.user
    member.delete()
    user.delete()
    return {"views": views, "feedback": erased_feedback}


def member_subject_erase(*, user=None, emails=()) -> dict:
    """Subject erasure (`privacy.subject_access`): erase the person's own membership, if they
    are a member, with everything they wrote (`member_erase`, which also deletes their
    account). Memberships that only give one of their `emails` as the contact are the young
    person's and are not erased here: the young person (or the data protection officer) decides
    by leaving the forum. They are reported under "kept" so the officer can follow up."""
    from .selectors import members_with_contact_email

    result: dict = {"members_erased": 0, "kept": []}
    member = Member.objects.filter(user=user).first() if user is not None and user.pk else None
    if member is not None:
        member_erase(member=member)
        result["members_erased"] = 1
    for other in members_with_contact_email(emails):
        result["kept"].append(
            f"Youth forum member #{other.pk} gives this email as the parent, carer or worker contact. "
            "The membership is the young person's: ask them, or erase it with member_erase."
        )
    return result


def member_contacts_shown(*, members, actor, screen: str) -> None:
    """Record in the access log that a moderator was shown these members' contact emails (a
    young person's or their parent's address). One entry per screen shown, naming the members."""
    if not members:
        return
    from portal.models import AccessLogEntry
    from portal.services import access_log_record

    access_log_record(
        actor=actor,
        action=AccessLogEntry.Action.CONTACTS_VIEWED,
        object_type="youthforum.member",
        screen=screen,
        detail={"members": [m.pk for m in members]},
    )


def member_leave(*, member: Member) -> dict[str, int]:
    """A member leaves the forum: their data is erased straight away."""
    return member_erase(member=member)


def client_rate_limit_check(*, client_key: str, action: str) -> bool:
    """Count one action for this client; False when it has gone over the hourly limit."""
    limit, seconds = conf.rate_limit()
    return ratelimit.allow(scope=f"youthforum:{action}", client=client_key, limit=limit, window=seconds)
