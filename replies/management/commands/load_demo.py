from django.core.management.base import BaseCommand

from replies.demo.loader import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the seed documents and demo logins. Running it again changes nothing."

    def handle(self, *args, **options):
        created = load_demo(self.stdout)
        if created:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded ({created} records). Password for every demo login: {DEMO_PASSWORD}"))
        else:
            self.stdout.write("Demo data already present; nothing changed.")
