"""Generated files under MEDIA_ROOT (letters, exports), written so that a reader never sees half
a file and a retried job rewrites the same path instead of leaving a second file."""

import contextlib
import os
import tempfile
from pathlib import Path

from django.conf import settings


def media_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


@contextlib.contextmanager
def atomic_file(relative: str):
    """Yield a temporary path beside the target; on success it replaces the target in one step
    (after fsync), on failure it is removed and the target is untouched."""
    target = media_path(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    os.close(fd)
    try:
        yield Path(temp)
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_atomically(relative: str, content: bytes) -> Path:
    with atomic_file(relative) as temp:
        temp.write_bytes(content)
    return media_path(relative)
