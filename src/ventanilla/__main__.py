"""The ``ventanilla`` command: Django's management commands with Ventanilla's settings."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
    import django
    from django.core.management import execute_from_command_line

    # A command is a door too: a refusal met inside one of its transactions is written once the
    # command is over (see ventanilla.access.guards), so the apps are loaded first.
    django.setup()
    from ventanilla.access.guards import refusals_kept

    with refusals_kept():
        execute_from_command_line(["ventanilla", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
