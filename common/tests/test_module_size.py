"""No module of the project is over 800 lines (style.md): a longer one is split by concern into a
package. Migrations are generated and left out; tests are not."""

from pathlib import Path

LIMIT = 800
ROOT = Path(__file__).resolve().parents[2]
LEFT_OUT = {".venv", "node_modules", "migrations", "__pycache__", "var", "test-artifacts"}


def project_modules() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.py")
        if not LEFT_OUT.intersection(path.relative_to(ROOT).parts)
        and not path.relative_to(ROOT).parts[0].startswith(".")
    ]


def test_the_walk_finds_the_project():
    names = {path.relative_to(ROOT).as_posix() for path in project_modules()}
    assert "manage.py" in names and "common/tests/test_module_size.py" in names
    assert not any("/migrations/" in name for name in names)


def test_no_module_over_800_lines():
    long = sorted(
        (lines, path.relative_to(ROOT).as_posix())
        for path in project_modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    )
    listed = ", ".join(f"{name} ({lines})" for lines, name in long)
    assert not long, f"modules over {LIMIT} lines, split them by concern: {listed}"
