from django.core.management.base import BaseCommand, CommandError

from proposals.imports.command import EPILOG, importer_find, result_report
from proposals.imports.proposal_import import proposals_import
from proposals.imports.sessions import session_find


class Command(BaseCommand):
    help = "Import a session's proposals from an .xlsx file (all rows or none); see the README."

    def create_parser(self, prog_name, subcommand, **kwargs):
        return super().create_parser(prog_name, subcommand, epilog=EPILOG, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx file (header row: 编号, 标题, 领衔代表, …)")
        parser.add_argument("--session", required=True, help="e.g. 18-2, 十八届二次, 市十八届人大二次会议")
        parser.add_argument("--body", default="", choices=["", "npc", "cppcc"], help="人大 (npc) or 政协 (cppcc), when both have that session")
        parser.add_argument("--by", default="", help="username of the congress officer or admin importing")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")

    def handle(self, *args, file, session, body, by, dry_run, **options):
        try:
            found = session_find(session, body)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        user = importer_find(by)
        result = proposals_import(by=user, session=found, source=file, dry_run=dry_run)
        self.stdout.write(f"{found.name}：")
        result_report(self, result, noun="件建议", dry_run=dry_run)
