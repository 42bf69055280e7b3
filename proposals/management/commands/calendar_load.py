from django.core.management.base import BaseCommand, CommandError

from proposals.calendar import CalendarUnknown, calendar_load


class Command(BaseCommand):
    help = "Load public holidays and 调休 working days from the chinesecalendar package."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", help="a year (repeatable); default: all known")

    def handle(self, *args, year=None, **options):
        try:
            added = calendar_load(year)
        except CalendarUnknown as missing:
            raise CommandError(f"the chinesecalendar package does not know {missing.year} yet: enter it in the admin") from None
        for y, n in added.items():
            self.stdout.write(f"{y}: {n} days added")
