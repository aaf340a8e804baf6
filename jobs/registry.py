"""The kinds of job, registered by the apps that own the work (in their `AppConfig.ready`),
so that this low app runs their work without importing them."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

Progress = Callable[[int, int, str], None]  # (done, total, what it is doing now)


@dataclass
class Outcome:
    """What a job made: a file to download (written to `path`, in the job's folder), or a
    page to go on to (`url`, e.g. the issued bulletin), and a sentence for the owner."""

    message: str = ""
    path: Path | None = None
    filename: str = ""
    content_type: str = "application/octet-stream"
    url: str = ""


@dataclass
class Kind:
    run: Callable  # run(job, progress, folder: Path) -> Outcome
    user_errors: tuple[type[BaseException], ...] = ()  # their message is for the owner


KINDS: dict[str, Kind] = {}


def register(name: str, run: Callable, *, user_errors: tuple = ()) -> None:
    KINDS[name] = Kind(run, tuple(user_errors))
