"""``btam export``, ``btam import``, ``btam transfer`` and ``btam stats``.

Secrets: the vault password and the transfer passphrase come from prompts, or from standard
input with ``--password-stdin`` / ``--passphrase-stdin``; with both, the password is the first
line and the passphrase the second.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from btam_desktop.store.errors import ValidationError, VaultError

if TYPE_CHECKING:
    from btam_desktop.services.app import Btam

EXIT_OK, EXIT_ERROR = 0, 1
Out = Callable[[str], None]
DEFAULT_RECIPIENT = "Receiving school or agency (not named at export)"


class Secrets:
    """The password, then the passphrase: from stdin lines or from prompts."""

    def __init__(self, password_stdin: bool, passphrase_stdin: bool) -> None:
        self._password_stdin = password_stdin
        self._passphrase_stdin = passphrase_stdin
        lines = sys.stdin.read().splitlines() if (password_stdin or passphrase_stdin) else []
        self._lines = iter(lines)

    def _next(self, what: str) -> str:
        try:
            return next(self._lines)
        except StopIteration:
            raise VaultError(f"Standard input ran out of lines; expected one for: {what}") from None

    def password(self, user: str) -> str:
        if self._password_stdin:
            return self._next(f"the password of {user}")
        return getpass.getpass(f"Password for {user}: ")

    def passphrase(self, confirm: bool) -> str:
        if self._passphrase_stdin:
            return self._next("the transfer passphrase")
        value = getpass.getpass("Transfer passphrase: ")
        if confirm and getpass.getpass("Repeat it: ") != value:
            raise VaultError("The two passphrases did not match. Nothing was written.")
        return value


def _common(parser: argparse.ArgumentParser, passphrase: bool = False) -> None:
    from btam_desktop import cli_server  # issue 16: --vault DIR or --server URL

    cli_server.add_location_args(parser)
    parser.add_argument("--user", required=True, help="your user name")
    parser.add_argument(
        "--password-stdin", action="store_true", help="read your password from standard input"
    )
    if passphrase:
        parser.add_argument(
            "--passphrase-stdin",
            action="store_true",
            help="read the transfer passphrase from standard input (after the password, if "
            "--password-stdin is given too)",
        )


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = sub.add_parser("export", help="export cases as JSON or CSV (NOT encrypted)")
    export_sub = export.add_subparsers(dest="export_command", required=True)
    cases = export_sub.add_parser("cases", help="write cases to a JSON or CSV file")
    _common(cases)
    cases.add_argument("--format", choices=["json", "csv"], required=True)
    cases.add_argument("--out", type=Path, required=True, help="the file to write")
    cases.add_argument("--case", action="append", default=[], help="a case number (repeat)")
    cases.add_argument(
        "--with-files", action="store_true", help="JSON: include the attachments' files"
    )

    imp = sub.add_parser("import", help="import cases from a JSON export or a CSV spreadsheet")
    imp_sub = imp.add_subparsers(dest="import_command", required=True)
    icases = imp_sub.add_parser("cases", help="check, then add, the cases in a file")
    icases.add_argument("file", type=Path)
    _common(icases)
    icases.add_argument(
        "--mapping",
        type=Path,
        help='CSV: a JSON file {"title": "column name", "opened": "column name", ...}',
    )
    icases.add_argument("--dry-run", action="store_true", help="check only; write nothing")

    transfer = sub.add_parser("transfer", help="send or receive cases in a sealed package")
    transfer_sub = transfer.add_subparsers(dest="transfer_command", required=True)
    texport = transfer_sub.add_parser("export", help="seal cases for another team")
    _common(texport, passphrase=True)
    texport.add_argument("--case", action="append", required=True, help="a case number (repeat)")
    texport.add_argument("--out", type=Path, required=True, help="the package file to write")
    texport.add_argument(
        "--to", default=DEFAULT_RECIPIENT, help="the receiving school or agency (disclosure log)"
    )
    timport = transfer_sub.add_parser("import", help="receive a package from another team")
    timport.add_argument("file", type=Path)
    _common(timport, passphrase=True)
    timport.add_argument("--dry-run", action="store_true", help="check only; write nothing")

    stats = sub.add_parser("stats", help="de-identified annual statistics as CSV (and PDF)")
    _common(stats)
    stats.add_argument("--year", type=int, required=True)
    stats.add_argument("--out", type=Path, required=True, help="the CSV file to write")
    stats.add_argument("--pdf", type=Path, help="also write the one-page printed report")
    stats.add_argument(
        "--show-small-counts",
        action="store_true",
        help="print counts under 5 as numbers instead of 'fewer than 5'",
    )


def _open(args: argparse.Namespace, secrets: Secrets) -> Btam:
    from btam_desktop.cli_server import open_team

    return open_team(args, args.user, secrets.password(args.user))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise VaultError(f"Could not read {path}: {exc.strerror or 'read refused'}.") from exc


def cmd_export(args: argparse.Namespace, out: Out) -> int:
    from btam_desktop.services.spreadsheet import cases_csv
    from btam_desktop.services.transfer import write_file

    app = _open(args, Secrets(args.password_stdin, False))
    try:
        ids = (
            app.exchange.case_ids_for_numbers(args.case)
            if args.case
            else app.exchange.all_case_ids()
        )
        if args.format == "json":
            data = app.exchange.export_json(ids, include_files=args.with_files)
            what = "JSON" + (" with files" if args.with_files else "")
        else:
            data = cases_csv(app.ctx, ids)
            what = "CSV"
        write_file(args.out, data)
        app.exchange.record_export(ids, what)
    finally:
        app.lock()
    out(f"Wrote {len(ids)} cases to {args.out} ({len(data) // 1024} KB, {what}).")
    out("This file is NOT encrypted: keep it as you would the paper records, and delete it")
    out("when it is no longer needed.")
    return EXIT_OK


def cmd_import(args: argparse.Namespace, out: Out) -> int:
    data = _read(args.file)
    app = _open(args, Secrets(args.password_stdin, False))
    try:
        if data.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"{"):
            preview = app.exchange.preview_json(data)
            for case in preview.cases:
                mark = "refused" if case.problems else "ok"
                out(f"  {case.source_number:<12} {case.opened_on}  {mark:<8} {case.contents}")
            problems, count = preview.problems, len(preview.cases)
            commit: Callable[[], list[str]] = lambda: [  # noqa: E731
                f"{old} -> {new}" for old, new in app.exchange.import_json(preview).numbers
            ]
        else:
            mapping = None
            if args.mapping is not None:
                try:
                    mapping = json.loads(_read(args.mapping).decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError):
                    raise ValidationError(
                        f"The mapping file {args.mapping} is not valid JSON. Write it as "
                        '{"title": "Column name", "opened": "Column name", ...}.'
                    ) from None
                if not isinstance(mapping, dict):
                    raise ValidationError("The mapping file should hold one JSON object.")
            sheet = app.spreadsheet.preview(data, mapping)
            out("Columns used: " + ", ".join(f"{k} <- {v}" for k, v in sheet.mapping.items()))
            problems, count = sheet.problems, len(sheet.rows)
            commit = lambda: app.spreadsheet.commit(sheet)  # noqa: E731
        for problem in problems:
            print(f"btam: {problem}", file=sys.stderr)
        if problems:
            out(f"Nothing was imported: {len(problems)} problems in {count} cases.")
            return EXIT_ERROR
        if args.dry_run:
            out(f"All {count} cases can be imported (dry run: nothing was written).")
            return EXIT_OK
        numbers = commit()
    finally:
        app.lock()
    out(f"Imported {len(numbers)} cases: " + ", ".join(numbers))
    return EXIT_OK


def cmd_transfer(args: argparse.Namespace, out: Out) -> int:
    secrets = Secrets(args.password_stdin, args.passphrase_stdin)
    if args.transfer_command == "export":
        app = _open(args, secrets)
        try:
            ids = app.exchange.case_ids_for_numbers(args.case)
            size = app.transfer.send(ids, secrets.passphrase(confirm=True), args.to, args.out)
        finally:
            app.lock()
        out(f"Sealed {len(ids)} cases in {args.out} ({size // 1024} KB).")
        out("Give the passphrase to the receiving team separately (by phone), never with the file.")
        out("Each case's disclosure log now records the transfer.")
        return EXIT_OK
    package = _read(args.file)
    app = _open(args, secrets)
    try:
        preview = app.transfer.preview(package, secrets.passphrase(confirm=False))
        out(f"From: {preview.sending_team or '(team not named)'}, sealed {preview.sent_at[:16]}")
        for case in preview.cases.cases:
            out(f"  {case.source_number:<12} {case.opened_on}  {case.contents}")
        for problem in preview.problems:
            print(f"btam: {problem}", file=sys.stderr)
        if preview.problems:
            out("Nothing was added.")
            return EXIT_ERROR
        if args.dry_run:
            out(f"All {len(preview.cases.cases)} cases can be received (dry run: nothing added).")
            return EXIT_OK
        pairs = app.transfer.receive(preview)
    finally:
        app.lock()
    out("Received: " + ", ".join(f"{old} (there) -> {new} (here)" for old, new in pairs))
    return EXIT_OK


def cmd_stats(args: argparse.Namespace, out: Out) -> int:
    from btam_desktop.services.transfer import write_file

    app = _open(args, Secrets(args.password_stdin, False))
    try:
        stats = app.statistics.annual(args.year, suppress_small=not args.show_small_counts)
        pdf = None
        if args.pdf is not None:
            from btam_desktop.reports.annual_statistics import annual_statistics_pdf

            pdf = annual_statistics_pdf(stats, paper=app.settings().paper_size)
        write_file(args.out, stats.to_csv())
        if pdf is not None:
            write_file(args.pdf, pdf)
    finally:
        app.lock()
    out(f"Wrote the {args.year} statistics ({stats.total} cases) to {args.out}.")
    if args.pdf is not None:
        out(f"Wrote the printed report to {args.pdf}.")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace, Out], int]] = {
    "export": cmd_export,
    "import": cmd_import,
    "transfer": cmd_transfer,
    "stats": cmd_stats,
}
