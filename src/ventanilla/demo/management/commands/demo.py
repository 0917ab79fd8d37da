"""``ventanilla demo``: migrate, seed the synthetic municipality, print the logins, serve.

Safe to run again: migrations and the seed skip what is already there.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Set up and serve a demo of Ventanilla with a synthetic municipality."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--citizens", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--no-serve", action="store_true", help="set up only, do not serve")
        parser.add_argument("--bind", default=settings.VENTANILLA_BIND)

    def handle(self, *args: Any, **options: Any) -> None:
        from ventanilla.demo.catalogue import DEMO_PASSWORD, DEMO_STAFF

        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed", citizens=options["citizens"], seed=options["seed"])
        from ventanilla.demo.surveys import demo_survey_ensure

        demo_survey_ensure()  # one open survey for the portal, loaded as an administration would
        from ventanilla.demo.debates import demo_debate_ensure

        demo_debate_ensure()  # a debate with a thread, and a reported comment to moderate
        from ventanilla.demo.budgets import demo_budget_ensure

        demo_budget_ensure()  # a participatory budget open to the vote, for the portal
        # The other agencies' registers the town holds are matched to its people, so that the
        # console shows linked records and a queue of likely duplicates to decide.
        self.stdout.write("Matching the other agencies' registers to the town's people…")
        call_command("identity", "match", "--operator", "demo", stdout=self.stdout)
        from ventanilla.demo.notices import ensure_demo_notices

        ensure_demo_notices()
        from ventanilla.demo.proposals import ensure_demo_proposals

        ensure_demo_proposals()  # residents' proposals, one owed an answer
        # The analysts' dashboards read the warehouse: built now, so they show the town's
        # figures at once rather than after the worker's first night (a refresh when run again).
        self.stdout.write("Building the analytical warehouse for the dashboards…")
        from ventanilla.warehouse.build import warehouse_build

        warehouse_build(progress=None)
        # The dashboards' map is drawn on the districts' boundaries; the demo town's are made up
        # (an administration brings its own file, which is never overwritten).
        from ventanilla.demo.boundaries import write_town_boundaries

        write_town_boundaries(Path(settings.VENTANILLA_DISTRICTS_GEOJSON))
        # And the open data the portal offers, as the nightly build publishes it.
        from ventanilla.warehouse.opendata import open_data_write

        open_data_write(directory=Path(settings.VENTANILLA_OPEN_DATA_DIR))
        # The same for the services that follow each other: the 360° view's suggestions and the
        # managers' report show at once.
        from ventanilla.associations.services import associations_mine

        associations_mine()
        # And the deadline-risk tree: its page and the open cases' risk show at once too.
        from ventanilla.risk.services import NotEnoughCases, risk_train

        try:
            risk_train()
        except NotEnoughCases as few:  # a town too small to learn from
            self.stdout.write(f"No deadline-risk model: {few}")
        address = f"http://{options['bind']}"
        lines = [
            "",
            f"Ventanilla demo for {settings.VENTANILLA_MUNICIPALITY}",
            f"  staff console   {address}/console/",
            f"  citizen portal  {address}/portal/",
            f"  API docs        {address}/api/v1/docs",
            f"  admin           {address}/admin/",
            f"Staff logins (password for all: {DEMO_PASSWORD}):",
        ]
        lines += [f"  {username:12} {description}" for username, description in DEMO_STAFF]
        lines += self.second_factor_lines()
        lines += self._citizen_lines(address)
        self.stdout.write("\n".join(lines) + "\n")
        if not options["no_serve"]:
            self.serve_with_worker(options["bind"])

    def serve_with_worker(self, bind: str) -> None:
        """Serve, with the background worker beside the web server (the daily retention run and
        what staff queue), and stop the worker when the server stops."""
        self.stdout.write("Starting the background worker (ventanilla worker)…")
        worker = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            [sys.executable, "-m", "ventanilla", "worker"],
            stdout=subprocess.DEVNULL,
        )
        try:
            call_command("serve", bind=bind)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()

    def second_factor_lines(self) -> list[str]:
        """Demo staff whose roles need a second factor get an authenticator app ready-made (in
        development only), so a tester adds the secret to their app instead of enrolling."""
        from ventanilla.demo.second_factors import demo_second_factors

        if settings.VENTANILLA_STAFF_SECOND_FACTOR == "off":
            return ["Second factor: off (VENTANILLA_STAFF_SECOND_FACTOR=off)."]
        if settings.VENTANILLA_PRODUCTION:
            return [
                "Staff who see personal data set up an authenticator app at their first sign-in."
            ]
        lines = [
            "",
            "Second factor: these accounts then ask for a 6-digit code. Add the secret (or the",
            "otpauth link, as a QR code) to an authenticator app such as FreeOTP or Aegis:",
        ]
        for username, enrolment in demo_second_factors():
            lines += [f"  {username:12} secret {enrolment.secret}", f"  {'':12} {enrolment.uri}"]
        return lines

    def _citizen_lines(self, address: str) -> list[str]:
        from ventanilla.demo.citizen import demo_citizen

        citizen = demo_citizen()
        if citizen is None:
            return []
        if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
            where = f"the sign-in link is written as a file to {settings.EMAIL_FILE_PATH}/"
        else:
            where = "the sign-in link is emailed through VENTANILLA_EMAIL_BACKEND"
        return [
            f"Citizen sign-in ({address}/portal/sign-in/), as {citizen.name}:",
            f"  DNI {citizen.dni}   email {citizen.email}",
            f"  {where}",
        ]
