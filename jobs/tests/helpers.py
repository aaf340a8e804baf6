"""What the job tests share: finding processes (a LibreOffice left running) by their command."""

from pathlib import Path


def processes_mentioning(text: str) -> list[int]:
    """The pids of the processes whose command line contains `text`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if text in cmdline:
                found.append(int(entry.name))
    return found
