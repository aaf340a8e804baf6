"""The page cache's backend: Django's file cache, shared by a server's worker processes."""

import itertools

from django.core.cache.backends.filebased import FileBasedCache


class PageCache(FileBasedCache):
    """Django's file cache that counts its files on one write in `cull_every`, not on each.

    Django lists the whole cache folder on every write to see whether it is full; with a
    thousand pages cached that listing cost more than writing the page. The folder may now
    pass MAX_ENTRIES by up to `cull_every` files per worker before it is culled."""

    cull_every = 64

    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._writes = itertools.count()

    def _cull(self):
        if next(self._writes) % self.cull_every == 0:
            super()._cull()
