"""Letters rendered on request (draft previews, co-handling opinions, assignment notices, the
annual report), off the web process.

The render runs in a forked child process with a time limit: the web process only waits on a
pipe, so its other threads go on serving (no global render lock, no GIL held by WeasyPrint), and a
render that runs past ``JIANYI_PREVIEW_SECONDS`` is killed and the clerk told so. Signed letters are
never rendered here: workers render those once and downloads serve the stored file.
"""

import multiprocessing
import threading

from django.conf import settings
from django.utils.translation import gettext as _

from .letter import LetterData
from .letter.render import RenderedPdf


class PreviewTooSlow(Exception):
    """The render did not finish within the time limit (the child was killed)."""


class PreviewFailed(Exception):
    """The render raised in the child; the message is for the log, not for the user."""


def _in_child(pipe, render_fn, args, kwargs):
    from django.db import connections

    from .letter import render

    # The child has one thread: a lock another thread of the parent held at the fork is not ours,
    # and the parent's database connections are not ours either (forget them, never close them).
    render._render_lock = threading.Lock()
    for connection in connections.all(initialized_only=True):
        connection.connection = None
    try:
        pipe.send(("ok", render_fn(*args, **kwargs)))
    except Exception as error:  # reported to the parent, which raises PreviewFailed
        pipe.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        pipe.close()


def render_on_request(letter: LetterData, *, draft: bool, seconds: float | None = None) -> RenderedPdf:
    """The letter's PDF, rendered in a child process that is killed after ``seconds``."""
    from .letter import render

    return render_with_time_limit(render.render_letter_pdf, letter, draft=draft, seconds=seconds)


def render_with_time_limit(render_fn, *args, seconds: float | None = None, **kwargs) -> RenderedPdf:
    """``render_fn(*args, **kwargs)`` in a forked child killed after ``seconds``. Read what the
    render needs from the database before: the arguments are plain data."""
    limit = settings.PREVIEW_SECONDS if seconds is None else seconds
    context = multiprocessing.get_context("fork")  # the child starts with fonts already loaded
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_in_child, args=(send, render_fn, args, kwargs), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(limit):
            raise PreviewTooSlow(_("排版超过 %(n)s 秒仍未完成，已停止。请缩短正文或保存后分段预览。") % {"n": limit})
        try:
            status, value = receive.recv()
        except EOFError as died:  # the child died without answering (killed, out of memory)
            raise PreviewFailed(f"render process exited with {child.exitcode}") from died
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receive.close()
    if status != "ok":
        raise PreviewFailed(value)
    return value
