"""The record is append-only in the database itself, not only in Settle's code.

Triggers installed by migrations (0011) refuse, for anyone, any UPDATE or
DELETE of timeline entries, evidence rows, evidence checks and shared copies, review actions,
field changes, case-file exports, seals and their timestamps; any change to a final letter except its
tracking columns (paid, superseded, deadline flagged) and the sending
columns, which are written once (a letter Settle e-mails is dated when the
server accepts it); and any DELETE of a
case, client or project (they are archived, never deleted). A raw `UPDATE`
in a database shell, a queryset `.delete()`, `manage.py flush`: all refused.

Only code that is meant to rewrite (a migration that must) does so inside
`rewrite_permitted()`. On PostgreSQL that is `SET LOCAL settle.rewrite = 'on'`
for one transaction; on SQLite a per-connection flag read by a function
Settle registers on its own connections (`settle_rewrite_allowed()`), so the
`sqlite3` command line, which lacks the function, cannot rewrite either.
Someone who can drop triggers can still change rows; the timeline's hash
chain (rules.chain) and the signed case files are there to show that.
"""

from contextlib import contextmanager

from django.db import connections, transaction
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def _register_sqlite_function(sender, connection, **kwargs) -> None:
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function(
        "settle_rewrite_allowed", 0, lambda: 1 if getattr(connection, "settle_rewrite", False) else 0
    )


def install(app_config) -> None:
    """Register the SQLite permit function on every new connection, and the triggers' re-check after
    `migrate` (called from the app's ready())."""
    connection_created.connect(_register_sqlite_function, dispatch_uid="settle-rewrite-permit")
    post_migrate.connect(ensure_after_migrate, sender=app_config, dispatch_uid="settle-triggers")
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            _register_sqlite_function(None, connection)


@contextmanager
def rewrite_permitted(using: str = "default"):
    """Let this connection change protected rows until the block ends. For migrations, and the test suite's flush."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute("SET LOCAL settle.rewrite = 'on'")
            yield
        return
    connection.ensure_connection()
    previous = getattr(connection, "settle_rewrite", False)
    connection.settle_rewrite = True
    try:
        yield
    finally:
        connection.settle_rewrite = previous


# --- The triggers ---------------------------------------------------------------------------
# Tables appear here as the code that creates them lands; triggers are only made for tables that exist.
APPEND_ONLY = [
    "disputes_timelineentry",
    "disputes_evidence",
    "disputes_evidencecheck",
    "disputes_reviewaction",
    "disputes_fieldchange",
    "disputes_casefileexport",
    "disputes_seal",
    "disputes_sealtimestamp",
    "disputes_evidencecopy",
]
NEVER_DELETED = ["disputes_case", "disputes_client", "disputes_project"]
LETTER_FROZEN = [
    "case_id", "kind", "status", "agreement_id", "subject", "body", "amount_owed", "currency",
    "payment_instructions", "channel", "legal_action_date", "supersedes_id", "created_by_id", "created_at",
    "finalized_at", "pdf", "sha256", "size", "delivery",
]  # fmt: skip
# Written once after finalising (a letter Settle sends gets its date when the mail server accepts it),
# never changed after that.
LETTER_SET_ONCE = ["sent_on", "deadline", "deadline_at", "sent_at", "entry_id"]
ALL_TABLES = [*APPEND_ONLY, *NEVER_DELETED, "disputes_letter"]

PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION settle_rewrite_allowed() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(current_setting('settle.rewrite', true), '') = 'on' $$;

CREATE OR REPLACE FUNCTION settle_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF settle_rewrite_allowed() THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'Settle keeps % append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation';
END $$;

"""

PG_LETTER_FUNCTION = """
CREATE OR REPLACE FUNCTION settle_refuse_final_letter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF settle_rewrite_allowed() OR OLD.status <> 'final' THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' OR ({changed}) OR ({set_once}) THEN
    RAISE EXCEPTION 'Settle keeps final letters unchanged: % refused', TG_OP USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$;
"""


def _letter_columns(connection) -> tuple[list[str], list[str]]:
    """The guarded letter columns that exist now: a migration run at an older schema
    must not install a trigger naming columns a later migration adds."""
    with connection.cursor() as cursor:
        present = {column.name for column in connection.introspection.get_table_description(cursor, "disputes_letter")}
    return [c for c in LETTER_FROZEN if c in present], [c for c in LETTER_SET_ONCE if c in present]


