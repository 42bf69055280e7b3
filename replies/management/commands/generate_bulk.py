import datetime

from django.core.management.base import BaseCommand, CommandError

from replies.bulk import generate_bulk, other_data


class Command(BaseCommand):
    help = (
        "Write a large fake history (ten years, bureaus, deputies, replies, ratings, events) "
        "straight into the tables, for measuring pages. PostgreSQL only; inserts only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--proposals", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1, help="the same seed (and day) gives the same data")
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None,
                            help="the day the history ends (YYYY-MM-DD; default today)")
        parser.add_argument("--force", action="store_true",
                            help="add to a database that holds more than the demo data")

    def handle(self, *args, proposals, seed, today, force, **options):
        if proposals < 1:
            raise CommandError("--proposals must be at least 1")
        found = other_data()
        if found and not force:
            raise CommandError(
                "This database holds more than the demo data (" + ", ".join(found) + "). "
                "generate_bulk only adds rows and never deletes, but it is meant for a database of its "
                "own (createdb …, migrate, load_demo, generate_bulk). Use --force to add to this one anyway."
            )
        self.stdout.write(f"generating {proposals} proposals (seed {seed})…")
        counts = generate_bulk(proposals=proposals, seed=seed, today=today, stdout=self.stdout)
        for name, seconds in counts.seconds.items():
            rows = counts.rows.get(name)
            self.stdout.write(f"  {name}: {seconds:.1f} s" + (f", {rows} rows" if rows else ""))
        self.stdout.write(self.style.SUCCESS(f"generate_bulk: proposals={proposals} seconds={counts.seconds['total']:.1f}"))
