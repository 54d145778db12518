"""Case transfer: selected cases sealed with a passphrase for another team, and received there.

A package is one file::

    b"BTAMXFER" | header length (4 bytes, big-endian) | header (JSON) | ciphertext

The header holds the format version, the Argon2id parameters and salt, and the nonce; nothing
about the cases. The key comes from the passphrase through Argon2id; the whole payload (the JSON
case export, compressed) is sealed with AES-256-GCM with the magic and header as associated data,
so a changed byte anywhere, header included, fails the tag and the package is refused whole.
"""

from __future__ import annotations

import base64
import json
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlmodel import col

from btam_desktop.domain.enums import DisclosureBasis, DisclosureRecipient
from btam_desktop.domain.models import Case, CaseOrigin, Disclosure
from btam_desktop.domain.types import utcnow
from btam_desktop.services.context import ServiceContext
from btam_desktop.services.exchange import (
    ImportPreview,
    Progress,
    build_export,
    parse_document,
    preview_document,
    receive_cases,
)
from btam_desktop.services.permissions import Permission
from btam_desktop.services.settings import load_settings
from btam_desktop.store import crypto
from btam_desktop.store.errors import ValidationError, VaultError
from btam_desktop.store.keyslots import write_atomic

MAGIC = b"BTAMXFER"
PACKAGE_VERSION = 1
PACKAGE_SUFFIX = ".btamtransfer"
MIN_PASSPHRASE_LENGTH = 12
_MAX_HEADER = 4096
_MAX_PACKAGE_MEMORY_KIB = 1024 * 1024  # a changed header must not make us allocate more

WRONG_OR_CHANGED = (
    "The passphrase is wrong, or the package was changed or damaged after it was sealed. "
    "Check the passphrase with the sender (letter for letter); if it is right, ask them to "
    "send the package again. Nothing was added."
)
NOT_A_PACKAGE = (
    "This file is not a BTAM Desktop case transfer package. Choose the file the sending team "
    f"gave you (it ends in {PACKAGE_SUFFIX})."
)


def passphrase_problem(passphrase: str) -> str | None:
    """Why a passphrase is too weak to protect a package in transit, or None."""
    text = passphrase.strip()
    if len(text) < MIN_PASSPHRASE_LENGTH:
        return (
            f"Use a passphrase of at least {MIN_PASSPHRASE_LENGTH} characters: four or five "
            "unrelated words work well. Give it to the receiving team by phone, not with the file."
        )
    if len(set(text.lower())) < 6:
        return "That passphrase repeats too few different characters. Use several unrelated words."
    if text.isdigit():
        return "A passphrase of digits only is quick to guess. Use several unrelated words."
    return None


def seal(payload: bytes, passphrase: str, params: crypto.KdfParams) -> bytes:
    salt = os.urandom(crypto.SALT_BYTES)
    nonce = os.urandom(crypto.NONCE_BYTES)
    header = json.dumps(
        {
            "version": PACKAGE_VERSION,
            "kdf": params.as_dict(),
            "salt": base64.b64encode(salt).decode("ascii"),
            "nonce": base64.b64encode(nonce).decode("ascii"),
        },
        sort_keys=True,
    ).encode("ascii")
    prefix = MAGIC + struct.pack(">I", len(header)) + header
    key = crypto.derive_key(passphrase.encode("utf-8"), salt, params)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return prefix + AESGCM(key).encrypt(nonce, zlib.compress(payload, 6), prefix)


def unseal(package: bytes, passphrase: str) -> bytes:
    """The payload, or a ValidationError that says plainly why not."""
    if not package.startswith(MAGIC) or len(package) < len(MAGIC) + 4:
        raise ValidationError(NOT_A_PACKAGE)
    (length,) = struct.unpack(">I", package[len(MAGIC) : len(MAGIC) + 4])
    start = len(MAGIC) + 4
    if length > _MAX_HEADER or start + length > len(package):
        raise ValidationError(WRONG_OR_CHANGED)
    prefix = package[: start + length]
    try:
        header = json.loads(package[start : start + length].decode("ascii"))
        if header.get("version") != PACKAGE_VERSION:
            raise ValidationError(
                f"This package was made by a newer version of BTAM Desktop (package format "
                f"{header.get('version')}). Update the program and try again."
            )
        params = crypto.KdfParams.from_dict(header["kdf"])
        salt = base64.b64decode(header["salt"], validate=True)
        nonce = base64.b64decode(header["nonce"], validate=True)
    except ValidationError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise ValidationError(WRONG_OR_CHANGED) from None
    if params.memory_kib > _MAX_PACKAGE_MEMORY_KIB or len(nonce) != crypto.NONCE_BYTES:
        raise ValidationError(WRONG_OR_CHANGED)
    key = crypto.derive_key(passphrase.encode("utf-8"), salt, params)
    sealed = crypto.unwrap(key, nonce, package[start + length :], prefix)
    if sealed is None:
        raise ValidationError(WRONG_OR_CHANGED)
    try:
        return zlib.decompress(sealed)
    except zlib.error:  # authenticated yet unreadable: made by something else
        raise ValidationError(NOT_A_PACKAGE) from None


@dataclass
class TransferPreview:
    sending_team: str
    sent_at: str
    cases: ImportPreview
    already_received: list[str]

    @property
    def problems(self) -> list[str]:
        return self.cases.problems + self.already_received

    @property
    def ok(self) -> bool:
        return self.cases.ok and not self.already_received


