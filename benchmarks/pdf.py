"""How long the official letter takes to render, against plain WeasyPrint on the same HTML.

    .venv/bin/python benchmarks/pdf.py [--runs 7] [--cpu]

Renders the reply to No. 110 (the seed with the full header block, loaded by ``load_demo`` into
the benchmark database) after a warm-up and prints the median seconds of (a) the app's full path,
reading the signed reply from the database and rendering it as a worker does
(``replies.pdf.render_reply``), and (b) plain
``weasyprint.HTML(string=html).write_pdf()`` with a default font configuration on the same HTML,
then their ratio. Targets on a 2-core machine: ratio <= 1.3, app median <= 0.6 s.
The last line is machine-readable:

    pdf: app_median_s=0.412 plain_median_s=0.388 ratio=1.06
"""

import argparse
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jianyi_bench")


def median_seconds(fn: Callable[[], object], runs: int, *, warmup: int = 1) -> float:
    """Median wall-clock seconds of ``fn()`` over ``runs`` calls, after ``warmup`` calls."""
    return medians_interleaved({"fn": fn}, runs, warmup=warmup)["fn"]


def medians_interleaved(
    fns: dict[str, Callable[[], object]], runs: int, *, warmup: int = 1, clock=time.perf_counter
) -> dict[str, float]:
    """``median_seconds`` of several functions, called in turn (a, b, a, b, …) so that load
    from other processes on a shared machine falls on all of them alike.
    ``clock=time.process_time`` gives CPU seconds of this process instead."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            start = clock()
            fn()
            times[name].append(clock() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def seed_110_letter():
    """The reply to No. 110 as published: header block, no cc (the seed has none)."""
    from replies.demo.documents import REPLY_110, seed_letter
    from replies.letter import CcRecipient, LetterData

    seed = seed_letter(REPLY_110)
    return LetterData(
        kind="reply",
        title=seed.title,
        salutation=seed.salutation,
        body=seed.body,
        signing_bureau=seed.bureau or seed.authority_mark.removesuffix("文件"),
        date=seed.date,
        category_mark=seed.category_mark,
        authority_mark=seed.authority_mark,
        document_number=seed.document_number,
        signer=seed.signer,
        cc=tuple(CcRecipient(c.name, c.is_person) for c in seed.cc),
    )


def demo_reply_110():
    """The signed reply to No. 110 from the demo data (created here if the database lacks it)."""
    from django.core.management import call_command

    from replies.models import Reply

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))
    return Reply.objects.get(assignment__proposal__number=110, assignment__proposal__session__term=18,
                             assignment__proposal__session__number=1, round=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--cpu", action="store_true", help="also CPU seconds (steadier on a busy machine)"
    )
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from export import ensure_database

    ensure_database()
    import django

    django.setup()
    # WeasyPrint logs each layout step at INFO; that is noise here (and costs time).
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

    from weasyprint import HTML

    from replies import pdf
    from replies.letter import render_letter_html

    reply_110 = demo_reply_110()

    def app_path():
        reply = pdf.Reply.objects.select_related(
            "assignment__proposal__session", "assignment__proposal__lead_deputy", "bureau", "signer"
        ).get(pk=reply_110.pk)
        return pdf.render_reply(reply)

    html = render_letter_html(pdf.reply_letter(reply_110))
    assert pdf.reply_letter(reply_110).body == seed_110_letter().body

    start = time.perf_counter()
    first = app_path()
    print(
        f"first render (fonts loaded once per process): {time.perf_counter() - start:.3f} s, "
        f"{first.page_count} pages, {first.size} bytes"
    )

    contenders = {
        "app": app_path,
        "plain": lambda: HTML(string=html).write_pdf(),
    }
    if args.cpu:
        cpu = medians_interleaved(contenders, args.runs, clock=time.process_time)
        print(f"cpu: app_median_s={cpu['app']:.3f} plain_median_s={cpu['plain']:.3f}")
    medians = medians_interleaved(contenders, args.runs)
    app, plain = medians["app"], medians["plain"]
    print(f"pdf: app_median_s={app:.3f} plain_median_s={plain:.3f} ratio={app / plain:.2f}")


if __name__ == "__main__":
    main()
