from django.core.management.base import CommandError

from audit.commands import SystemCommand
from demo.synth import SynthRefused, synthesise


class Command(SystemCommand):
    help = (
        "Add province-scale synthetic data on top of the demo (test and benchmark data only; "
        "refused on a database holding anything else)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=3000)
        parser.add_argument("--receipts", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=2024)

    def handle(self, *args, units, receipts, seed, **options):
        if not 1 <= units <= 100_000:
            raise CommandError("--units must be between 1 and 100000")
        if not 0 <= receipts <= 20_000_000:
            raise CommandError("--receipts must be between 0 and 20000000")
        try:
            result = synthesise(units=units, receipts=receipts, seed=seed, stdout=self.stdout)
        except SynthRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Synthesised {result.counties} counties, {result.units} units, "
            f"{result.receipts} receipts, {result.projects} projects, {result.work_items} work "
            f"items, {result.milestones} milestones in {result.seconds:.1f} s."
        )
