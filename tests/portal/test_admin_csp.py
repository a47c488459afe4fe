"""A Content-Security-Policy on the Wagtail admin and on served documents (security review,
issue 18): before, both were sent none at all."""

import pytest
from django.core.files.base import ContentFile

from portal.roles import Role
from tests.auth import sign_in

pytestmark = pytest.mark.django_db


def _directives(csp: str) -> dict[str, str]:
    return {part.split()[0]: " ".join(part.split()[1:]) for part in csp.split(";") if part.strip()}


def test_admin_pages_send_a_content_security_policy(client, make_user, site):
    sign_in(client, make_user(Role.ADMINISTRATOR, totp=True, is_superuser=True))
    for url in (
        "/admin/",
        f"/admin/pages/{site.pk}/",
        f"/admin/pages/{site.pk}/edit/",
        "/admin/documents/",
        "/admin/feedback/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        csp = _directives(response["Content-Security-Policy"])
        assert csp["object-src"] == "'none'"
        assert csp["base-uri"] == "'self'"
        assert csp["form-action"] == "'self'"
        assert csp["frame-ancestors"] == "'none'"  # as X-Frame-Options DENY
        assert csp["default-src"] == "'self'"
        assert "http" not in response["Content-Security-Policy"]  # nothing from elsewhere


def test_served_documents_are_sandboxed(client, settings, tmp_path, site):
    from wagtail.documents import get_document_model

    settings.MEDIA_ROOT = str(tmp_path)
    document = get_document_model().objects.create(
        title="Minutes", file=ContentFile(b"<script>alert(1)</script>", name="minutes.txt")
    )
    response = client.get(document.url)
    assert response.status_code == 200
    csp = _directives(response["Content-Security-Policy"])
    assert csp["default-src"] == "'none'"
    assert "sandbox" in csp
    assert csp["frame-ancestors"] == "'none'"
    # A page Django renders under /documents/ (here a 404) gets the public policy, so its
    # stylesheet still loads.
    missing = client.get("/documents/999999/nothing.pdf")
    assert missing.status_code == 404
    assert "style-src 'self'" in missing["Content-Security-Policy"]