class TransferService:
    def __init__(self, ctx: ServiceContext, kdf_params: crypto.KdfParams | None = None) -> None:
        self.ctx = ctx
        self.kdf_params = kdf_params or crypto.DEFAULT_PARAMS

    # ---- sending ------------------------------------------------------------------------------
    def send(
        self,
        case_ids: list[int],
        passphrase: str,
        recipient: str,
        target: Path,
        progress: Progress | None = None,
    ) -> int:
        """Seal ``case_ids`` into ``target`` and log the disclosure; the package's size."""
        self.ctx.require(Permission.EXPORT_BULK, "case")
        if not case_ids:
            raise ValidationError("Choose at least one case to transfer.")
        if not recipient.strip():
            raise ValidationError(
                "Name the school or agency that receives the cases, for the disclosure log."
            )
        problem = passphrase_problem(passphrase)
        if problem:
            raise ValidationError(problem)
        settings = load_settings(self.ctx)
        with self.ctx.read() as session:
            document = build_export(
                session,
                case_ids,
                team_name=settings.team_name,
                vault_id=self.ctx.vault.vault_id,
                include_files=True,
                progress=progress,
            )
        document["transfer"] = {"sending_team": settings.team_name, "sent_at": utcnow().isoformat()}
        if progress is not None:
            progress(0, 0, "Sealing the package")
        package = seal(
            json.dumps(document, ensure_ascii=False).encode("utf-8"), passphrase, self.kdf_params
        )
        write_file(target, package)
        now = utcnow()
        with self.ctx.vault.write() as session:
            for case_id in case_ids:
                session.add(
                    Disclosure(
                        case_id=case_id,
                        disclosed_at=now,
                        recipient_kind=DisclosureRecipient.RECEIVING_ORGANIZATION.value,
                        recipient_name=recipient.strip()[:200],
                        information_disclosed="The whole case record (people, reports, "
                        "timeline, assessments, plans, notes, attachments, disclosures), sent "
                        "as a sealed transfer package.",
                        purpose="Case transferred to the school or agency now responsible.",
                        legal_basis=DisclosureBasis.RECORDS_TRANSFER.value,
                        disclosed_by_id=self.ctx.actor.account_id,
                    )
                )
                self.ctx.audit(
                    session, "case.transfer_out", "case", case_id, "sealed in a transfer package"
                )
            self.ctx.audit(
                session, "transfer.export", "transfer", "", f"{len(case_ids)} cases sent"
            )
        return len(package)

    # ---- receiving ----------------------------------------------------------------------------
    def preview(self, package: bytes, passphrase: str) -> TransferPreview:
        self.ctx.require(Permission.IMPORT_CASES, "transfer")
        payload = unseal(package, passphrase)
        document = parse_document(payload)
        info = document.get("transfer") or {}
        sending_team = str(info.get("sending_team", "")) if isinstance(info, dict) else ""
        cases = preview_document(self.ctx, document)
        already = []
        with self.ctx.read() as session:
            for case in cases.cases:
                found = session.execute(
                    select(col(Case.number))
                    .join(CaseOrigin, col(CaseOrigin.case_id) == col(Case.id))
                    .where(
                        col(CaseOrigin.kind) == "transfer",
                        col(CaseOrigin.source_number) == case.source_number,
                        col(CaseOrigin.source_team) == sending_team,
                    )
                ).first()
                if found is not None:
                    already.append(
                        f"Case {case.source_number} from {sending_team} was already received "
                        f"here as case {found[0]}."
                    )
        return TransferPreview(
            sending_team=sending_team,
            sent_at=str(info.get("sent_at", "")) if isinstance(info, dict) else "",
            cases=cases,
            already_received=already,
        )

    def receive(
        self, preview: TransferPreview, progress: Progress | None = None
    ) -> list[tuple[str, str]]:
        """Add the cases in one transaction; (number there, number here) for each."""
        if not preview.ok:
            raise ValidationError(
                "Nothing was added, because of these problems:\n" + "\n".join(preview.problems)
            )
        team = load_settings(self.ctx).team_name
        with self.ctx.write(Permission.IMPORT_CASES, "transfer") as session:
            try:
                cases = receive_cases(
                    self.ctx,
                    session,
                    preview.cases._document,
                    kind="transfer",
                    map_accounts=False,  # the same user name elsewhere is another person
                    progress=progress,
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise ValidationError(
                    f"Nothing was added: the package holds a record this program cannot read "
                    f"({type(exc).__name__}). Ask the sender to update BTAM Desktop."
                ) from exc
            now = utcnow()
            numbers = []
            for source, case in zip(preview.cases.cases, cases, strict=True):
                session.add(
                    Disclosure(
                        case_id=case.id,  # type: ignore[arg-type]
                        disclosed_at=now,
                        recipient_kind=DisclosureRecipient.RECEIVING_ORGANIZATION.value,
                        recipient_name=(team or "This team")[:200],
                        information_disclosed=f"The whole case record, received from "
                        f"{preview.sending_team or 'another team'} (their case "
                        f"{source.source_number}).",
                        purpose="Case transferred to this team, now responsible for it.",
                        legal_basis=DisclosureBasis.RECORDS_TRANSFER.value,
                        disclosed_by_id=self.ctx.actor.account_id,
                    )
                )
                self.ctx.audit(
                    session,
                    "case.transfer_in",
                    "case",
                    case.id,
                    f"received by transfer as {case.number}",
                )
                numbers.append((source.source_number, case.number))
            self.ctx.audit(
                session, "transfer.import", "transfer", "", f"{len(cases)} cases received"
            )
            return numbers


def write_file(target: Path, data: bytes) -> None:
    """Write under a temporary name in the target folder, flush, then rename."""
    target = target.expanduser()
    if target.is_dir():
        raise ValidationError(f"{target} is a folder; give the name of the file to write.")
    if not target.parent.is_dir():
        raise ValidationError(f"The folder {target.parent} does not exist.")
    try:
        write_atomic(target, data)
    except OSError as exc:
        raise VaultError(
            f"Could not write {target.name}: {exc.strerror or 'the write was refused'}. "
            "Free some space or choose another folder; no partial file was left behind."
        ) from exc


__all__ = [
    "MAGIC",
    "PACKAGE_SUFFIX",
    "TransferPreview",
    "TransferService",
    "passphrase_problem",
    "seal",
    "unseal",
    "write_file",
]
