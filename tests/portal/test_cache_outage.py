"""With Redis gone, the cache degrades instead of raising (a real Redis port with nothing on it)."""

import socket

import pytest

from portal.cache import ResilientRedisCache


@pytest.fixture
def dead_redis_cache():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return ResilientRedisCache(
        f"redis://127.0.0.1:{port}/0", {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}
    )


def test_reads_miss_and_writes_are_skipped_when_redis_is_down(dead_redis_cache):
    cache = dead_redis_cache
    assert cache.get("k", "default") == "default"
    assert cache.add("k", 1, 60) is False
    cache.set("k", 1, 60)
    with pytest.raises(ValueError):
        cache.incr("k")
    assert cache.get_many(["a", "b"]) == {}
    assert cache.delete("k") is False


def test_a_rate_limit_check_fails_open_during_an_outage(dead_redis_cache, monkeypatch):
    from portal import ratelimit
    from surveys import services

    monkeypatch.setattr(ratelimit, "cache", dead_redis_cache)
    assert services.client_rate_limit_check(client_key="127.0.0.1", action="start") is True
    assert ratelimit.allow(scope="newsletter", client="127.0.0.1", limit=1, window=60) is True
