"""``ventanilla serve``: the production-grade HTTP server (gunicorn) with Ventanilla's settings."""

from __future__ import annotations

import gc
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from gunicorn.app.base import BaseApplication


class VentanillaServer(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from django.urls import get_resolver

        from ventanilla.wsgi import application

        # Loaded once, before the workers are forked: the routes too, and then everything
        # loaded so far is set aside from the garbage collector (``gc.freeze``). A full
        # collection otherwise walks all of Django and the app each time, about a tenth of a
        # second, and a busy worker runs one every few large requests (a batch of a thousand
        # contacts: every other call). The workers also keep sharing those pages with the
        # master instead of copying them when the collector marks them.
        get_resolver().url_patterns  # noqa: B018 - imported now, not on the first request
        gc.freeze()
        return application


class Command(BaseCommand):
    help = "Serve the staff console, citizen portal and API with gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=settings.VENTANILLA_BIND)
        parser.add_argument("--workers", type=int, default=settings.VENTANILLA_WORKERS)
        parser.add_argument("--threads", type=int, default=1)
        parser.add_argument("--access-log", action="store_true", help="log every request")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(
            f"Serving on http://{options['bind']} with {options['workers']} workers (Ctrl+C stops)."
        )
        VentanillaServer(
            {
                "bind": options["bind"],
                "workers": options["workers"],
                "threads": options["threads"],
                "accesslog": "-" if options["access_log"] else None,
                "errorlog": "-",
                "loglevel": "warning",
                "timeout": 60,
                "graceful_timeout": 10,
                "preload_app": True,
                "proc_name": "ventanilla",
            }
        ).run()