def _postgresql(tables: set[str], frozen: list[str], set_once: list[str]) -> list[str]:
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in frozen)
    once = " OR ".join(f"(OLD.{c} IS NOT NULL AND NEW.{c} IS DISTINCT FROM OLD.{c})" for c in set_once) or "false"
    sql = [PG_FUNCTIONS, PG_LETTER_FUNCTION.replace("{changed}", changed).replace("{set_once}", once)]
    for table in (t for t in APPEND_ONLY if t in tables):
        sql.append(f"CREATE OR REPLACE TRIGGER settle_append_only BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION settle_refuse();")  # fmt: skip
    for table in (t for t in NEVER_DELETED if t in tables):
        sql.append(f"CREATE OR REPLACE TRIGGER settle_never_deleted BEFORE DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION settle_refuse();")  # fmt: skip
    sql.append("CREATE OR REPLACE TRIGGER settle_final_letter BEFORE UPDATE OR DELETE ON disputes_letter "
               "FOR EACH ROW EXECUTE FUNCTION settle_refuse_final_letter();")  # fmt: skip
    for table in (t for t in ALL_TABLES if t in tables):
        sql.append(f"CREATE OR REPLACE TRIGGER settle_no_truncate BEFORE TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION settle_refuse();")  # fmt: skip
    return sql


def _sqlite(tables: set[str], frozen: list[str], set_once_columns: list[str]) -> list[str]:
    refuse = "SELECT RAISE(ABORT, 'Settle keeps {what} append-only: {op} refused');"
    sql = []
    for table in (t for t in APPEND_ONLY if t in tables):
        for op in ("UPDATE", "DELETE"):
            sql.append(f"CREATE TRIGGER IF NOT EXISTS settle_{table}_{op.lower()} BEFORE {op} ON {table} "
                       f"WHEN NOT settle_rewrite_allowed() BEGIN {refuse.format(what=table, op=op)} END;")  # fmt: skip
    for table in (t for t in NEVER_DELETED if t in tables):
        message = refuse.format(what=table, op="DELETE")
        sql.append(
            f"CREATE TRIGGER IF NOT EXISTS settle_{table}_delete BEFORE DELETE ON {table} "
            f"WHEN NOT settle_rewrite_allowed() BEGIN {message} END;"
        )
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in frozen)
    set_once = " OR ".join(f"(OLD.{c} IS NOT NULL AND NEW.{c} IS NOT OLD.{c})" for c in set_once_columns) or "0"
    sql.append(
        "CREATE TRIGGER IF NOT EXISTS settle_disputes_letter_update BEFORE UPDATE ON disputes_letter "
        "WHEN OLD.status = 'final' AND NOT settle_rewrite_allowed() "
        f"AND ({changed} OR {set_once}) "
        "BEGIN SELECT RAISE(ABORT, 'Settle keeps final letters unchanged: UPDATE refused'); END;"
    )
    sql.append(
        "CREATE TRIGGER IF NOT EXISTS settle_disputes_letter_delete BEFORE DELETE ON disputes_letter "
        "WHEN OLD.status = 'final' AND NOT settle_rewrite_allowed() "
        "BEGIN SELECT RAISE(ABORT, 'Settle keeps final letters unchanged: DELETE refused'); END;"
    )
    return sql


def install_triggers(connection) -> None:
    """Create (or replace) every trigger, for the protected tables that exist. Safe to run again."""
    tables = set(connection.introspection.table_names())
    if connection.vendor not in ("postgresql", "sqlite") or "disputes_letter" not in tables:
        return
    columns = _letter_columns(connection)
    statements = _postgresql(tables, *columns) if connection.vendor == "postgresql" else _sqlite(tables, *columns)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def installed_triggers(connection) -> set[str]:
    """The names of Settle's triggers present now (on PostgreSQL: trigger@table)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname || '@' || tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE 'settle_%'"
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'settle_%'")
        return {row[0] for row in cursor.fetchall()}


def expected_triggers(connection) -> set[str]:
    tables = set(connection.introspection.table_names())
    names = set()
    for table in (t for t in APPEND_ONLY if t in tables):
        names |= {f"settle_append_only@{table}"} if connection.vendor == "postgresql" else {
            f"settle_{table}_update", f"settle_{table}_delete"}  # fmt: skip
    for table in (t for t in NEVER_DELETED if t in tables):
        names.add(f"settle_never_deleted@{table}" if connection.vendor == "postgresql" else f"settle_{table}_delete")
    if connection.vendor == "postgresql":
        names.add("settle_final_letter@disputes_letter")
        names |= {f"settle_no_truncate@{t}" for t in ALL_TABLES if t in tables}
    else:
        names |= {"settle_disputes_letter_update", "settle_disputes_letter_delete"}
    return names


def ensure_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate: SQLite rebuilds a table on most schema changes and drops its triggers with it;
    this puts them back after every `migrate`, so no later migration can silently lift the protection
    (nor stop the dashboard's tallies, `disputes.tallies`, from following the cases)."""
    from disputes.tallies import tally_install

    install_triggers(connections[using])
    tally_install(connections[using])
