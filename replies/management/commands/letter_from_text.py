from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from proposals.numerals import chinese_date
from replies.letter import cc_line, render_letter_pdf
from replies.letter.parse import REASONS, parse_letter_text

LABELS = {
    "kind": "kind",
    "category_mark": "category mark (类别标记)",
    "authority_mark": "authority mark (发文机关标志)",
    "document_number": "document number (发文字号)",
    "signer": "signer (签发人)",
    "title": "title (标题)",
    "salutation": "salutation (称呼)",
    "body": "body (正文)",
    "signing_bureau": "signing bureau (落款)",
    "date": "date (成文日期)",
    "contact_name": "contact (联系人)",
    "contact_phone": "phone (联系电话)",
    "disclosure": "disclosure (公开属性)",
    "cc": "cc (抄送)",
    "printing": "印发 line (left out of the letter)",
}


def read_text(path: Path) -> str:
    """UTF-8 (with or without a BOM), else GB18030, as Word saves plain text on Chinese Windows."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CommandError(f"{path} is neither UTF-8 nor GB18030 text")


class Command(BaseCommand):
    help = (
        "Read the plain text of a published reply or co-handling opinion, print the fields found "
        "and the lines it could not place, and render it as the official letter (PDF)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the pasted text, e.g. reply.txt (UTF-8 or GB18030)")
        parser.add_argument("--out", help="where to write the PDF (default: FILE with .pdf)")

    def handle(self, *args, file, out, **options):
        path = Path(file)
        try:
            text = read_text(path)
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror or error}") from error
        parsed = parse_letter_text(text)

        self.stdout.write(f"Found in {path}:")
        for name, value in parsed.found():
            self.stdout.write(f"  {LABELS[name]}: {self._show(name, value, parsed)}")
        missing = [LABELS[n] for n in ("title", "salutation", "signing_bureau", "date") if not getattr(parsed, n)]
        if missing:
            self.stdout.write(f"Not in the text: {', '.join(missing)}")
        if parsed.dropped:
            self.stdout.write(f"Dropped as furniture ({len(parsed.dropped)} lines):")
            for line in parsed.dropped:
                self.stdout.write(f"  line {line.number}: {line.text}  [{REASONS[line.reason]}]")
        if parsed.unplaced:
            self.stdout.write(self.style.WARNING(f"Could not place ({len(parsed.unplaced)} lines):"))
            for line in parsed.unplaced:
                self.stdout.write(f"  line {line.number}: {line.text}  [{REASONS[line.reason]}]")

        if not parsed.body.strip():
            raise CommandError(f"{path}: no body text found, nothing to render")
        target = Path(out) if out else path.with_suffix(".pdf")
        rendered = render_letter_pdf(parsed.letter())
        try:
            target.write_bytes(rendered.content)
        except OSError as error:
            raise CommandError(f"cannot write {target}: {error.strerror or error}") from error
        self.stdout.write(self.style.SUCCESS(f"{rendered.page_count} pages → {target}"))

    @staticmethod
    def _show(name, value, parsed) -> str:
        if name == "body":
            paragraphs = [line for line in value.split("\n") if line.strip(" \t\u3000")]
            return f"{len(paragraphs)} paragraphs, {len(value)} characters; first: {paragraphs[0][:40]}…"
        if name == "cc":
            return cc_line(value)
        if name == "date":
            return chinese_date(value)
        if name == "disclosure":
            return f"{value} ({parsed.disclosure_note})"
        return str(value)
