"""The official letter (GB/T 9704): LetterData in, PDF bytes out. No database, no files.

from replies.letter import LetterData, CcRecipient, render_letter_pdf
pdf = render_letter_pdf(LetterData(kind="reply", title=..., salutation=..., body=...))
pdf.content, pdf.page_count, pdf.sha256
uncovered_characters(letter)  # characters no font can print, to refuse before signing
"""

from .coverage import uncovered_characters
from .data import CcRecipient, LetterData, cc_line
from .fonts import ROLE_NAMES, ROLES, font_report, missing_roles
from .render import RenderedPdf, render_letter_html, render_letter_pdf

__all__ = [
    "ROLES",
    "ROLE_NAMES",
    "CcRecipient",
    "LetterData",
    "RenderedPdf",
    "cc_line",
    "font_report",
    "missing_roles",
    "render_letter_html",
    "render_letter_pdf",
    "uncovered_characters",
]
