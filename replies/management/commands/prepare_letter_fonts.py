"""Convert the letter fonts' outlines ahead of rendering (replies/letter/outlines.py).

    manage.py prepare_letter_fonts [--jobs N]

A Fandol face takes 15–40 s; the faces are converted side by side (``--jobs``, default the
number of processors) into the per-user font cache. Faces already converted are skipped, so a
second run takes a second. Renders print a face that is not yet converted as it is.
"""

import os
import time
from concurrent.futures import ProcessPoolExecutor

from django.core.management.base import BaseCommand

from replies.letter import fonts, outlines


def _prepare(font) -> tuple[str, bool, float]:
    started = time.perf_counter()
    made = outlines.prepare(fonts.font_program(font))
    return font.family, made, time.perf_counter() - started


class Command(BaseCommand):
    help = "Convert the letter fonts' outlines ahead of rendering (smaller PDFs)."

    def add_arguments(self, parser):
        parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)

    def handle(self, *args, jobs, **options):
        if outlines.grid() < 1:
            self.stdout.write("prepare_letter_fonts: JIANYI_LETTER_OUTLINE_GRID is 0, nothing to do")
            return
        faces = fonts.convertible_faces()
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
            results = list(pool.map(_prepare, faces))
        for family, made, seconds in results:
            if made:
                self.stdout.write(f"  {family}: converted in {seconds:.1f} s")
        made = sum(1 for _family, was_made, _seconds in results if was_made)
        self.stdout.write(
            f"prepare_letter_fonts: faces={len(faces)} converted={made} seconds={time.perf_counter() - started:.1f}"
        )
