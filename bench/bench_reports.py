"""Documents: how long a person waits for printouts.

    .venv/bin/python bench/bench_reports.py [--pages 200] [--runs 3] [--paper letter]

* the blank checklists of every built-in form (what ``btam print forms`` builds);
* a case summary of about ``--pages`` pages: a demo vault (cheap key derivation) with one case
  holding enough timeline entries and notes to reach that length, built with progress;
* opening that summary in the preview: pypdfium2 loading the bytes and rendering page 1 at
  screen resolution (what the print preview shows first);
* the first look the preview shows while a long summary is laid out (page 1 built alone);
* a case with a 1 MB narrative in one paragraph, and one with a 1 MB note: full, abridged and
  first look (``--skip-long`` leaves them out);
* the process's peak memory (``ru_maxrss``).

Each time is the median of --runs. Targets on the reference machine: all blank checklists in
under 3 s; the 213-page summary in under 3 s; a 1 MB narrative in under 15 s; the preview's
first look within 1 s.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pypdfium2 as pdfium  # noqa: E402

from btam_desktop.domain.enums import (  # noqa: E402
    CaseSetting,
    InformationSource,
    NoteCategory,
    PathwayStage,
    PersonRole,
    Reliability,
    ReportChannel,
    TimelineCategory,
)
from btam_desktop.domain.forms import FormRegistry  # noqa: E402
from btam_desktop.domain.models import CaseNote, TimelineEntry  # noqa: E402
from btam_desktop.domain.types import utcnow  # noqa: E402
from btam_desktop.reports import build_blank_checklist, build_case_summary  # noqa: E402
from btam_desktop.services.app import Btam  # noqa: E402
from btam_desktop.services.cases import IntakeInput, PersonInput  # noqa: E402
from btam_desktop.services.demo import create_demo_vault  # noqa: E402
from btam_desktop.store.crypto import KdfParams  # noqa: E402

CHEAP = KdfParams(time_cost=1, memory_kib=8, parallelism=1)
# Measured: about 9 timeline rows and one long note per page on Letter.
ENTRIES_PER_PAGE = 9.0
_WORDS = [
    "hallway",
    "locker",
    "message",
    "threat",
    "weapon",
    "fight",
    "bus",
    "cafeteria",
    "online",
    "post",
    "friend",
    "argument",
    "teacher",
    "grade",
    "suspension",
    "anger",
    "joke",
    "apology",
    "rumor",
    "lunch",
    "parking",
    "practice",
    "schedule",
    "counselor",
    "meeting",
    "family",
    "stress",
    "worry",
    "video",
    "drawing",
    "notebook",
    "phone",
    "text",
    "group",
    "chat",
]


def page_count(pdf: bytes) -> int:
    doc = pdfium.PdfDocument(pdf)
    try:
        return len(doc)
    finally:
        doc.close()


def median_time(fn, runs: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def bench_checklists(paper: str, runs: int) -> None:
    registry = FormRegistry.load(None)
    forms = registry.forms()

    per_form: dict[str, list[float]] = {f.id: [] for f in forms}

    def build_all() -> list[bytes]:
        out = []
        for form in forms:
            start = time.perf_counter()
            out.append(
                build_blank_checklist(
                    form, "Benchmark team", paper=paper, scale=registry.scale_for(form)
                )
            )
            per_form[form.id].append(time.perf_counter() - start)
        return out

    seconds, pdfs = median_time(build_all, runs)
    assert isinstance(pdfs, list)
    pages = sum(page_count(p) for p in pdfs)
    slowest = max(forms, key=lambda f: statistics.median(per_form[f.id]))
    print(
        f"blank checklists: {len(forms)} forms, {pages} pages, {seconds:.2f} s "
        f"({seconds / pages * 1000:.0f} ms a page; slowest {slowest.id} "
        f"{statistics.median(per_form[slowest.id]):.2f} s)"
    )


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize() + "."


def fill_case(app: Btam, pages: int) -> int:
    """One case with enough records for about ``pages`` pages (bulk inserts: fast)."""
    rng = random.Random(2026)
    case = app.cases.report_concern(
        IntakeInput(
            received_at=utcnow() - timedelta(days=900),
            channel=ReportChannel.PHONE,
            narrative=_sentence(rng, 80),
            setting=CaseSetting.SCHOOL,
            title="Benchmark: a case followed for years",
            subjects=[PersonInput(PersonRole.SUBJECT, full_name="Bench Subject")],
        )
    )
    assert case.id is not None
    entries = int(pages * ENTRIES_PER_PAGE * 0.85)
    notes = max(10, pages // 8)
    stages = list(PathwayStage)
    account_id = app.actor.account_id
    with app.vault.write() as session:
        for n in range(entries):
            session.add(
                TimelineEntry(
                    case_id=case.id,
                    occurred_at=utcnow() - timedelta(days=900) + timedelta(hours=n * 13),
                    category=rng.choice(list(TimelineCategory)).value,
                    description=f"Entry {n}: " + _sentence(rng, rng.randint(15, 70)),
                    pathway_stage=rng.choice(stages).value if rng.random() < 0.2 else None,
                    source=rng.choice(list(InformationSource)).value,
                    obtained_how=_sentence(rng, 4),
                    reliability=rng.choice(list(Reliability)).value,
                    entered_by_id=account_id,
                )
            )
        for n in range(notes):
            body = "\n\n".join(_sentence(rng, rng.randint(30, 120)) for _ in range(3))
            session.add(
                CaseNote(
                    case_id=case.id,
                    category=rng.choice(list(NoteCategory)).value,
                    body=f"Note {n}. {body}",
                    author_id=account_id,
                )
            )
    return case.id


def bench_case_summary(pages: int, paper: str, runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="btam-bench-") as folder:
        app = create_demo_vault(Path(folder) / "vault", kdf_params=CHEAP)
        try:
            case_id = fill_case(app, pages)
            updates: list[int] = []

            def build() -> bytes:
                updates.clear()
                return build_case_summary(
                    app, case_id, paper=paper, progress=lambda d, t, m: updates.append(d)
                )

            seconds, pdf = median_time(build, runs)
            assert isinstance(pdf, bytes)
            count = page_count(pdf)
            print(
                f"case summary: {count} pages, {seconds:.2f} s "
                f"({seconds / count * 1000:.0f} ms a page), {len(pdf) / 1_048_576:.1f} MB, "
                f"{len(updates)} progress updates"
            )

            def first_page() -> None:
                doc = pdfium.PdfDocument(pdf)
                try:
                    page = doc[0]
                    image = page.render(scale=96 / 72).to_pil()
                    page.close()
                    assert image.width > 0
                finally:
                    doc.close()

            preview_seconds, _ = median_time(first_page, runs)
            print(f"preview: open and render page 1 at 96 dpi: {preview_seconds * 1000:.0f} ms")

            def first_look() -> None:
                # what the preview shows while the whole summary is laid out
                quick = build_case_summary(app, case_id, paper=paper, first_page_only=True)
                doc = pdfium.PdfDocument(quick)
                try:
                    page = doc[0]
                    page.render(scale=96 / 72).to_pil()
                    page.close()
                finally:
                    doc.close()

            look_seconds, _ = median_time(first_look, runs)
            print(f"preview first look: build page 1 and render it: {look_seconds * 1000:.0f} ms")
        finally:
            app.lock()


def _megabyte_text(rng: random.Random, *, one_paragraph: bool, size: int = 1_000_000) -> str:
    """About ``size`` characters of plain sentences; one huge paragraph or many."""
    parts: list[str] = []
    total = 0
    while total < size:
        part = _sentence(rng, rng.randint(12, 40))
        parts.append(part)
        total += len(part) + 1
    if one_paragraph:
        return " ".join(parts)
    return "\n\n".join(" ".join(parts[i : i + 8]) for i in range(0, len(parts), 8))


def bench_long_texts(paper: str, runs: int) -> None:
    """A case whose narrative is 1 MB in one paragraph, another with a 1 MB note: full and
    abridged printing, and the multi-script demo case."""
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="btam-bench-") as folder:
        app = create_demo_vault(Path(folder) / "vault", kdf_params=CHEAP)
        try:
            narrative_case = app.cases.report_concern(
                IntakeInput(
                    received_at=utcnow() - timedelta(days=3),
                    channel=ReportChannel.PHONE,
                    narrative=_megabyte_text(rng, one_paragraph=True),
                    setting=CaseSetting.SCHOOL,
                    title="Benchmark: a 1 MB narrative",
                    subjects=[PersonInput(PersonRole.SUBJECT, full_name="Bench Subject")],
                )
            ).id
            note_case = app.cases.report_concern(
                IntakeInput(
                    received_at=utcnow() - timedelta(days=3),
                    channel=ReportChannel.PHONE,
                    narrative="Short narrative.",
                    setting=CaseSetting.SCHOOL,
                    title="Benchmark: a 1 MB note",
                )
            ).id
            arabic_words = [
                "هذا",
                "نص",
                "عربي",
                "طويل",
                "يصف",
                "ما",
                "حدث",
                "في",
                "المدرسة",
                "يوم",
                "الثلاثاء",
                "عندما",
                "قال",
                "الطالب",
                "كلاما",
                "مقلقا",
                "أمام",
                "زملائه",
                "في",
                "الصف",
            ]
            arabic = " ".join(rng.choice(arabic_words) for _ in range(200_000))[:1_000_000]
            arabic_case = app.cases.report_concern(
                IntakeInput(
                    received_at=utcnow() - timedelta(days=3),
                    channel=ReportChannel.PHONE,
                    narrative=arabic,
                    setting=CaseSetting.SCHOOL,
                    title="Benchmark: a 1 MB Arabic narrative",
                )
            ).id
            assert narrative_case is not None and note_case is not None
            app.records.add_note(
                note_case, NoteCategory.OTHER, _megabyte_text(rng, one_paragraph=False)
            )
            for label, case_id in (
                ("1 MB narrative", narrative_case),
                ("1 MB note", note_case),
                ("1 MB Arabic narrative", arabic_case),
            ):
                seconds, _ = median_time(
                    lambda c=case_id: build_case_summary(app, c, paper=paper, first_page_only=True),
                    runs,
                )
                print(f"case summary, {label}, first look (page 1): {seconds * 1000:.0f} ms")
                for abridge in (False, True):
                    seconds, pdf = median_time(
                        lambda c=case_id, a=abridge: build_case_summary(
                            app, c, paper=paper, abridge=a
                        ),
                        runs if abridge else 1,
                    )
                    assert isinstance(pdf, bytes)
                    kind = "abridged" if abridge else "full"
                    print(
                        f"case summary, {label}, {kind}: {page_count(pdf)} pages, "
                        f"{seconds:.2f} s, {len(pdf) / 1_048_576:.1f} MB"
                    )
        finally:
            app.lock()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--paper", default="letter", choices=("letter", "a4"))
    parser.add_argument("--skip-long", action="store_true", help="skip the 1 MB texts")
    args = parser.parse_args()
    bench_checklists(args.paper, args.runs)
    bench_case_summary(args.pages, args.paper, args.runs)
    if not args.skip_long:
        bench_long_texts(args.paper, args.runs)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
