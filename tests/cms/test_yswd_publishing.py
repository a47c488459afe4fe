"""Issue 19: publishing a "You said, we did" page emailed the builder's placeholder to everyone
who asked for a reply, a builder draft made from set-aside feedback could not be published, and
the editor for a large draft was megabytes. These tests drive the admin as staff really use it
(signed in with two factors; the editor form posted as the browser would post it)."""

import re
from html import unescape

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import YouSaidWeDidPage
from feedback.models import AuditEntry, FeedbackItem
from portal.roles import Role
from tests.auth import sign_in

from .conftest import make_item, publish_update
from .editor_form import submit_data

pytestmark = pytest.mark.django_db

REAL_TEXT = {
    "summary": "Families told us nobody said who their caseworker was.",
    "action": "Every family now has a named caseworker, and their phone number is on every letter.",
    "partner": "Oxfordshire County Council",
}


@pytest.fixture
def editor(client, site, make_user):
    from portal.services import roles_sync

    roles_sync()
    sign_in(client, make_user(Role.ENGAGEMENT_TEAM, totp=True))
    return client


def _triaged(*items):
    FeedbackItem.objects.filter(pk__in=[i.pk for i in items]).update(status="triaged")
    return items


def _draft(index, items, title="Named caseworkers"):
    from cms.services import yswd_draft_create

    return yswd_draft_create(index=index, title=title, items=items)


def _edit_url(page):
    return f"/admin/pages/{page.pk}/edit/"


def _editor_post(client, page, changes, *, action="action-publish"):
    """GET the editor, then POST its form back as a browser would, with `changes` typed in."""
    html = client.get(_edit_url(page)).content.decode()
    return client.post(_edit_url(page), submit_data(html, changes, action=action))


