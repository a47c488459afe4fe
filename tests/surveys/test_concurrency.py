"""Single use under concurrency: the same invitation link submitted from several browsers at
the same moment is accepted exactly once (PostgreSQL, real parallel transactions)."""

import threading

import pytest
from django.db import close_old_connections, connection

from surveys import services
from surveys.models import Answer, Invitation, Response


def _parallel(fn, args_list):
    barrier = threading.Barrier(len(args_list))
    outcomes = []
    lock = threading.Lock()

    def run(arg):
        try:
            barrier.wait(timeout=10)
            result = fn(arg)
        except Exception as exc:  # recorded and checked by the test
            result = exc
        finally:
            close_old_connections()
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(a,)) for a in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


@pytest.fixture
def pg(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for truly parallel transactions (set DATABASE_URL)")


def _drafts(survey, invitation, n):
    drafts = []
    for _ in range(n):
        r = services.response_start(survey=survey, invitation=invitation)
        services.response_save_answers(response=r, values={"colour": "red", "agree": "agree"})
        drafts.append(r)
    return drafts


def test_same_invitation_parallel_submits_accepted_once(pg, simple_survey):
    invitation, _ = services.invitation_create(survey=simple_survey)
    drafts = _drafts(simple_survey, invitation, 8)
    outcomes = _parallel(lambda r: services.response_submit(response=r), drafts)
    accepted = [o for o in outcomes if isinstance(o, Response)]
    refused = [o for o in outcomes if isinstance(o, services.SubmissionRefused)]
    assert len(accepted) == 1, outcomes
    assert len(refused) == 7 and {r.reason for r in refused} == {"invitation_used"}
    assert Response.objects.filter(status="submitted").count() == 1
    assert Invitation.objects.get().used_at is not None
    assert Answer.objects.count() == 2


def test_same_draft_double_submit_in_parallel_stores_once(pg, simple_survey):
    [draft] = _drafts(simple_survey, None, 1)
    outcomes = _parallel(lambda r: services.response_submit(response=r), [draft] * 6)
    assert all(isinstance(o, Response) for o in outcomes), outcomes
    assert {o.pk for o in outcomes} == {draft.pk}
    assert Answer.objects.count() == 2


def test_parallel_http_submits_through_views(pg, simple_survey, live_server):
    """Two browsers, same link, same instant, through the real web server."""
    import re
    import urllib.parse
    import urllib.request
    from http.cookiejar import CookieJar

    _, token = services.invitation_create(survey=simple_survey)

    def browser():
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

        def post(path, data):
            html = opener.open(live_server.url + path).read().decode()
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, **data}).encode()
            request = urllib.request.Request(
                live_server.url + path,
                data=body,  # noqa: S310
                headers={"Referer": live_server.url + path},
            )
            return opener.open(request)

        opener.open(f"{live_server.url}/surveys/i/{token}/").read()
        post("/surveys/short-test/", {})
        post("/surveys/short-test/page/1/", {"q-colour": "red"})
        post("/surveys/short-test/page/3/", {"q-agree": "agree"})
        html = opener.open(live_server.url + "/surveys/short-test/check/").read().decode()
        key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
        return post, key

    prepared = [browser() for _ in range(4)]
    outcomes = _parallel(lambda p: p[0]("/surveys/short-test/check/", {"idempotency_key": p[1]}), prepared)
    urls = sorted(o.geturl() for o in outcomes)
    assert sum(u.endswith("/done/") for u in urls) == 1, urls
    assert Response.objects.filter(status="submitted").count() == 1
