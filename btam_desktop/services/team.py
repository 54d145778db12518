"""Team members: accounts, roles, passwords and training records."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from sqlalchemy import func, select
from sqlmodel import col

from btam_desktop.domain.enums import Role
from btam_desktop.domain.models import Account, TrainingRecord
from btam_desktop.services.context import ServiceContext
from btam_desktop.services.permissions import Permission
from btam_desktop.store import crypto
from btam_desktop.store.errors import NotFoundError, ValidationError

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,31}$")


def check_username(username: str) -> str:
    name = username.strip()
    if not USERNAME_PATTERN.match(name):
        raise ValidationError(
            "A user name is 2 to 32 letters, digits, dots, dashes or underscores, starting with "
            "a letter or digit (for example: jrivera)."
        )
    return name


class TeamService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def members(self, include_inactive: bool = False) -> list[Account]:
        stmt = select(Account).order_by(func.lower(Account.display_name), Account.username)
        if not include_inactive:
            stmt = stmt.where(col(Account.active).is_(True))
        with self.ctx.read() as session:
            return [r[0] for r in session.execute(stmt).all()]

    def get(self, account_id: int) -> Account:
        with self.ctx.read() as session:
            account = session.get(Account, account_id)
        if account is None:
            raise NotFoundError("That team member")
        return account

    def add_member(
        self,
        username: str,
        display_name: str,
        role: Role,
        password: str,
        *,
        email: str = "",
        team_role: str = "",
        kdf_params: crypto.KdfParams | None = None,
        enforce_password_policy: bool = True,
    ) -> Account:
        """Create the account and its key slot; if saving the account fails the slot goes too."""
        self.ctx.require(Permission.MANAGE_TEAM, "account")
        name = check_username(username)
        if not display_name.strip():
            raise ValidationError("Give the member's full name as it should appear on records.")
        with self.ctx.read() as session:
            clash = session.execute(
                select(Account).where(func.lower(Account.username) == name.lower())
            ).first()
        if clash is not None:
            raise ValidationError(f"There is already a team member named “{name}”.")
        self.ctx.vault.add_user_slot(
            name,
            password,
            kdf_params,
            enforce_password_policy=enforce_password_policy,
            role=role.value,
        )
        try:
            with self.ctx.write(Permission.MANAGE_TEAM, "account") as session:
                account = Account(
                    username=name,
                    display_name=display_name.strip(),
                    role=role.value,
                    email=email.strip(),
                    team_role=team_role.strip(),
                )
                session.add(account)
                session.flush()
                self.ctx.audit(session, "team.add", "account", account.id, f"{name} as {role}")
                return account
        except BaseException:
            self.ctx.vault.discard_user_slot(name)
            raise

    def change_role(self, account_id: int, role: Role) -> None:
        """The vault key vouches for the new role first (a coordinator also receives the vault
        key), then the account row follows in a signed event."""
        self.ctx.require(Permission.MANAGE_TEAM, "account", account_id)
        member = self.get(account_id)
        if member.role == Role.COORDINATOR and role != Role.COORDINATOR:
            coordinators = [m for m in self.members() if m.role == Role.COORDINATOR]
            if len(coordinators) <= 1:
                raise ValidationError("The team needs at least one coordinator.")
        self.ctx.vault.set_role(member.username, role.value)
        with self.ctx.write(Permission.MANAGE_TEAM, "account", account_id) as session:
            account = session.get(Account, account_id)
            if account is None:
                raise NotFoundError("That team member")
            if account.role == Role.COORDINATOR and role != Role.COORDINATOR:
                coordinators = session.execute(
                    select(func.count())
                    .select_from(Account)
                    .where(col(Account.role) == Role.COORDINATOR.value, col(Account.active))
                ).scalar_one()
                if coordinators <= 1:
                    raise ValidationError("The team needs at least one coordinator.")
            account.role = role.value
            session.add(account)
            self.ctx.audit(session, "team.role", "account", account_id, f"role {role.value}")

    def remove_member(
        self, account_id: int, progress: Callable[[int, int, str], None] | None = None
    ) -> None:
        """Deactivate the account and delete its key slot; the vault is rekeyed."""
        self.ctx.require(Permission.MANAGE_TEAM, "account", account_id)
        account = self.get(account_id)
        if account.id == self.ctx.actor.account_id:
            raise ValidationError("You cannot remove your own account while you are signed in.")
        if account.role == Role.COORDINATOR:
            coordinators = [m for m in self.members() if m.role == Role.COORDINATOR]
            if len(coordinators) <= 1:
                raise ValidationError("The team needs at least one coordinator.")
        self.ctx.vault.remove_user_slot(account.username, progress)
        with self.ctx.write(Permission.MANAGE_TEAM, "account", account_id) as session:
            stored = session.get(Account, account_id)
            assert stored is not None
            stored.active = False
            session.add(stored)
            self.ctx.audit(
                session, "team.remove", "account", account_id, f"{account.username}; vault rekeyed"
            )

    def replace_recovery_key(
        self,
        progress: Callable[[int, int, str], None] | None = None,
        kdf_params: crypto.KdfParams | None = None,
    ) -> str:
        """Coordinator: a new recovery key after the old one was used or exposed. The old
        recovery slot is removed and the vault rekeyed. Returns the new key (shown once)."""
        self.ctx.require(Permission.MANAGE_TEAM, "vault")
        recovery = self.ctx.vault.replace_recovery_key(kdf_params, progress)
        with self.ctx.vault.write() as session:
            self.ctx.audit(
                session, "recovery.replace", "vault", "", "new recovery key; vault rekeyed"
            )
        return recovery

    def change_own_password(
        self,
        old_password: str,
        new_password: str,
        *,
        rotate_key: bool = False,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> None:
        """With ``rotate_key`` the vault gets a new data key too, so an old copy of the key
        file (or a backup of it) with the old password no longer opens the database."""
        username = self.ctx.actor.username
        self.ctx.vault.change_password(
            username, old_password, new_password, rotate_key=rotate_key, progress=progress
        )
        with self.ctx.vault.write() as session:
            self.ctx.audit(
                session,
                "team.password",
                "account",
                self.ctx.actor.account_id,
                "own password; vault rekeyed" if rotate_key else "own password",
            )

    def reset_password(
        self,
        username: str,
        new_password: str,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> None:
        """Coordinator sets a new password for a member. The member's old key slot and signing
        key are retired and the vault is rekeyed, so the old password opens nothing."""
        self.ctx.require(Permission.MANAGE_TEAM, "account")
        self.ctx.vault.reset_password(username, new_password, progress=progress)
        with self.ctx.vault.write() as session:
            self.ctx.audit(
                session, "team.password_reset", "account", username, "password reset; vault rekeyed"
            )

    # ---- training ------------------------------------------------------------------------------
    def training(self, account_id: int | None = None) -> list[TrainingRecord]:
        stmt = select(TrainingRecord).order_by(col(TrainingRecord.completed_on).desc())
        if account_id is not None:
            stmt = stmt.where(col(TrainingRecord.account_id) == account_id)
        with self.ctx.read() as session:
            return [r[0] for r in session.execute(stmt).all()]

    def add_training(
        self,
        account_id: int,
        course: str,
        provider: str,
        completed_on: date,
        expires_on: date | None = None,
    ) -> TrainingRecord:
        if not course.strip():
            raise ValidationError("Name the course or certification.")
        if expires_on is not None and expires_on <= completed_on:
            raise ValidationError("The expiry date must come after the completion date.")
        if completed_on > date.today():
            raise ValidationError("The completion date cannot be in the future.")
        with self.ctx.write(Permission.MANAGE_TEAM, "account", account_id) as session:
            if session.get(Account, account_id) is None:
                raise NotFoundError("That team member")
            record = TrainingRecord(
                account_id=account_id,
                course=course.strip(),
                provider=provider.strip(),
                completed_on=completed_on,
                expires_on=expires_on,
            )
            session.add(record)
            session.flush()
            self.ctx.audit(session, "team.training", "account", account_id, "training recorded")
            return record

    def expiring_training(self, within_days: int = 60) -> list[TrainingRecord]:
        today = date.today()
        return [
            r
            for r in self.training()
            if r.expires_on is not None and (r.expires_on - today).days <= within_days
        ]
