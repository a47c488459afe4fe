"""The one rate limiter every public form uses (feedback, surveys, youth forum, newsletter), the
one answer to "who is asking" behind a proxy, and the per-account slow-down for sign-in.

A fixed window per (scope, client) in the shared Django cache, so all web processes count
together. Keys are hashed: no IP or email address is kept in the cache. While the cache is
down `portal.cache` makes the count start again from one, so limits fail open rather than
turning every form into an error page (see that module). Sign-in and sign-up are limited per
connection by django-allauth's own `ACCOUNT_RATE_LIMITS`, which asks `client_ip` too (through
`portal.adapters.AccountAdapter.get_client_ip`).
"""

import hashlib
import ipaddress
import math
import time
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request) -> str:
    """The address of the person, not of our own proxy.

    `X-Forwarded-For` is believed only when the connection itself comes from an address in
    `TRUSTED_PROXIES` (settings): anyone can send the header, so from any other peer it is
    ignored. The list is read from the right (the hop nearest us), skipping our own proxies;
    the first address that is not one of them is the client's. A malformed entry stops the
    walk there, and that hop's address is used, so a forged value never wins.
    """
    peer = request.META.get("REMOTE_ADDR", "") or "unknown"
    if not settings.TRUSTED_PROXIES or not _is_trusted_proxy(peer):
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    client = peer
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break
        client = hop
        if not _is_trusted_proxy(hop):
            break
    return client


def client_key(request) -> str:
    """Who is asking, for the per-connection limits on public forms."""
    return client_ip(request)


def _key(scope: str, client: str) -> str:
    return f"rl:{scope}:{hashlib.sha256(client.encode()).hexdigest()[:32]}"


def allow(*, scope: str, client: str, limit: int, window: int) -> bool:
    """Count one action for `client` in `scope`; False once it is over `limit` in `window` seconds."""
    key = _key(scope, client)
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr, or the cache is down
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


# --- Signing in: per account, slow down rather than lock out --------------------------------
#
# The per-connection limit (ACCOUNT_RATE_LIMITS["login_failed"]) stops one address guessing.
# A per-account *lock* would let anyone shut a named person out by typing wrong passwords, so
# per account we only slow down: once an account has had LOGIN_ACCOUNT_SLOWDOWN_AFTER failures
# (from any addresses) in LOGIN_ACCOUNT_WINDOW seconds, each further attempt must wait a delay
# that doubles with every failure, up to LOGIN_ACCOUNT_MAX_DELAY seconds. Guessing from many
# addresses is cut to about one try a minute; the owner is told to wait seconds, not locked out.


def _login_state_key(login: str) -> str:
    return _key("login-account", login.strip().lower())


def login_account_wait(login: str, *, now: float | None = None) -> int:
    """Seconds the next sign-in attempt for `login` must still wait (0: go ahead)."""
    state = cache.get(_login_state_key(login))
    if not state:
        return 0
    failures, last = state
    over = failures - settings.LOGIN_ACCOUNT_SLOWDOWN_AFTER
    if over < 0:
        return 0
    delay = min(2**over, settings.LOGIN_ACCOUNT_MAX_DELAY)
    now = time.time() if now is None else now
    return max(0, math.ceil(last + delay - now))


def login_account_failed(login: str, *, now: float | None = None) -> None:
    """Count one failed sign-in for `login` (any address)."""
    key = _login_state_key(login)
    state = cache.get(key) or (0, 0.0)
    now = time.time() if now is None else now
    cache.set(key, (state[0] + 1, now), timeout=settings.LOGIN_ACCOUNT_WINDOW)
