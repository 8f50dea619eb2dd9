"""The cache's Redis pool: one per process and URL, however many cache objects Django makes."""

from django.core.cache.backends.redis import RedisCache

POOL = {"pool_class": "tidewire.redis_pools.SharedConnectionPool"}


def _cache(url):
    return RedisCache(url, {"OPTIONS": POOL})


def test_cache_objects_for_one_url_share_one_pool_and_connection(redis_server):
    first, second = _cache(redis_server.url), _cache(redis_server.url)
    first.set("tidewire-test-key", "kept", 30)
    assert second.get("tidewire-test-key") == "kept"  # a real round trip through Redis
    pool = first._cache._get_connection_pool(write=True)
    assert second._cache._get_connection_pool(write=True) is pool
    assert second._cache._get_connection_pool(write=False) is pool  # one server: one pool
    # Both round trips went over the one connection the pool made.
    assert pool._created_connections == 1


def test_another_url_gets_its_own_pool(redis_server):
    other = redis_server.url.rsplit("/", 1)[0] + "/5"
    assert _cache(other)._cache._get_connection_pool(write=True) is not _cache(
        redis_server.url
    )._cache._get_connection_pool(write=True)
