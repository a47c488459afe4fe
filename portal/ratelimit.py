"""The one rate limiter every public form uses (feedback, surveys, youth forum, newsletter).

A fixed window per (scope, client) in the shared Django cache, so all web processes count
together. Keys are hashed: no IP or email address is kept in the cache. While the cache is
down `portal.cache` makes the count start again from one, so limits fail open rather than
turning every form into an error page (see that module). Sign-in and sign-up are limited by
django-allauth's own `ACCOUNT_RATE_LIMITS`.
"""

import hashlib

from django.core.cache import cache


def client_key(request) -> str:
    """Who is asking: the address the proxy layer passes as REMOTE_ADDR (docs/operations.md)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def allow(*, scope: str, client: str, limit: int, window: int) -> bool:
    """Count one action for `client` in `scope`; False once it is over `limit` in `window` seconds."""
    key = f"rl:{scope}:{hashlib.sha256(client.encode()).hexdigest()[:32]}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr, or the cache is down
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit
