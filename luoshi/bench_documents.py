"""`luoshi bench --documents`: what issue 21 measured at a province's size — the bulletin as
.docx and .pdf (time, size, pages), its preview page, a reserve project's page. The ledger
import into an empty and a filled database is `benchmarks/ledger.py [--into DIR]`."""

import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from common import stamps


def measure(client, period, *, repeat: int, pdf: bool) -> dict:
    from funding.choices import Stage
    from funding.models import Project
    from supervision.bulletin import bulletin_content
    from supervision.documents import docx_to_pdf, render_bulletin_docx

    out: dict = {}
    times, data = [], b""
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        data = render_bulletin_docx(bulletin_content(period))
        times.append(time.perf_counter() - started)
    out["bulletin_docx"] = {"p50_s": round(statistics.median(times), 2), "bytes": len(data)}
    if pdf:
        started = time.perf_counter()
        made = docx_to_pdf(data)
        out["bulletin_pdf"] = {
            "s": round(time.perf_counter() - started, 1),
            "bytes": len(made),
            "pages": _pages(made),
        }
    query = f"?year={period.year}&as_of={period.as_of.isoformat()}"
    out["bulletin_preview"] = _page(client, f"/supervision/bulletins/preview/{query}", repeat)
    project = Project.objects.filter(stage=Stage.RESERVE).order_by("-pk").first()
    if project is not None:
        path = f"/funding/projects/{project.pk}/"
        out["reserve_project_page"] = _page(client, path, repeat)
        with stamps.bypassed():  # as the first view after a write
            out["reserve_project_page_computed"] = _page(client, path, repeat)
    return out


def _page(client, path: str, repeat: int) -> dict:
    response = client.get(path)  # warm-up
    times = []
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "path": path,
        "status": response.status_code,
        "p50_ms": round(statistics.median(times), 1),
        "bytes": len(response.content),
    }


def _pages(pdf: bytes) -> int | None:
    if shutil.which("pdfinfo") is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "b.pdf"
        path.write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    for line in info.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


def lines(result: dict) -> list[str]:
    docx = result["bulletin_docx"]
    out = [f"bulletin .docx: {docx['p50_s']:.2f} s, {docx['bytes'] / 1024:,.0f} KB"]
    if "bulletin_pdf" in result:
        made = result["bulletin_pdf"]
        out.append(
            f"bulletin .pdf: {made['s']:.1f} s, {made['bytes'] / 1024:,.0f} KB, "
            f"{made['pages']} pages"
        )
    for key in ("bulletin_preview", "reserve_project_page", "reserve_project_page_computed"):
        if key in result:
            page = result[key]
            out.append(f"{key}: p50 {page['p50_ms']:.1f} ms, {page['bytes'] / 1024:,.1f} KB")
    return out
