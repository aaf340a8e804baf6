"""The `luoshi` command: a front end to Django's management commands."""

import os
import sys

#: what a shell reports for a program stopped by SIGPIPE (128 + 13)
EXIT_BROKEN_PIPE = 141


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["luoshi", *sys.argv[1:]])
        sys.stdout.flush()  # inside the try: a pipe closed early fails here, not at exit
    except BrokenPipeError:
        # The reader went away (`luoshi summary | head`): what it read is all it wanted, so
        # stop quietly, for every command. Python would flush stdout again at exit and print
        # the same error: point it at /dev/null first.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_BROKEN_PIPE)


if __name__ == "__main__":
    main()