def _errors(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


# --- Placeholder text is never published or sent ------------------------------------------------


def test_service_publish_of_a_placeholder_draft_is_refused(yswd_index):
    page = _draft(
        yswd_index, [make_item("Who is my caseworker?", wants_reply=True, contact_email="a@example.org")]
    )
    for publish in (lambda p: p.get_latest_revision().publish(), lambda p: p.save_revision().publish()):
        with pytest.raises(ValidationError) as exc:
            publish(YouSaidWeDidPage.objects.get(pk=page.pk))
        assert "Write what we did here." in str(exc.value)
        assert "To be confirmed" in str(exc.value) and "Write a short summary here." in str(exc.value)
    page.refresh_from_db()
    assert not page.live
    assert not FeedbackItem.objects.filter(status="responded").exists()
    assert mail.outbox == []


def test_service_publish_with_empty_what_we_did_is_refused(yswd_index):
    page = YouSaidWeDidPage(title="Empty", slug="empty", summary="s", action="   ", partner="p", live=False)
    yswd_index.add_child(instance=page)  # a draft may be saved half written
    with pytest.raises(ValidationError) as exc:
        page.save_revision().publish()
    assert "Write what we did before publishing" in str(exc.value)


def test_editor_refuses_to_publish_a_placeholder_with_a_clear_message(editor, yswd_index):
    page = _draft(yswd_index, _triaged(make_item("Who is my caseworker?")))
    response = _editor_post(editor, page, {"summary": REAL_TEXT["summary"]})
    assert response.status_code == 200
    text = _errors(response)
    assert "Replace the builder's placeholder text ('Write what we did here.')" in text
    assert "Replace the builder's placeholder text ('To be confirmed')" in text
    assert "This field is required" not in text
    page.refresh_from_db()
    assert not page.live
    # Saving the draft as it is, placeholder and all, is fine: only going live is refused.
    assert _editor_post(editor, page, {"summary": REAL_TEXT["summary"]}, action=None).status_code == 302
    latest = YouSaidWeDidPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    assert latest.summary == REAL_TEXT["summary"] and latest.action == "Write what we did here."


def test_builder_draft_publishes_after_editing_and_emails_nobody(editor, yswd_index):
    a, b = _triaged(
        make_item("Who is my caseworker?", wants_reply=True, contact_email="a@example.org"),
        make_item("Nobody calls back.", consent=False),
    )
    response = editor.post(
        "/admin/you-said-we-did/build/", {"title": "Named caseworkers", "items": [a.pk, b.pk]}
    )
    assert response.status_code == 302
    page = YouSaidWeDidPage.objects.get(title="Named caseworkers")
    mail.outbox.clear()
    response = _editor_post(editor, page, REAL_TEXT)
    assert response.status_code == 302, _errors(response)[:3000]
    page.refresh_from_db()
    assert page.live and page.action == REAL_TEXT["action"]
    assert {i.status for i in FeedbackItem.objects.filter(pk__in=[a.pk, b.pk])} == {"responded"}
    assert mail.outbox == []  # publishing emails nobody
    assert response["Location"] == f"/admin/you-said-we-did/{page.pk}/replies/"


def test_publishing_elsewhere_queues_no_reply(yswd_index, django_capture_on_commit_callbacks):
    from cms.models import ReplySend

    item = make_item("Tell me", contact_email="p@example.org", wants_reply=True)
    with django_capture_on_commit_callbacks(execute=True):
        publish_update(yswd_index, items=[item])
    assert mail.outbox == []
    assert not ReplySend.objects.exists()


def test_editor_names_feedback_flagged_since_instead_of_this_field_is_required(editor, yswd_index):
    ok, later_spam = _triaged(make_item("Who is my caseworker?"), make_item("Looked fine at first."))
    page = _draft(yswd_index, [ok, later_spam])
    FeedbackItem.objects.filter(pk=later_spam.pk).update(set_aside="spam")
    response = _editor_post(editor, page, REAL_TEXT)
    assert response.status_code == 200
    text = _errors(response)
    assert f"Feedback #{later_spam.pk} was set aside (spam or no content)" in text
    assert "This field is required" not in text
    assert not YouSaidWeDidPage.objects.get(pk=page.pk).live


# --- The builder refuses what the editor would refuse -----------------------------------------


def test_builder_refuses_set_aside_feedback_and_keeps_the_choice(editor, yswd_index):
    ok, spam, empty = _triaged(
        make_item("Who is my caseworker?"),
        make_item("Buy cheap pills www.x.example www.y.example", set_aside="spam"),
        make_item("n/a", set_aside="empty"),
    )
    response = editor.post(
        "/admin/you-said-we-did/build/", {"title": "Named caseworkers", "items": [ok.pk, spam.pk, empty.pk]}
    )
    assert response.status_code == 400
    text = _errors(response)
    assert f"Feedback #{spam.pk}, #{empty.pk} was set aside (spam or no content)" in text
    assert not YouSaidWeDidPage.objects.exists()
    assert re.search(rf'value="{ok.pk}"[^>]*checked', response.content.decode())
    assert 'value="Named caseworkers"' in response.content.decode()


def test_builder_service_refuses_unanalysed_and_safeguarding_feedback(yswd_index):
    pending = make_item("Not redacted yet")
    FeedbackItem.objects.filter(pk=pending.pk).update(analysis_state="pending")
    unsafe = make_item("At risk", safeguarding=True)
    with pytest.raises(ValidationError) as exc:
        _draft(yswd_index, [make_item("fine"), pending, unsafe])
    messages = exc.value.messages
    assert any(f"#{pending.pk} has not been analysed yet" in m for m in messages)
    assert any(f"#{unsafe.pk} may suggest a child is at risk" in m for m in messages)
    assert not YouSaidWeDidPage.objects.exists()


def test_a_page_answering_feedback_flagged_since_is_not_republished(yswd_index):
    item = make_item("words")
    page = publish_update(yswd_index, items=[item])
    FeedbackItem.objects.filter(pk=item.pk).update(set_aside="spam")
    with pytest.raises(ValidationError) as exc:
        YouSaidWeDidPage.objects.get(pk=page.pk).save_revision().publish()
    assert f"Feedback #{item.pk} was set aside" in str(exc.value)


# --- Replies: preview, confirm, batches, exactly once, stop -------------------------------------


@pytest.fixture
def published(yswd_index):
    """A published page answering feedback from four addresses that asked for a reply (one of
    them twice, in different case), one young person, and two who did not ask or left no
    address."""
    items = [
        make_item("one", wants_reply=True, contact_email="one@example.org"),
        make_item("two", wants_reply=True, contact_email="two@example.org"),
        make_item("two again", wants_reply=True, contact_email="Two@Example.org"),
        make_item("three", wants_reply=True, contact_email="three@example.org"),
        make_item("young", wants_reply=True, contact_email="young@example.org", audience="young_person"),
        make_item("no reply wanted", contact_email="quiet@example.org"),
        make_item("no address", wants_reply=True),
    ]
    page = publish_update(
        yswd_index,
        items=items,
        status="could_not_do",
        reason="There is no money for it this year.",
        easy="We could not do it this year.",
        **REAL_TEXT,
    )
    return page


def _preview(client, page):
    response = client.get(f"/admin/you-said-we-did/{page.pk}/replies/")
    assert response.status_code == 200
    html = response.content.decode()
    bodies = {
        k: unescape(v) for k, v in re.findall(r'<pre data-reply-preview="(\w+)"[^>]*>(.*?)</pre>', html, re.S)
    }
    return html, bodies


def _send(client, page, html):
    revision = re.search(r'name="revision" value="(\d+)"', html).group(1)
    count = re.search(r'name="count" value="(\d+)"', html).group(1)
    return client.post(
        f"/admin/you-said-we-did/{page.pk}/replies/", {"action": "send", "revision": revision, "count": count}
    )


def test_preview_shows_the_exact_email_and_count_then_confirming_sends_it(
    editor, published, settings, django_capture_on_commit_callbacks
):
    from cms.models import ReplySend

    settings.CMS_REPLY_BATCH_SIZE = 2
    html, bodies = _preview(editor, published)
    assert "Send replies (4 people)" in html
    assert set(bodies) == {"standard", "easy_read"}
    url = "http://testserver" + published.url
    assert bodies["standard"] == (
        "Hello,\n\n"
        "You gave us feedback about SEND services and asked us to tell you what happened. We have "
        "published an update that answers it.\n\n"
        "Plans on time\n\n"
        f"What we did: {REAL_TEXT['action']}\n"
        f"Who is doing it: {REAL_TEXT['partner']}\n"
        "Where it stands: Could not do. Why: There is no money for it this year.\n\n"
        f"Read the whole update: {url}\n\n"
        "Thank you for telling us. Your feedback helps us make things better.\n\n"
        "You are getting this email because you asked for a reply. We will email you again only if "
        "another update answers your feedback. Nobody reads replies to this address: to tell us "
        "anything else, use http://testserver/feedback/\n"
    )
    assert "We could not do it this year." in bodies["easy_read"] and url in bodies["easy_read"]
    assert "not email you again" not in html
    assert mail.outbox == []  # looking sends nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = _send(editor, published, html)
    assert response.status_code == 302
    sent = {m.to[0]: m for m in mail.outbox}
    assert sorted(m.to[0] for m in mail.outbox) == [
        "one@example.org",
        "three@example.org",
        "two@example.org",
        "young@example.org",
    ]
    assert sent["one@example.org"].body == bodies["standard"]  # word for word what was shown
    assert sent["young@example.org"].body == bodies["easy_read"]
    assert {m.subject for m in mail.outbox} == {"What we did about your feedback"}
    send = ReplySend.objects.get()
    assert sorted(send.recipients.values_list("batch", flat=True)) == [1, 1, 2, 2]  # batches of 2
    assert AuditEntry.objects.filter(action="reply_sent").count() == 5  # one per item, two for "two"


def test_each_person_gets_one_email_even_if_a_batch_or_the_send_runs_twice(
    editor, published, settings, django_capture_on_commit_callbacks
):
    from cms.models import ReplySend
    from cms.tasks import send_reply_batch

    settings.CMS_REPLY_BATCH_SIZE = 2
    html, _ = _preview(editor, published)
    with django_capture_on_commit_callbacks(execute=True):
        _send(editor, published, html)
    assert len(mail.outbox) == 4
    send = ReplySend.objects.get()
    for batch in (1, 2):  # a retry, a redelivery after a worker died, a duplicate message
        send_reply_batch.delay(send.pk, batch)
        send_reply_batch.apply(args=(send.pk, batch))
    with django_capture_on_commit_callbacks(execute=True):
        _send(editor, published, html)  # the button pressed twice
    assert len(mail.outbox) == 4
    assert ReplySend.objects.count() == 1
    _, bodies = _preview(editor, published)
    assert bodies == {}  # nobody is left waiting


def test_a_failed_send_goes_back_to_the_queue_and_is_sent_once_later(
    editor, published, settings, django_capture_on_commit_callbacks
):
    from cms.models import ReplySend
    from cms.tasks import send_reply_batch

    html, _ = _preview(editor, published)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1  # refused
    with django_capture_on_commit_callbacks(execute=True):
        assert _send(editor, published, html).status_code == 302
    send = ReplySend.objects.get()
    assert set(send.recipients.values_list("state", flat=True)) == {"queued"}
    assert not AuditEntry.objects.filter(action="reply_sent").exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_reply_batch.apply(args=(send.pk, 1)).get() == 4
    assert send_reply_batch.apply(args=(send.pk, 1)).get() == 0
    assert len(mail.outbox) == 4


def test_stop_halts_the_remaining_batches(editor, published, settings, django_capture_on_commit_callbacks):
    from cms.models import ReplySend
    from cms.tasks import send_reply_batch

    settings.CMS_REPLY_BATCH_SIZE = 1
    html, _ = _preview(editor, published)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        _send(editor, published, html)  # the batches are not queued yet
    send = ReplySend.objects.get()
    send_reply_batch.delay(send.pk, 1)  # the first batch goes
    assert len(mail.outbox) == 1
    page_html = editor.get(f"/admin/you-said-we-did/{published.pk}/replies/").content.decode()
    assert "Stop sending (3 not sent yet)" in page_html
    response = editor.post(
        f"/admin/you-said-we-did/{published.pk}/replies/", {"action": "stop", "send": send.pk}
    )
    assert response.status_code == 302
    for callback in queued:  # now every batch is queued and runs
        callback()
    for batch in (2, 3, 4):
        send_reply_batch.delay(send.pk, batch)
    assert len(mail.outbox) == 1
    states = sorted(send.recipients.values_list("state", flat=True))
    assert states == ["sent", "stopped", "stopped", "stopped"]
    # The three not emailed can be sent to later, after another look; the first is not again.
    html, _ = _preview(editor, published)
    assert "Send replies (3 people)" in html


def test_sending_is_refused_while_the_page_holds_a_placeholder(editor, published):
    from cms.models import ReplySend

    # A page published before this check existed, still holding the builder's text.
    YouSaidWeDidPage.objects.filter(pk=published.pk).update(action="Write what we did here.")
    html, bodies = _preview(editor, published)
    assert bodies == {} and "Send replies" not in html
    assert "Replace the builder&#x27;s placeholder text" in html or "placeholder text" in html
    from cms.services import yswd_replies_start

    page = YouSaidWeDidPage.objects.get(pk=published.pk)
    with pytest.raises(ValidationError):
        yswd_replies_start(page=page, actor=None, previewed_revision=page.live_revision_id, previewed_count=4)
    assert mail.outbox == [] and not ReplySend.objects.exists()


def test_sending_is_refused_if_the_page_changed_since_the_preview(editor, published):
    from cms.models import ReplyRecipient

    html, _ = _preview(editor, published)
    page = YouSaidWeDidPage.objects.get(pk=published.pk)
    page.action = "Something else entirely."
    page.save_revision().publish()
    response = _send(editor, published, html)
    assert response.status_code == 400
    assert "published again since this preview" in _errors(response)
    assert mail.outbox == [] and not ReplyRecipient.objects.exists()


def test_the_retired_publish_task_sends_nothing(published):
    from cms.tasks import send_feedback_replies

    assert send_feedback_replies.apply(args=(published.pk,)).get() == 0
    assert mail.outbox == []


# --- The editor stays small with hundreds of links ---------------------------------------------


def _bulk_items(n, tag):
    from django.utils import timezone

    from feedback.models import FeedbackOriginal

    items = FeedbackItem.objects.bulk_create(
        [
            FeedbackItem(
                channel="web_form",
                audience="parent_carer",
                received_at=timezone.now(),
                source_ref=f"big:{tag}:{k}",
                consent_to_quote=k % 2 == 0,
                analysis_state="done",
                redacted_text=f"We waited {k} weeks for the EHC plan and nobody told us why. " * 3,
                status="triaged",
            )
            for k in range(n)
        ]
    )
    FeedbackOriginal.objects.bulk_create([FeedbackOriginal(item=i, text="x") for i in items])
    return items


def test_a_large_drafts_editor_is_small_and_its_queries_do_not_grow(editor, yswd_index):
    small = _draft(yswd_index, _bulk_items(10, "small"), title="Small")
    large = _draft(yswd_index, _bulk_items(300, "large"), title="Large")
    for page in (small, large):  # a first visit records an editing session: warm both
        editor.get(_edit_url(page))

    def measure(page):
        with CaptureQueriesContext(connection) as ctx:
            response = editor.get(_edit_url(page))
        assert response.status_code == 200
        return len(response.content), len(ctx.captured_queries), response.content.decode()

    small_size, small_queries, _ = measure(small)
    large_size, large_queries, html = measure(large)
    assert large_size < 1_000_000, large_size
    assert large_queries == small_queries
    assert "300 pieces of feedback" in html and "See all 300 and change quotes" in html


def test_the_full_list_pages_through_links_and_saves_quote_changes_as_a_draft(editor, yswd_index):
    items = _bulk_items(60, "list")
    page = _draft(yswd_index, items, title="Listed")
    response = editor.get(f"/admin/you-said-we-did/{page.pk}/feedback/")
    assert response.status_code == 200 and "Feedback 1 to 50 of 60" in response.content.decode()
    second = editor.get(f"/admin/you-said-we-did/{page.pk}/feedback/?p=2").content.decode()
    assert "Feedback 51 to 60 of 60" in second
    shown = [i.pk for i in items[50:]]
    untick = items[58]  # proposed as a quote by the builder (its author agreed)
    quoted = [i.pk for i in items[50:] if i.consent_to_quote and i != untick]
    response = editor.post(
        f"/admin/you-said-we-did/{page.pk}/feedback/?p=2",
        {"shown": shown, "quote": quoted, "remove": [items[51].pk]},
    )
    assert response.status_code == 302, _errors(response)[-3000:]
    latest = YouSaidWeDidPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    links = {link.item_id: link.quote for link in latest.feedback_links.all()}
    assert len(links) == 59 and items[51].pk not in links
    assert links[untick.pk] is False and links[items[56].pk] is True and links[items[0].pk] is True
    assert not YouSaidWeDidPage.objects.get(pk=page.pk).live  # a draft, like the editor's
    odd = next(i for i in items[50:] if not i.consent_to_quote and i.pk != items[51].pk)
    response = editor.post(
        f"/admin/you-said-we-did/{page.pk}/feedback/?p=2", {"shown": shown, "quote": [odd.pk]}
    )
    assert response.status_code == 400 and f"Feedback #{odd.pk} cannot be quoted" in _errors(response)
    # Saving the page in the editor keeps the links it does not show.
    assert _editor_post(editor, page, REAL_TEXT, action=None).status_code == 302
    latest = YouSaidWeDidPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    assert len(latest.feedback_links.all()) == 59
