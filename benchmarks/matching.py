"""Guide matching benchmark: hit@1 and hit@3 on the labelled set in benchmarks/data/.

    .venv/bin/python benchmarks/matching.py [--format text|json] [--show-misses]

For each of the set's guides, all its projects are ranked by `funding.matching.rank` (the
same function the guide page and `luoshi match_guides` use); a guide is a hit@k when one of
its relevant projects is among the first k. No database: the set is read into plain texts.
"""

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "matching_eval.json"


def load(path: Path = DATA):
    from funding.matching import GuideText, ProjectText

    data = json.loads(path.read_text(encoding="utf-8"))
    guides = [
        (
            GuideText(
                code=g["code"],
                title=g["title"],
                scope=g["scope"],
                conditions=g["conditions"],
                channel=g["channel"],
                level=g["level"],
                deadline=dt.date.fromisoformat(g["deadline"]),
                unit_codes=frozenset(g["units"]),
            ),
            set(g["relevant"]),
        )
        for g in data["guides"]
    ]
    projects = [
        ProjectText(
            code=p["code"],
            name=p["name"],
            description=p["description"],
            channel=p["channel"],
            level=p["level"],
            unit_code=p["unit"],
            plan_year=p["plan_year"],
        )
        for p in data["projects"]
    ]
    return guides, projects


def evaluate(guides, projects) -> dict:
    from funding.matching import _project_bag, rank

    bags = {p.code: _project_bag(p) for p in projects}
    hits1 = hits3 = 0
    misses = []
    for guide, relevant in guides:
        ranked = [m.project.code for m in rank(guide, projects, limit=3, bags=bags)]
        hit1 = bool(ranked[:1]) and ranked[0] in relevant
        hit3 = bool(relevant & set(ranked[:3]))
        hits1 += hit1
        hits3 += hit3
        if not hit1:
            misses.append({"guide": guide.code, "ranked": ranked, "relevant": sorted(relevant)})
    total = len(guides)
    return {
        "guides": total,
        "projects": len(projects),
        "hit_at_1": round(hits1 / total, 3),
        "hit_at_3": round(hits3 / total, 3),
        "misses": misses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    guides, projects = load()
    result = evaluate(guides, projects)
    # the same ranking with words alone (no channel, level or unit named by the guide)
    for guide, _relevant in guides:
        guide.channel, guide.level, guide.unit_codes = "", "", frozenset()
    words_only = evaluate(guides, projects)
    result["words_only"] = {k: words_only[k] for k in ("hit_at_1", "hit_at_3")}
    if args.format == "json":
        print(json.dumps(result, ensure_ascii=False))
        return
    print(
        f"matching: {result['guides']} guides, {result['projects']} projects — "
        f"hit@1 {result['hit_at_1']:.1%}, hit@3 {result['hit_at_3']:.1%}; "
        f"words alone: hit@1 {words_only['hit_at_1']:.1%}, hit@3 {words_only['hit_at_3']:.1%}"
    )
    if args.show_misses:
        for miss in result["misses"]:
            print(f"  {miss['guide']}: ranked {miss['ranked']}, relevant {miss['relevant']}")


if __name__ == "__main__":
    main()
