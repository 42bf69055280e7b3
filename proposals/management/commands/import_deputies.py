from django.core.management.base import BaseCommand

from proposals.imports.command import EPILOG, importer_find, result_report
from proposals.imports.deputy_import import deputies_import


class Command(BaseCommand):
    help = "Import the deputies' roster from an .xlsx file (姓名, 代表团, 联系电话, 联系地址, 登录名); all rows or none."

    def create_parser(self, prog_name, subcommand, **kwargs):
        return super().create_parser(prog_name, subcommand, epilog=EPILOG, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx file")
        parser.add_argument("--by", default="", help="username of the congress officer or admin importing")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")

    def handle(self, *args, file, by, dry_run, **options):
        user = importer_find(by)
        result = deputies_import(by=user, source=file, dry_run=dry_run)
        result_report(self, result, noun="名代表", dry_run=dry_run)
