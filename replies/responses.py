"""Responses the reply pages share: a PDF download, and the page for a render that took too long."""

import io
from pathlib import Path

from django.http import FileResponse
from django.shortcuts import render


def pdf_response(content_or_path, filename, *, inline=False):
    source = open(content_or_path, "rb") if isinstance(content_or_path, Path) else io.BytesIO(content_or_path)
    # FileResponse writes Content-Disposition with an RFC 5987 filename* for non-ASCII names.
    return FileResponse(source, as_attachment=not inline, filename=filename, content_type="application/pdf")


def too_slow_response(request, slow):
    """A render on request ran past its time limit (and was stopped): a page that says so."""
    return render(request, "429.html", {"message": str(slow)}, status=503)
