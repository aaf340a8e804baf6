"""The page cache's backend (reporting/cache.py) stays bounded while counting its files rarely."""

from pathlib import Path

from reporting.cache import PageCache


def test_it_culls_now_and_then_and_stays_bounded(tmp_path: Path):
    cache = PageCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 200, "CULL_FREQUENCY": 2}})
    sizes = []
    for number in range(1000):
        cache.set(f"page-{number}", f"<p>{number}</p>", None)
        sizes.append(len(list(tmp_path.glob("*.djcache"))))
    assert cache.get("page-999") == "<p>999</p>"
    # culled: never more than MAX_ENTRIES plus the writes between two counts
    assert max(sizes) <= 200 + PageCache.cull_every
    assert sizes[-1] < 1000
    # and not on every write: it grows past MAX_ENTRIES between counts
    assert max(sizes) > 200
