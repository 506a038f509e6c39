"""The bounded cache a worker keeps what it renders or lays out in."""

from training.core.worker_cache import BoundedCache


def test_a_value_is_made_once_and_kept():
    made = []
    cache = BoundedCache(limit=10)

    def make(value):
        made.append(value)
        return value * 2

    assert cache.kept("a", lambda: make(1)) == 2
    assert cache.kept("a", lambda: make(5)) == 2  # kept, not made again
    assert made == [1]


def test_a_full_cache_is_emptied_before_taking_more():
    cache = BoundedCache(limit=3)
    for key in "abc":
        cache.kept(key, lambda key=key: key.upper())
    assert set(cache) == {"a", "b", "c"}
    assert cache.kept("d", lambda: "D") == "D"
    assert set(cache) == {"d"}
    assert cache.kept("a", lambda: "made again") == "made again"
