import logging
import os
import signal
import subprocess
import sys
import threading

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

logger = logging.getLogger(__name__)

MAX_WORKERS = 32


class Command(BaseCommand):
    help = (
        "Serve the web app and print the URL and the demo logins: one process (waitress) by "
        "default, or --workers N processes (gunicorn's master supervises them)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help="threads per process (default: 8 for one process; 1 a worker with --workers)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="worker processes (1: waitress in this process; more: gunicorn)",
        )
        parser.add_argument(
            "--job-workers",
            type=int,
            default=1,
            help="background job workers started beside the web app (0: none, when "
            "`luoshi db_worker` runs on its own)",
        )

    def handle(self, *args, host, port, threads, workers, job_workers=1, **options):
        if not 1 <= workers <= MAX_WORKERS:
            raise CommandError(f"--workers must be between 1 and {MAX_WORKERS}")
        if threads is None:
            # several workers: one thread each (threads of a process share one interpreter
            # lock; measured p99 548 ms against 1.8 s with 8, docs/deploy.md §3); one process
            # alone needs threads to answer more than one request at a time
            threads = 1 if workers > 1 else 8
        if not 1 <= threads <= 64:
            raise CommandError("--threads must be between 1 and 64")
        if not 1 <= port <= 65535:
            raise CommandError("--port must be between 1 and 65535")
        if not 0 <= job_workers <= 8:
            raise CommandError("--job-workers must be between 0 and 8")
        from ledger import storage

        storage.cleanup()  # uploaded ledgers older than a day go, even without an upload
        how = "1 process" if workers == 1 else f"{workers} worker processes (gunicorn)"
        self.stdout.write(
            f"Luoshi is running at http://{host}:{port}/  ({how}, {threads} threads each; "
            "Ctrl+C to stop)"
        )
        self._print_demo_logins()
        self.stdout.flush()
        # No connection may be shared by forked workers.
        connections.close_all()
        stop = start_anchoring(settings.AUDIT_ANCHOR_INTERVAL)
        job_processes = [start_job_worker() for _ in range(job_workers)]
        try:
            if workers == 1:
                from waitress import serve

                from luoshi.wsgi import application

                # SIGTERM (systemd's stop) ends waitress through this `finally`, which waits
                # for an anchoring under way and stops the job workers, instead of killing the
                # process mid-way
                signal.signal(signal.SIGTERM, _exit)
                serve(application, host=host, port=port, threads=threads, ident="luoshi")
            else:
                serve_with_gunicorn(host=host, port=port, workers=workers, threads=threads)
        finally:
            stop()
            for process in job_processes:
                stop_job_worker(process)

    def _print_demo_logins(self) -> None:
        from demo import data

        names = [row[0] for row in data.DEMO_USERS]
        present = set(
            get_user_model().objects.filter(username__in=names).values_list("username", flat=True)
        )
        if not present:
            return
        self.stdout.write(f"Demo logins (password {data.DEMO_PASSWORD}):")
        for username, full_name, role, *_ in data.DEMO_USERS:
            if username in present:
                self.stdout.write(f"  {username:<10} {role:<15} {full_name}")


def _exit(signum, frame) -> None:
    raise SystemExit(0)


def start_anchoring(interval: int):
    """Anchor the audit trail now and every `interval` seconds (audit.anchors.anchor_trail)
    in a thread of this process: with gunicorn this is the master, whose forked workers do
    not inherit the thread, so one process anchors however many workers serve. The thread
    holds a database connection only while it anchors. Returns the function that stops it
    (waiting for an anchoring under way, so a stop never leaves an event without its line)."""
    from audit.anchors import anchor_trail
    from audit.context import acting_as, system_actor

    stopping = threading.Event()

    def run() -> None:
        with acting_as(system_actor("serve")):
            while True:
                try:
                    report = anchor_trail()
                    if not report.ok:
                        logger.error(
                            "audit trail broken at event %s: %s; nothing anchored",
                            report.bad_id,
                            report.problem,
                        )
                except Exception:
                    logger.exception("anchoring the audit trail failed")
                finally:
                    connections.close_all()  # this thread's only
                if stopping.wait(interval):
                    return

    thread = threading.Thread(target=run, name="luoshi-audit-anchor", daemon=True)
    thread.start()

    def stop() -> None:
        stopping.set()
        thread.join(timeout=30)

    return stop


def start_job_worker() -> subprocess.Popen:
    """The background job worker (django-tasks' database worker) as a process of its own: a
    job runs outside every web request, so no request waits for it and no web worker's
    timeout ever cuts it short."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "luoshi.cli",
            "db_worker",
            "--queue-name",
            "*",
            "--interval",
            "1",
            "--no-reload",
            "--no-startup-delay",
            "--verbosity",
            "0",
        ],
        env=os.environ.copy(),
    )


def stop_job_worker(process: subprocess.Popen, grace: float = 30) -> None:
    """Ask the worker to stop after its current job (SIGTERM); stop it outright after
    `grace` seconds (a LibreOffice conversion it runs goes with it: docx_to_pdf)."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.terminate()  # the worker's second signal ends its job (and cleans up)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def serve_with_gunicorn(*, host: str, port: int, workers: int, threads: int) -> None:
    """gunicorn in this process as the master: it starts `workers` processes of `threads`
    threads, restarts one that dies or hangs (timeout), recycles each after some thousand
    requests, and stops them gracefully on SIGTERM (what systemd sends)."""
    from gunicorn.app.base import BaseApplication

    from luoshi.wsgi import application

    warm_up()

    class Luoshi(BaseApplication):
        def load_config(self):
            settings = {
                "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread" if threads > 1 else "sync",
                "timeout": 60,
                "graceful_timeout": 30,
                "keepalive": 5,
                "max_requests": 5000,
                "max_requests_jitter": 500,
                "preload_app": True,
                "proc_name": "luoshi",
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "warning",
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self):
            return application

    Luoshi().run()


def warm_up() -> None:
    """Load here, once, what every forked worker would otherwise load on its own when it
    first needs it (and again each time gunicorn recycles it): the word list guide matching
    segments with (about a second and tens of MB apiece), the URL patterns, both languages'
    translations and every template compiled."""
    from pathlib import Path

    from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
    from django.urls import get_resolver
    from django.utils import translation

    from funding.matching import tokenizer

    tokenizer()
    get_resolver().url_patterns  # noqa: B018 — imports every urls.py
    for language in ("zh-hans", "en"):
        with translation.override(language):
            translation.gettext("Workbench")
    engine = engines["django"]
    for folder in engine.template_dirs:
        for path in Path(folder).rglob("*.html"):
            try:
                engine.get_template(str(path.relative_to(folder)))
            except (TemplateDoesNotExist, TemplateSyntaxError):
                continue  # a fragment that is not a template of its own; met at its first use
