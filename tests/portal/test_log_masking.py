"""Tokens and search terms never reach a log (security review, issue 18, finding 7).

A resume, sign-in, consent, reset or confirmation link works on its own: one in gunicorn's
access log or in Django's "Not Found: …" line would open a family's draft or a young person's
account for whoever reads the log. Search terms are what people typed.
"""

import datetime
import logging
import re
import runpy
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from gunicorn.config import Config

from config.gunicorn_logging import MaskingLogger
from portal.logmask import mask

SECRET = "Sekr3tT0ken-abc_XYZ"
TOKEN_PARAMS = {"token", "key"}
# Routes with a `key` that is no secret: a board pack chart's name (the pack needs two-factor).
NOT_SECRET = {"boardpacks:chart_data"}
SAMPLE = {"uidb36": "3x", "uidb64": "MTIz"}
GUNICORN_CONF = Path(__file__).resolve().parents[2] / "config/gunicorn.conf.py"


def _token_routes(resolver=None, namespace=""):
    """(reverse name, parameter names) for every URL in every urls.py that takes a token."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _token_routes(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            params = set(entry.pattern.regex.groupindex)
            if params & TOKEN_PARAMS and f"{namespace}{entry.name}" not in NOT_SECRET:
                yield f"{namespace}{entry.name}", params


def _token_urls() -> list[str]:
    urls = []
    for name, params in _token_routes():
        urls.append(reverse(name, kwargs={p: SAMPLE.get(p, SECRET) for p in params}))
    # Routes inside Wagtail pages (RoutablePageMixin), under the page's own path.
    from wagtail.contrib.routable_page.models import RoutablePageMixin
    from wagtail.models import get_page_models

    for model in get_page_models():
        if not issubclass(model, RoutablePageMixin):
            continue
        for pattern in model.get_subpage_urls():
            params = set(pattern.pattern.regex.groupindex)
            if params & TOKEN_PARAMS:
                path = model.get_resolver().reverse(pattern.name, **dict.fromkeys(params, SECRET))
                urls.append(f"/{model._meta.model_name}-slug/{path}")
    return urls


def test_every_token_route_is_found():
    """The walk above really finds the token routes (so a new one is covered by the tests)."""
    urls = _token_urls()
    for expected in (
        "/surveys/resume/",
        "/surveys/i/",
        "/surveys/unsubscribe/",
        "/youth-forum/consent/",
        "/youth-forum/sign-in/",
        "/accounts/password/reset/key/",
        "/accounts/confirm-email/",
        "/confirm/",
        "/unsubscribe/",
        "/admin/password_reset/confirm/",
    ):
        assert any(expected in url for url in urls), (expected, urls)


def test_mask_hides_every_token_in_paths_queries_and_referers():
    for url in _token_urls():
        for text in (
            url,
            f"GET {url}?page=2 HTTP/1.1",
            f"https://send.example.org{url}",
            f"/accounts/login/?next={url}",
            "/accounts/login/?next=" + url.replace("/", "%2F"),
        ):
            assert SECRET not in mask(text) and "MTIz" not in mask(text), text
            assert "***" in mask(text)
    # Search terms are masked; the rest of the URL is kept for whoever reads the log.
    assert mask("/search/?q=Jane+Smith+Year+4&page=2") == "/search/?q=***&page=2"
    assert mask("q=Jane&page=2") == "q=***&page=2"
    assert mask("/admin/feedback/?status=new&q=my+son+Tom") == "/admin/feedback/?status=new&q=***"
    # Ordinary paths are untouched.
    for url in (
        "/surveys/",
        "/surveys/school-travel/page/2/",
        "/youth-forum/sign-in/",
        "/you-said-we-did/?status=done&page=2",
        "/plan/objective/PAP2B_2/",
    ):
        assert mask(url) == url


def _gunicorn_line(tmp_path, environ, access_log_format=None) -> str:
    cfg = Config()
    log_file = tmp_path / "access.log"
    cfg.set("accesslog", str(log_file))
    if access_log_format:
        cfg.set("access_log_format", access_log_format)
    logger = MaskingLogger(cfg)

    class Response:
        status = "404 Not Found"
        sent = 1234
        headers = [("Content-Type", "text/html"), ("Location", environ["RAW_URI"])]

    class Request:
        headers = [("REFERER", environ.get("HTTP_REFERER", "-")), ("HOST", "send.example.org")]

    logger.access(Response(), Request(), environ, datetime.timedelta(seconds=0, microseconds=5000))
    for handler in logger.access_log.handlers:
        handler.flush()
    line = log_file.read_text()
    for handler in logger.access_log.handlers:
        handler.close()
    return line


@pytest.mark.parametrize(
    "fmt",
    [
        None,
        "%(r)s|%(U)s|%(q)s|%(f)s|%({referer}i)s|%({location}o)s|"
        "%({raw_uri}e)s|%({path_info}e)s|%({query_string}e)s",
    ],
)
def test_gunicorn_access_log_masks_every_token_url(tmp_path, fmt):
    for url in [*_token_urls(), "/search/"]:
        environ = {
            "REQUEST_METHOD": "GET",
            "RAW_URI": f"{url}?q=Jane+Smith",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "PATH_INFO": url,
            "QUERY_STRING": "q=Jane+Smith",
            "REMOTE_ADDR": "203.0.113.9",
            "HTTP_REFERER": f"https://send.example.org{url}",
            "HTTP_USER_AGENT": "test",
        }
        line = _gunicorn_line(tmp_path, environ, fmt)
        assert line.strip(), "nothing was logged"
        assert SECRET not in line and "Jane" not in line, line
        assert "***" in line
        if fmt is None:
            assert '"GET /' in line and " 404 " in line, line


def test_gunicorn_conf_uses_the_masking_logger():
    """The production config (read as gunicorn reads it) names the masking logger class."""
    settings = runpy.run_path(str(GUNICORN_CONF))
    cfg = Config()
    cfg.set("logger_class", settings["logger_class"])
    assert cfg.logger_class is MaskingLogger


@pytest.mark.django_db
def test_django_request_log_masks_a_404_on_a_token_path(caplog, site):
    client = Client()
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(f"/youth-forum/sign-in/{SECRET}/")
        assert response.status_code == 404
        assert client.get(f"/surveys/resume/{SECRET}/nothing-here/").status_code == 404
        assert client.get(f"/accounts/confirm-email/{SECRET}/no/").status_code == 404
    messages = [r.getMessage() for r in caplog.records if r.name == "django.request"]
    assert len(messages) == 3, messages
    assert all(SECRET not in m for m in messages), messages
    assert "Not Found: /youth-forum/sign-in/***/" in messages
    assert "Not Found: /surveys/resume/***/nothing-here/" in messages
    # And as the console handler formats them, the way the server's log file gets them.
    text = "\n".join(logging.Formatter("%(message)s").format(r) for r in caplog.records)
    assert SECRET not in text
    assert re.search(r"Not Found: /accounts/confirm-email/\*\*\*/no/", text)
