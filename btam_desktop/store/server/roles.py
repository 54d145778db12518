"""Least-privilege database roles for a team server.

Two roles: the *owner* owns the tables (the schema is created and upgraded as this role) and
is used by nobody day to day; the *app* role is what every BTAM Desktop connects as. The app
role can read and write the team's rows but cannot create, alter or drop anything, and on the
audit trail it can only read and append (no UPDATE, DELETE or TRUNCATE), on top of the
triggers that refuse those for everyone.

``docs/team-server-roles.sql`` is the same steps as a psql script for administrators who
prefer to run SQL themselves; ``btam server init`` runs them from here.
"""

from __future__ import annotations

from typing import Any

import psycopg
from alembic import command
from alembic.runtime.migration import MigrationContext
from psycopg import sql
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from btam_desktop.store import migrate
from btam_desktop.store.errors import ValidationError
from btam_desktop.store.server.connection import ServerUnavailableError, parse_server_url

OWNER_ROLE = "btam_owner"
APP_ROLE = "btam_app"

# Run in the maintenance database (as a superuser or a role with CREATEROLE).
CLUSTER_STEPS = [
    "CREATE ROLE {owner} LOGIN PASSWORD {owner_password}",
    "CREATE ROLE {app} LOGIN PASSWORD {app_password}",
    "ALTER DATABASE {db} OWNER TO {owner}",
    "REVOKE ALL ON DATABASE {db} FROM PUBLIC",
    "GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {app}",
]
# Run in the team's database.
DATABASE_STEPS = [
    "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
    "GRANT USAGE, CREATE ON SCHEMA public TO {owner}",
    "GRANT USAGE ON SCHEMA public TO {app}",
    "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
    "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
    "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
    "GRANT USAGE, SELECT ON SEQUENCES TO {app}",
]
# Run in the team's database once the owner has created the tables.
AFTER_SCHEMA_STEPS = [
    "REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM {app}",
    "REVOKE UPDATE, DELETE, TRUNCATE ON form_snapshot FROM {app}",
]


def _compose(step: str, values: dict[str, Any]) -> sql.Composed:
    return sql.SQL(step).format(**values)


def set_up_server(
    admin_url: str,
    database: str,
    owner_password: str,
    app_password: str,
    *,
    owner: str = OWNER_ROLE,
    app: str = APP_ROLE,
) -> None:
    """Create the two roles, hand the (empty) database to the owner, create the schema as the
    owner, and take from the app role what it must never do."""
    for password in (owner_password, app_password):
        if len(password) < 16:
            raise ValidationError(
                "Give each database role a password of at least 16 characters (they are "
                "typed once, into the team's server address, not remembered by people)."
            )
    address = parse_server_url(admin_url)
    values: dict[str, Any] = {
        "owner": sql.Identifier(owner),
        "app": sql.Identifier(app),
        "db": sql.Identifier(database),
        "owner_password": sql.Literal(owner_password),
        "app_password": sql.Literal(app_password),
    }
    try:
        with psycopg.connect(address.conninfo, autocommit=True) as conn:
            for step in CLUSTER_STEPS:
                conn.execute(_compose(step, values))
        in_database = psycopg.conninfo.make_conninfo(address.conninfo, dbname=database)
        with psycopg.connect(in_database, autocommit=True) as conn:
            for step in DATABASE_STEPS:
                conn.execute(_compose(step, values))
        engine = create_engine(
            "postgresql+psycopg://", creator=lambda: psycopg.connect(in_database)
        )
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql(f'SET ROLE "{owner}"')
                command.upgrade(migrate._config(conn), "head")
                conn.exec_driver_sql("RESET ROLE")
        finally:
            engine.dispose()
        with psycopg.connect(in_database, autocommit=True) as conn:
            for step in AFTER_SCHEMA_STEPS:
                conn.execute(_compose(step, values))
    except psycopg.OperationalError as exc:
        raise ServerUnavailableError(address.where) from exc
    except psycopg.errors.DuplicateObject as exc:
        raise ValidationError(
            f"The roles {owner} and {app} already exist on this server. Choose other role "
            "names, or drop the old ones first."
        ) from exc


def upgrade_schema(
    admin_url: str, database: str, *, owner: str = OWNER_ROLE, app: str = APP_ROLE
) -> str | None:
    """Bring the team's tables to this version's schema, as the owner role (the app role
    cannot). Returns the revision it was at, or None when it was already current."""
    address = parse_server_url(admin_url)
    in_database = psycopg.conninfo.make_conninfo(address.conninfo, dbname=database)
    engine = create_engine("postgresql+psycopg://", creator=lambda: psycopg.connect(in_database))
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'SET ROLE "{owner}"')
            before = MigrationContext.configure(conn).get_current_revision()
            if before == migrate.head_revision():
                return None
            command.upgrade(migrate._config(conn), "head")
            conn.exec_driver_sql("RESET ROLE")
        with psycopg.connect(in_database, autocommit=True) as conn:
            values = {"app": sql.Identifier(app), "owner": sql.Identifier(owner)}
            for step in AFTER_SCHEMA_STEPS:
                conn.execute(_compose(step, values))
        return before
    except (psycopg.OperationalError, OperationalError) as exc:
        raise ServerUnavailableError(address.where) from exc
    finally:
        engine.dispose()


def roles_sql() -> str:
    """The same steps as a psql script with variables (docs/team-server-roles.sql)."""
    psql = {
        "owner": OWNER_ROLE,
        "app": APP_ROLE,
        "db": ':"db"',
        "owner_password": ":'owner_password'",
        "app_password": ":'app_password'",
    }
    lines = [
        "-- BTAM Desktop team server: database roles with least privilege.",
        "-- The same steps `btam server init` runs. As a PostgreSQL superuser, on an empty",
        "-- database made for the team (CREATE DATABASE btam;):",
        "--   psql -v db=btam -v owner_password=... -v app_password=... -f team-server-roles.sql",
        "-- Then create the tables AS THE OWNER (btam server init does this for you):",
        "--   btam init --server postgresql://btam_owner@HOST/btam ...   (first coordinator)",
        "-- and run the last part (after the schema) below. Everyone connects as btam_app.",
        "",
        "-- 1. The roles (in any database).",
    ]
    lines += [step.format(**psql) + ";" for step in CLUSTER_STEPS]
    lines += ["", "-- 2. In the team's database.", '\\connect :"db"']
    lines += [step.format(**psql) + ";" for step in DATABASE_STEPS]
    lines += [
        "",
        "-- 3. After the owner created the tables: the app role only reads and appends the",
        "--    audit trail and the stored form definitions.",
    ]
    lines += [step.format(**psql) + ";" for step in AFTER_SCHEMA_STEPS]
    return "\n".join(lines) + "\n"
