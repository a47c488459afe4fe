"""The engagement team builds a "You said, we did" page from triaged feedback in the admin."""

import pytest

from portal.roles import Role
from tests.auth import sign_in

from .conftest import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, site, make_user):
    from portal.services import roles_sync

    roles_sync()
    sign_in(client, make_user(Role.ENGAGEMENT_TEAM, totp=True))
    return client


def test_build_page_from_triaged_feedback_then_edit(editor_client, yswd_index):
    a = make_item("Caseworker changed again.")
    b = make_item("Nobody told us who to call.", consent=False)
    hidden = make_item("At risk.", safeguarding=True)
    from feedback.models import FeedbackItem

    FeedbackItem.objects.filter(pk__in=[a.pk, b.pk, hidden.pk]).update(status="triaged")
    response = editor_client.get("/admin/you-said-we-did/build/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Caseworker changed again." in html and "At risk." not in html
    response = editor_client.post(
        "/admin/you-said-we-did/build/", {"title": "Named workers", "items": [a.pk, b.pk]}
    )
    assert response.status_code == 302
    from cms.models import YouSaidWeDidPage

    page = YouSaidWeDidPage.objects.get(title="Named workers")
    assert not page.live
    assert response["Location"] == f"/admin/pages/{page.pk}/edit/"
    assert editor_client.get(response["Location"]).status_code == 200


def test_public_cannot_build(client, site, make_user):
    sign_in(client, make_user(Role.PARENT_CARER))
    assert client.get("/admin/you-said-we-did/build/").status_code in (302, 403)
