"""Login timing benchmark: does a login answer as fast for an unknown or a locked account as for
a known one? Prints figures, asserts nothing.

    .venv/bin/python benchmarks/login_timing.py [--runs 20]

Sets up a throwaway SQLite database in a temporary LUOSHI_DATA_DIR with the production
password hasher (Argon2 at the settings' cost), creates a known and a locked account, and posts
the real login form through Django's test client `--runs` times for each case: the median and
the spread in milliseconds, and the median CPU time of this process (Argon2's threads
included), which a busy shared machine disturbs less than the wall time. Equal medians mean
the answer time tells nothing about an account.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="luoshi-login-bench-")
    os.environ["LUOSHI_DATA_DIR"] = folder
    os.environ["LUOSHI_ALLOWED_HOSTS"] = "testserver"
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from accounts.models import LoginState
    from org.services import create_person

    try:
        call_command("migrate", verbosity=0)
        password = "Bench#2024known"
        create_person(
            user=None, username="known", full_name="known", role="office", password=password
        )
        locked = create_person(
            user=None, username="locked", full_name="locked", role="office", password=password
        )
        # lock `locked` through the real path (one failure suffices here), then let the
        # known account fail as often as the benchmark needs without locking
        settings.LOGIN_MAX_FAILURES = 1
        Client().post("/login/", {"username": locked.username, "password": "Wrong#2024pass"})
        assert LoginState.objects.get(user=locked).locked_until is not None
        settings.LOGIN_MAX_FAILURES = 10**9
        cases = {
            "unknown user": ("nobody-here", "Wrong#2024pass"),
            "locked user": ("locked", "Wrong#2024pass"),
            "known user, wrong password": ("known", "Wrong#2024pass"),
            "known user, right password": ("known", password),
        }
        print(f"hasher: {settings.PASSWORD_HASHERS[0]}, {args.runs} runs each")
        for name, (username, secret) in cases.items():
            timings, cpu = [], []
            for _ in range(args.runs):
                client = Client()
                start, start_cpu = time.perf_counter(), time.process_time()
                client.post("/login/", {"username": username, "password": secret})
                timings.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
            print(
                f"{name:28s} median {statistics.median(timings):7.1f} ms"
                f"  (min {min(timings):.1f}, max {max(timings):.1f});"
                f" CPU median {statistics.median(cpu):7.1f} ms"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
