"""A child process group that cannot outlive the process that started it, however that one
ends: a job worker killed with SIGKILL (out of memory, `kill -9`, a container stopped) leaves
no LibreOffice rendering a PDF for nobody.

The group's leader is started in a session of its own (so that a timeout kills the whole
group, `soffice` and the `soffice.bin` it starts). Beside it a guard — one `sh`, in a session
of its own too — waits on a pipe whose only writing end this process holds. When this process
ends, by any signal, the kernel closes that end; the guard reads end-of-file and kills the
group. (PR_SET_PDEATHSIG would reach only the group's leader, not the children it starts.)
"""

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

# `read` returns at end of file, that is when the writing end is closed: when the work is over
# or its process has died. dash's `kill` takes a process group as "-PGID" (not "-- -PGID").
GUARD = 'read -r _; kill -9 "-$1" 2>/dev/null; exit 0'


@contextmanager
def group_dies_with_us(process: subprocess.Popen) -> Iterator[None]:
    """While inside, `process` (started with `start_new_session=True`) and its whole process
    group are killed if this process dies; on leaving, the guard kills what is left of the
    group (the caller has already ended it) and exits."""
    read_end, write_end = os.pipe()  # both not inherited by children (PEP 446)
    try:
        guard = subprocess.Popen(
            ["sh", "-c", GUARD, "luoshi-group-guard", str(process.pid)],
            stdin=read_end,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    finally:
        os.close(read_end)
    try:
        yield
    finally:
        os.close(write_end)
        try:
            guard.wait(timeout=10)
        except subprocess.TimeoutExpired:
            guard.kill()
            guard.wait()
