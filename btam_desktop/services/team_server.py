"""Setting up and signing in to a team server: the same ``Btam`` facade over ``ServerVault``."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from btam_desktop.domain import passwords
from btam_desktop.domain.models import Account
from btam_desktop.services.app import Btam, NewTeam, _signed_in, set_up_team
from btam_desktop.store import audit, crypto, signin_failures
from btam_desktop.store.errors import (
    ValidationError,
    VaultError,
    WrongCredentialsError,
    WrongRecoveryKeyError,
)
from btam_desktop.store.keyfile_names import FORMS_DIR
from btam_desktop.store.server.connection import parse_server_url, shareable_url
from btam_desktop.store.server.store import ServerVault, _engine, _read_keyfile, local_folder
from btam_desktop.store.vault import pinned_key


def create_team_server(
    url: str,
    team: NewTeam,
    *,
    kdf_params: crypto.KdfParams | None = None,
    enforce_password_policy: bool = True,
) -> tuple[Btam, str]:
    """``btam init --server``: the schema, the key slots, the coordinator and the team settings
    on an empty server database. Returns the app and the recovery key (shown once)."""
    return set_up_team(
        lambda username: ServerVault.create_on_server(
            url,
            username=username,
            password=team.password,
            kdf_params=kdf_params,
            enforce_password_policy=enforce_password_policy,
        ),
        team,
        "team server set up with coordinator account",
    )


def unlock_server(
    url: str,
    username: str,
    password: str,
    *,
    accept_older_copy: bool = False,
    inspect_older_copy: bool = False,
) -> Btam:
    """Sign in to a team server; a server whose trail is behind what this computer saw there
    (restored from an older backup) is refused as a vault is, unless accepted."""
    try:
        store = ServerVault.open_on_server(url, username, password)
    except WrongCredentialsError:
        _note_failure(url, signin_failures.KIND_PASSWORD, username)
        raise
    app = _signed_in(
        store,
        username,
        accept_older_copy,
        inspect_older_copy,
    )
    if app.older_copy is None:
        # Drafts typed on this computer while the server was away go to it now; a failure
        # leaves them here, listed as such, for the next time.
        with contextlib.suppress(VaultError):
            app.drafts.send_kept()
    return app


def _note_failure(url: str, kind: str, typed_name: str = "") -> None:
    """Keep a failed attempt on this computer, in this team's folder, for the trail (as a vault
    keeps it beside its files); the name only if it is a member of the team."""
    try:
        address = parse_server_url(url)
        engine = _engine(address)
        try:
            keyfile = _read_keyfile(engine, address.where)
        finally:
            engine.dispose()
        members = {n.lower(): n for n in keyfile.usernames(pinned_key(keyfile))}
    except VaultError:
        return  # the failure itself is what the person is told about
    name = members.get(typed_name.strip().lower(), "")
    signin_failures.note(local_folder(keyfile.vault_id), kind, name)


def server_forms_folder(url: str) -> Path:
    """This computer's folder of a team server's own forms (``btam print forms --server``);
    no sign-in: only the team's id is read from the server."""
    address = parse_server_url(url)
    engine = _engine(address)
    try:
        keyfile = _read_keyfile(engine, address.where)
    finally:
        engine.dispose()
    return local_folder(keyfile.vault_id) / FORMS_DIR


def server_usernames(url: str) -> list[str]:
    """Names for the sign-in screen, from the key slots on the server."""
    address = parse_server_url(url)
    engine = _engine(address)
    try:
        keyfile = _read_keyfile(engine, address.where)
    finally:
        engine.dispose()
    # Only the slots the team's vault key vouches for: a slot planted in the table is not listed.
    return keyfile.usernames(pinned_key(keyfile))


@dataclass(frozen=True)
class ServerSignIn:
    """What the sign-in screen shows about a team server before anyone signs in."""

    where: str  # host/database, never a password
    warning: str  # the server is reached without TLS (only on this computer), or ""
    usernames: list[str]
    shareable_url: str  # the address without any password: may be remembered and shown


def server_sign_in(url: str) -> ServerSignIn:
    """Reach the server and list its members; raises the store's errors a person can act on
    (unreachable, refused, no team there, not an address)."""
    address = parse_server_url(url)
    return ServerSignIn(address.where, address.warning, server_usernames(url), shareable_url(url))


@dataclass(frozen=True)
class ServerCheck:
    """The setup assistant's "Test connection": what it found at an address."""

    where: str
    warning: str
    encrypted: bool  # TLS with the server's certificate verified
    team_exists: bool


