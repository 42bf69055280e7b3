import shutil

from django.core.management.base import BaseCommand, CommandError

from proposals.models import Session
from replies import exports


class Command(BaseCommand):
    help = "Export a session's signed replies as one ZIP of official-letter PDFs with index.xlsx."

    def add_arguments(self, parser):
        parser.add_argument("--session", required=True, help="term-session, e.g. 18-1")
        parser.add_argument("--out", required=True, help="where to write the ZIP")
        parser.add_argument("--body", default="npc", choices=["npc", "cppcc"], help="人大 (npc) or 政协 (cppcc)")
        parser.add_argument("--filter", default="", help="list filters as a query string, e.g. state=replied&bureau=3")

    def handle(self, *args, session, out, body, filter, **options):
        try:
            term, number = (int(part) for part in session.split("-"))
        except ValueError as exc:
            raise CommandError(f"--session must look like 18-1, not {session!r}") from exc
        found = Session.objects.filter(body=body, term=term, number=number).first()
        if found is None:
            raise CommandError(f"no session {session} ({body})")

        def progress(done, total):
            self.stdout.write(f"\r{done}/{total}", ending="")

        job = exports.export_run_here(by=None, session=found, query=filter, progress=progress)
        self.stdout.write("")
        shutil.copyfile(exports.export_path(job), out)
        self.stdout.write(self.style.SUCCESS(f"{job.total} replies → {out}"))
