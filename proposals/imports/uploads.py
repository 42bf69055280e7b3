"""Uploaded files between the preview and the confirmation: bounded while they arrive, kept
under MEDIA_ROOT/imports/ with a random name known only to the uploader's session, and swept
after a day."""

import secrets
import time
from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

FOLDER = "imports"
MAX_AGE_SECONDS = 24 * 3600
TOKEN_LENGTH = 32


class BoundedUploadHandler(FileUploadHandler):
    """Drops a file as soon as more than ``limit`` bytes of it arrive, instead of writing a huge
    upload to disk first; the view sees ``too_large`` and says so."""

    def __init__(self, request=None, limit: int | None = None):
        super().__init__(request)
        self.limit = limit if limit is not None else settings.IMPORT_MAX_UPLOAD_BYTES
        self.too_large = False
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            raise SkipFile()
        return raw_data  # on to the handler that stores it

    def file_complete(self, file_size):
        return None


def _folder() -> Path:
    folder = Path(settings.MEDIA_ROOT) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def upload_stage(upload) -> str:
    """Keep an uploaded file for its confirmation; returns the token that names it."""
    upload_sweep()
    token = secrets.token_hex(TOKEN_LENGTH // 2)
    with open(_folder() / f"{token}.xlsx", "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return token


def staged_path(token: str) -> Path | None:
    if not isinstance(token, str) or len(token) != TOKEN_LENGTH or not all(c in "0123456789abcdef" for c in token):
        return None
    path = _folder() / f"{token}.xlsx"
    return path if path.is_file() else None


def upload_discard(token: str) -> None:
    path = staged_path(token)
    if path is not None:
        path.unlink(missing_ok=True)


def upload_sweep(now: float | None = None) -> None:
    now = now or time.time()
    for path in _folder().glob("*.xlsx"):
        try:
            if now - path.stat().st_mtime > MAX_AGE_SECONDS:
                path.unlink(missing_ok=True)
        except FileNotFoundError:
            continue
