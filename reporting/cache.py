"""The page cache's backend: Django's file cache, shared by a server's worker processes."""

import fcntl
import hashlib
import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache.backends.filebased import FileBasedCache

#: lock files a server's workers share; a key takes one by its hash
LOCK_STRIPES = 64


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

    @contextmanager
    def computing(self, key: str) -> Iterator[None]:
        """Held while one worker computes the value of `key`: the other workers that miss it
        at the same moment wait and then read it, instead of all computing it. (After a
        write, every worker asks for the same new cockpit within milliseconds.) One of
        LOCK_STRIPES lock files, so unrelated keys rarely wait on each other; the lock goes
        with its process if that dies."""
        stripe = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % LOCK_STRIPES
        folder = os.path.join(self._dir, "locks")
        os.makedirs(folder, mode=0o700, exist_ok=True)
        fd = os.open(os.path.join(folder, f"{stripe:02d}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock
