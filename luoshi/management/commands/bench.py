"""`luoshi bench`: how long the main pages take on the current database (design §5).

Each page is requested in-process (Django's test client, logged in as the office, a leader and
a unit officer — the demo's `office`, `leader` and `zjj`), `--repeat` times after one warm-up;
p50/p95 wall time, the number of SQL queries and the size of the HTML are printed. In the same
run one hand-written SQL query computes the cockpit's per-unit figures (each task department's
target in force and money secured) straight from the receipts, and the cockpit's p50 is given
as a ratio to it. Reads only (the test client's log-in sessions are kept in memory).

The pages are timed as computed (the exact cache of `common/stamps.py` bypassed); the
cockpit and the workbench are timed once more as served from that cache ("…, cached").
"""

import json
import statistics
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import override_settings

from common import stamps
from funding.models import Receipt
from org.models import Unit
from org.period import office_period

# pages served from the exact cache of common/stamps.py (no write in between); every page
# of PAGES is timed as computed, with that cache bypassed
CACHED_PAGES = [
    ("cockpit (office), cached", "office", "/cockpit/"),
    ("cockpit (leader), cached", "leader", "/cockpit/"),
    ("workbench (unit officer), cached", "zjj", "/cockpit/workbench/"),
]
# (name, username, path); the cockpit of the office first: it is the ratio's numerator
PAGES = [
    ("cockpit (office)", "office", "/cockpit/"),
    ("cockpit (leader)", "leader", "/cockpit/"),
    ("workbench (unit officer)", "zjj", "/cockpit/workbench/"),
    ("unit drill-down (leader)", "leader", "/cockpit/unit/{unit}/"),
    ("receipts (office)", "office", "/funding/receipts/"),
    ("receipts by amount (office)", "office", "/funding/receipts/?sort=-amount"),
    ("receipts (leader)", "leader", "/funding/receipts/"),
    ("receipts (unit officer)", "zjj", "/funding/receipts/"),
    ("targets (office)", "office", "/funding/targets/"),
    ("projects (office)", "office", "/funding/projects/"),
    ("work items (office)", "office", "/policy/items/"),
    ("units (office)", "office", "/org/units/"),
    ("summary API (office)", "office", "/api/summary/"),
]

HAND_WRITTEN_SQL = """
SELECT u.id, u.code, u.name,
       COALESCE(
         (SELECT r.new_amount FROM funding_targetrevision r
           WHERE r.target_id = t.id AND r.effective_on <= %s
           ORDER BY r.effective_on DESC, r.id DESC LIMIT 1),
         (SELECT r.old_amount FROM funding_targetrevision r
           WHERE r.target_id = t.id ORDER BY r.id LIMIT 1),
         t.amount) AS target,
       COALESCE(s.secured, 0) AS secured
  FROM funding_target t
  JOIN org_unit u ON u.id = t.unit_id
  LEFT JOIN (SELECT unit_id, SUM(amount) AS secured FROM funding_receipt
              WHERE received_on >= %s AND received_on <= %s AND state = 'active'
              GROUP BY unit_id) s
         ON s.unit_id = t.unit_id
 WHERE t.year = %s
 ORDER BY u.sort_order, u.code
"""


def list_specs():
    """(name, path, ListSpec) of every list page (the office's view of them)."""
    from funding import lists as funding_lists
    from org.lists import UNITS
    from policy.lists import WORK_ITEMS

    return [
        ("receipts", "/funding/receipts/", funding_lists.RECEIPTS),
        ("projects", "/funding/projects/", funding_lists.PROJECTS),
        ("targets", "/funding/targets/", funding_lists.target_spec(can_edit=True)),
        ("guides", "/funding/guides/", funding_lists.GUIDES),
        ("contacts", "/funding/contacts/", funding_lists.CONTACTS),
        ("work items", "/policy/items/", WORK_ITEMS),
        ("units", "/org/units/", UNITS),
    ]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = "Time the main pages and the hand-written SQL on the current database."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--repeat", type=int, default=20)
        parser.add_argument(
            "--sorts",
            action="store_true",
            help="also time every sortable column of every list, both ways (the office)",
        )
        parser.add_argument(
            "--documents",
            action="store_true",
            help="also the bulletin (.docx, and .pdf with --pdf), its preview, a reserve "
            "project's page (luoshi/bench_documents.py)",
        )
        parser.add_argument("--pdf", action="store_true", help="with --documents: the PDF too")

    def handle(self, *args, format, repeat, sorts=False, documents=False, pdf=False, **options):
        if not 1 <= repeat <= 1000:
            raise CommandError("--repeat must be between 1 and 1000")
        users = {u.username: u for u in get_user_model().objects.filter(
            username__in={username for _n, username, _p in PAGES})}  # fmt: skip
        missing = {username for _n, username, _p in PAGES} - set(users)
        if missing:
            raise CommandError(
                f"no user {', '.join(sorted(missing))}: run `luoshi demo` (and `luoshi synth`)"
            )
        period = office_period()
        drill = users["leader"].leader.oversees.order_by("pk").values_list("pk", flat=True)
        drill_unit = drill.first() or Unit.objects.order_by("pk").values_list("pk", flat=True)[0]
        clients = {}
        pages = []
        with override_settings(
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
            SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
        ):
            for username, user in users.items():  # cookie sessions: nothing stored
                clients[username] = Client()
                clients[username].force_login(user)
            with stamps.bypassed():
                for name, username, path in PAGES:
                    path = path.format(unit=drill_unit)
                    pages.append(self._time_page(name, clients[username], path, repeat))
            for name, username, path in CACHED_PAGES:
                pages.append(self._time_page(name, clients[username], path, repeat))
            sorted_pages = []
            if sorts:
                for name, path, spec in list_specs():
                    for column in spec.columns:
                        if not column.sort:
                            continue
                        for key in (column.key, f"-{column.key}"):
                            sorted_pages.append(
                                self._time_page(
                                    f"{name} ?sort={key}",
                                    clients["office"],
                                    f"{path}?sort={key}",
                                    max(3, repeat // 4),
                                )
                            )
            documents_result = None
            if documents:
                from luoshi import bench_documents

                documents_result = bench_documents.measure(
                    clients["office"], period, repeat=max(1, repeat // 5), pdf=pdf
                )
        sql = self._time_sql(period, repeat)
        cockpit = pages[0]["p50_ms"]
        result = {
            "scale": {
                "units": Unit.objects.count(),
                "task_units": len(self._rows),
                "receipts": Receipt.objects.count(),
            },
            "database": connection.vendor,
            "period": {"year": period.year, "as_of": period.as_of.isoformat()},
            "repeat": repeat,
            "pages": pages,
            "sql_p50_ms": sql,
            "sorts": sorted_pages,
            "cockpit_vs_sql": round(cockpit / sql, 2) if sql else None,
        }
        if documents_result is not None:
            result["documents"] = documents_result
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        scale = result["scale"]
        self.stdout.write(
            f"{connection.vendor}: {scale['units']} units ({scale['task_units']} with a target), "
            f"{scale['receipts']} receipts; period {period.year} as of {period.as_of}; "
            f"{repeat} runs a page"
        )
        self.stdout.write(f"{'page':<30} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'KB':>7}")
        for page in pages:
            self.stdout.write(
                f"{page['name']:<30} {page['p50_ms']:>8.1f} {page['p95_ms']:>8.1f} "
                f"{page['queries']:>8} {page['bytes'] / 1024:>7.1f}"
            )
        if sorted_pages:
            slowest = max(sorted_pages, key=lambda page: page["p50_ms"])
            self.stdout.write(
                f"{len(sorted_pages)} sorts timed; slowest {slowest['name']}: p50 "
                f"{slowest['p50_ms']:.1f} ms, p95 {slowest['p95_ms']:.1f} ms"
            )
            for page in sorted(sorted_pages, key=lambda page: -page["p50_ms"])[:5]:
                self.stdout.write(f"  {page['name']:<40} {page['p50_ms']:>8.1f}")
        self.stdout.write(
            f"hand-written SQL p50 {sql:.1f} ms; cockpit (office) / SQL = "
            f"{result['cockpit_vs_sql']}×"
        )
        if documents_result is not None:
            from luoshi import bench_documents

            for line in bench_documents.lines(documents_result):
                self.stdout.write(line)

    def _time_page(self, name, client, path, repeat) -> dict:
        response = client.get(path)  # warm-up (and the check that it answers)
        if response.status_code != 200:
            raise CommandError(f"{path} answered {response.status_code} for {name}")
        times = []
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(path)
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        return {
            "name": name,
            "path": path,
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
            "queries": len(queries),
            "bytes": len(response.content),
        }

    def _time_sql(self, period, repeat) -> float:
        params = [period.as_of, period.start, period.as_of, period.year]
        times = []
        with connection.cursor() as cursor:
            for n in range(repeat + 1):
                started = time.perf_counter()
                cursor.execute(HAND_WRITTEN_SQL, params)
                rows = cursor.fetchall()
                if n:  # the first run warms the cache, as the pages' warm-up does
                    times.append((time.perf_counter() - started) * 1000)
        self._rows = rows
        return round(statistics.median(times), 1)
