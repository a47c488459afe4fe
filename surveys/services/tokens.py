"""Link tokens: derived from a random nonce and SECRET_KEY, only their hash is stored
(docs/decisions/0031), and the site's own address for the links."""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.conf import settings

from ..models import Invitation, Response


def _token(purpose: str, nonce: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"surveys.{purpose}:{nonce}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def invitation_token(invitation: Invitation) -> str:
    return _token("invitation", invitation.nonce)


def response_token(response: Response) -> str:
    return _token("response", response.nonce)


def _site_url(path: str) -> str:
    return settings.SITE_BASE_URL.rstrip("/") + path
