"""'You said, we did': what is quoted, filters, feed, and what publishing does to feedback."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError

from cms.models import YouSaidWeDidPage
from feedback.models import AuditEntry, FeedbackItem

from .conftest import make_item, publish_update

pytestmark = pytest.mark.django_db


def _objective(code):
    from portal.models import Objective

    return Objective.objects.get(code=code, area__plan__is_current=True)


def test_quotes_only_consented_non_safeguarding_items(client, yswd_index, settings):
    ok = make_item("Consented words about waiting.")
    no_consent = make_item("Private words nobody agreed to publish.", consent=False)
    unsafe = make_item("Safeguarding words never shown.")
    spam = make_item("Spam words.")
    page = publish_update(yswd_index, quotes=[ok, no_consent, unsafe, spam])
    # Flagged after publishing (a page cannot be published answering them): still never quoted.
    FeedbackItem.objects.filter(pk=unsafe.pk).update(safeguarding=True)
    FeedbackItem.objects.filter(pk=spam.pk).update(set_aside="spam")
    html = client.get(page.url).content.decode()
    assert "Consented words about waiting." in html
    for text in ("Private words", "Safeguarding words", "Spam words"):
        assert text not in html
    # Every linked item is counted, quoted or not; 4 is a small number, so the public read
    # "fewer than 5" (the one rule, portal.disclosure) unless the threshold allows it.
    assert "fewer than 5 pieces of feedback" in html
    settings.SMALL_NUMBER_THRESHOLD = 4
    cache.clear()
    assert "4 pieces of feedback" in client.get(page.url).content.decode()


def test_consent_withdrawn_after_publishing_removes_the_quote(client, yswd_index):
    item = make_item("I said yes, then changed my mind.")
    page = publish_update(yswd_index, quotes=[item])
    FeedbackItem.objects.filter(pk=item.pk).update(consent_to_quote=False)
    assert "changed my mind" not in client.get(page.url).content.decode()


def test_quote_flag_refused_without_consent(yswd_index):
    from cms.models import YouSaidWeDidFeedback

    link = YouSaidWeDidFeedback(item=make_item("x", consent=False), quote=True)
    with pytest.raises(ValidationError):
        link.clean()


def test_could_not_do_needs_a_reason(yswd_index):
    page = YouSaidWeDidPage(title="x", summary="s", action="a", partner="p", status="could_not_do")
    with pytest.raises(ValidationError) as exc:
        page.clean()
    assert "status_reason" in exc.value.message_dict


def test_publishing_marks_items_responded_audits_and_emails_nobody(
    yswd_index, django_capture_on_commit_callbacks
):
    wants = make_item("Please tell me.", contact_email="parent@example.org", wants_reply=True)
    no_reply = make_item("No reply wanted.", contact_email="other@example.org")
    no_email = make_item("No email left.", wants_reply=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page = publish_update(yswd_index, items=[wants, no_reply, no_email], status="done")
    items = FeedbackItem.objects.filter(pk__in=[wants.pk, no_reply.pk, no_email.pk])
    assert {i.status for i in items} == {"responded"}
    assert {i.response_url for i in items} == {"http://testserver" + page.url}
    assert AuditEntry.objects.filter(action="responded", item__in=items).count() == 3
    # Replies wait for a person to check and send them (tests/cms/test_yswd_publishing.py).
    assert mail.outbox == []
    from cms.selectors import yswd_reply_recipients

    assert [r.email for r in yswd_reply_recipients(page)] == ["parent@example.org"]
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()  # republishing changes and sends nothing more
    assert AuditEntry.objects.filter(action="responded", item__in=items).count() == 3
    assert mail.outbox == []


def test_a_closed_item_stays_closed_when_a_page_answers_it(db):
    from feedback.triage import feedback_mark_responded

    open_item, closed = make_item("still open"), make_item("closed as a duplicate")
    FeedbackItem.objects.filter(pk=closed.pk).update(status="closed", close_reason="Duplicate of #1")
    assert feedback_mark_responded(items=[open_item, closed], page_url="http://x/page/") == 1
    closed.refresh_from_db()
    assert closed.status == "closed" and closed.response_url == ""
    assert not AuditEntry.objects.filter(item=closed, action="responded").exists()


def test_mark_responded_runs_in_fixed_queries(db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from feedback.triage import feedback_mark_responded

    def queries_for(n):
        items = [make_item(f"item {i}") for i in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            assert feedback_mark_responded(items=items, page_url=f"http://x/{n}/") == n
        return len(ctx.captured_queries)

    assert queries_for(1) == queries_for(25) <= 5  # select, update, bulk insert (+ savepoint)
    assert feedback_mark_responded(items=[], page_url="http://x/") == 0


def test_index_filters(client, yswd_index, plan):
    from feedback.models import Theme

    theme, _ = Theme.objects.get_or_create(label="named worker", defaults={"keywords": "caseworker"})
    publish_update(
        yswd_index,
        title="Alpha update",
        status="done",
        objectives=[_objective("PAP2B:2")],
        themes=[theme],
        items=[make_item("a", audience="young_person")],
    )
    publish_update(
        yswd_index,
        title="Beta update",
        status="planned",
        objectives=[_objective("PAP3A:1")],
        items=[make_item("b")],
    )
    url = yswd_index.url

    def titles(query):
        html = client.get(url + query).content.decode()
        return {t for t in ("Alpha update", "Beta update") if t in html}

    assert titles("") == {"Alpha update", "Beta update"}
    assert titles("?status=done") == {"Alpha update"}
    assert titles("?objective=PAP3A:1") == {"Beta update"}
    assert titles("?area=PAP2") == {"Alpha update"}
    assert titles("?theme=named+worker") == {"Alpha update"}
    assert titles("?audience=young_person") == {"Alpha update"}
    assert titles("?year=1999") == set()
    assert titles("?status=nonsense&year=abc") == {"Alpha update", "Beta update"}


def test_young_view_lists_only_easy_read_pages(client, yswd_index):
    publish_update(yswd_index, title="With easy read", easy="We made it better.")
    publish_update(yswd_index, title="Without easy read")
    html = client.get(yswd_index.url + "?view=young").content.decode()
    assert "With easy read" in html and "Without easy read" not in html
    assert "app-easy-read" in html and "We made it better." in html


def test_atom_and_rss_feeds(client, yswd_index):
    publish_update(yswd_index, title="Feed <b>item</b>")
    atom = client.get(yswd_index.url + "feed/")
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert b"Feed &lt;b&gt;item&lt;/b&gt;" in atom.content
    rss = client.get(yswd_index.url + "rss/")
    assert rss["Content-Type"].startswith("application/rss+xml")


def test_draft_from_triaged_feedback(yswd_index, plan):
    from cms.services import yswd_draft_create

    objective = _objective("PAP2B:2")
    a = make_item("Caseworker changed.", objective=objective)
    b = make_item("Not for quoting.", consent=False, objective=objective, tag_state="suggested")
    page = yswd_draft_create(index=yswd_index, title="Named workers", items=[a, b])
    assert not page.live
    links = {link.item_id: link.quote for link in page.feedback_links.all()}
    assert links == {a.pk: True, b.pk: False}
    assert list(page.objectives.all()) == [objective]
    with pytest.raises(ValidationError):
        yswd_draft_create(index=yswd_index, title="x", items=[make_item("s", safeguarding=True)])