def check_server(url: str) -> ServerCheck:
    """Connect once and see whether a BTAM team already lives in that database."""
    from sqlalchemy import text

    address = parse_server_url(url)
    engine = _engine(address)
    try:
        try:
            with engine.connect() as conn:
                exists = conn.execute(text("SELECT to_regclass('server_keys')")).scalar_one()
                team = bool(
                    exists and conn.execute(text("SELECT count(*) FROM server_keys")).scalar_one()
                )
        except VaultError:
            raise
        except Exception as exc:
            from btam_desktop.store.server.store import _translated

            raise _translated(exc, address.where) from exc
    finally:
        engine.dispose()
    return ServerCheck(address.where, address.warning, not address.local, team)


def server_url_without_secrets(url: str) -> str:
    """The address as it may be shown and remembered: any password taken out."""
    return shareable_url(url)


def server_address_of(app: Btam) -> str | None:
    """The connection string ``app`` signed in with (to sign in again after locking; kept in
    memory only), or None for a vault."""
    address = getattr(app.vault, "address", None)
    conninfo = getattr(address, "conninfo", None)
    return conninfo if isinstance(conninfo, str) and conninfo else None


def recover_and_reset_server(
    url: str,
    recovery_key: str,
    username: str,
    new_password: str,
    kdf_params: crypto.KdfParams | None = None,
) -> None:
    """'Forgot my password' on a team server: the recovery key sets a new password."""
    from sqlalchemy import func, select

    from btam_desktop.services.context import RECOVERY_ACTOR

    problem = passwords.password_problem(new_password)  # the same policy as Add member
    if problem is not None:
        raise ValidationError(problem)
    try:
        store = ServerVault.open_on_server_with_recovery(url, recovery_key)
    except WrongRecoveryKeyError:
        _note_failure(url, signin_failures.KIND_RECOVERY_KEY)
        raise
    try:
        with store.read() as session:
            account = session.execute(
                select(Account).where(func.lower(Account.username) == username.strip().lower())
            ).scalar_one_or_none()
        if account is None or not account.active:
            raise ValidationError(f"There is no active team member named “{username}”.")
        store.reset_password(account.username, new_password, kdf_params)
        with store.write() as session:
            audit.append(
                session,
                username=RECOVERY_ACTOR,
                action="team.password_reset",
                entity_kind="account",
                entity_id=account.id,
                summary="password reset with the recovery key; data key rotated",
            )
        store.record_anchor()
    finally:
        store.lock()


class ChangeWatch(Protocol):
    def stop(self) -> None: ...


def watch_changes(app: Btam, on_change: Callable[[str, int | None], None]) -> ChangeWatch | None:
    """Tell ``on_change(table, case_id)`` (from a background thread) about every change other
    computers commit to the team; None on a vault, where nobody else writes."""
    listen = getattr(app.vault, "listen_for_changes", None)
    if listen is None:
        return None
    watch: ChangeWatch = listen(on_change)
    return watch


# ---- moving a team's cases between a vault and a team server, without an export file -----------
@dataclass(frozen=True)
class MoveReport:
    cases_before: int
    cases_moved: int
    cases_after: int
    source_audit: str
    target_audit: str


def move_cases(
    source: Btam, target: Btam, progress: Callable[[int, int, str], None] | None = None
) -> MoveReport:
    """Copy every case of ``source`` (a vault or a team server) into ``target`` (the other),
    files included, in memory: the same export and import as through a file, without the
    unencrypted file. Both audit chains are verified before and after, and the counts checked.
    The source is left as it was (its cases are destroyed, if wanted, by the usual retention
    steps once the team has checked the target)."""
    from btam_desktop.services.cases import CaseQuery

    report = progress or (lambda done, total, message: None)
    for app in (source, target):
        chain = app.verify_audit()
        if not chain.ok:
            raise ValidationError(f"Nothing was moved: {chain.describe()}")
    ids = source.exchange.all_case_ids()
    if not ids:
        raise ValidationError("There are no cases to move.")
    before = target.cases.count(CaseQuery(open_only=False))
    report(0, 3, "Reading the cases")
    document = source.exchange.export_json(ids, include_files=True)
    report(1, 3, "Checking them")
    preview = target.exchange.preview_json(document)
    if not preview.ok:
        raise ValidationError("Nothing was moved: " + "; ".join(preview.problems[:3]))
    report(2, 3, "Writing them")
    result = target.exchange.import_json(preview)
    after = target.cases.count(CaseQuery(open_only=False))
    if len(result.numbers) != len(ids) or after != before + len(ids):
        raise ValidationError(
            f"The move wrote {len(result.numbers)} of {len(ids)} cases; check the target."
        )
    source_chain, target_chain = source.verify_audit(), target.verify_audit()
    if not (source_chain.ok and target_chain.ok):
        raise ValidationError("After the move an audit trail does not verify; check both.")
    report(3, 3, "Done")
    return MoveReport(
        len(ids), len(result.numbers), after, source_chain.describe(), target_chain.describe()
    )
