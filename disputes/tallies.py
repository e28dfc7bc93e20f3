"""The triggers that keep the tallies in step with the case table.

Every INSERT, UPDATE or DELETE of a case adjusts the tally rows it leaves
and enters, in the same transaction:

- `CaseTally` (the dashboard): counts per (owner, stage, currency) of open
  cases and the sum of their amounts in hundredths;
- `OpenedTally` and `ClosedTally` (the reports): cases per UTC month of
  opening, with money disputed and recovered, and per UTC month of closing,
  with the rung, status, outcome and root cause they ended on;
- `Case.shelved`: whether the case, its project or its client is archived
  (written on the case row; a project or client archived or restored
  touches the cases under it).

Installed by the migrations that made the tables and again after every
`migrate` (SQLite drops a table's triggers when a migration rebuilds it).
`tally_rebuild` recomputes the tables from the cases, for the migrations
and for a check.
"""

from django.db import connection as default_connection

TRIGGER_NAMES = ("settle_tally_insert", "settle_tally_update", "settle_tally_delete")

_SQLITE_ADD = """
INSERT INTO disputes_casetally (owner_id, stage, currency, cases, amount_cents)
SELECT NEW.owner_id, NEW.stage, NEW.currency, 0, 0 WHERE NEW.status = 'open'
ON CONFLICT (owner_id, stage, currency) DO NOTHING;
UPDATE disputes_casetally
SET cases = cases + 1, amount_cents = amount_cents + CAST(ROUND(NEW.amount_in_dispute * 100) AS INTEGER)
WHERE NEW.status = 'open' AND owner_id = NEW.owner_id AND stage = NEW.stage AND currency = NEW.currency;
"""
_SQLITE_REMOVE = """
UPDATE disputes_casetally
SET cases = cases - 1, amount_cents = amount_cents - CAST(ROUND(OLD.amount_in_dispute * 100) AS INTEGER)
WHERE OLD.status = 'open' AND owner_id = OLD.owner_id AND stage = OLD.stage AND currency = OLD.currency;
"""
SQLITE = [
    f"CREATE TRIGGER IF NOT EXISTS settle_tally_insert AFTER INSERT ON disputes_case BEGIN {_SQLITE_ADD} END;",
    "CREATE TRIGGER IF NOT EXISTS settle_tally_update AFTER UPDATE OF owner_id, stage, status, currency, "
    f"amount_in_dispute ON disputes_case BEGIN {_SQLITE_REMOVE} {_SQLITE_ADD} END;",
    f"CREATE TRIGGER IF NOT EXISTS settle_tally_delete AFTER DELETE ON disputes_case BEGIN {_SQLITE_REMOVE} END;",
]
POSTGRESQL = [
    """
CREATE OR REPLACE FUNCTION settle_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'open' THEN
    UPDATE disputes_casetally
    SET cases = cases - 1, amount_cents = amount_cents - round(OLD.amount_in_dispute * 100)::bigint
    WHERE owner_id = OLD.owner_id AND stage = OLD.stage AND currency = OLD.currency;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'open' THEN
    INSERT INTO disputes_casetally (owner_id, stage, currency, cases, amount_cents)
    VALUES (NEW.owner_id, NEW.stage, NEW.currency, 1, round(NEW.amount_in_dispute * 100)::bigint)
    ON CONFLICT (owner_id, stage, currency) DO UPDATE
    SET cases = disputes_casetally.cases + 1, amount_cents = disputes_casetally.amount_cents + EXCLUDED.amount_cents;
  END IF;
  RETURN NULL;
END $$;
""",
    "CREATE OR REPLACE TRIGGER settle_tally_insert AFTER INSERT ON disputes_case "
    "FOR EACH ROW EXECUTE FUNCTION settle_tally();",
    "CREATE OR REPLACE TRIGGER settle_tally_update AFTER UPDATE OF owner_id, stage, status, currency, "
    "amount_in_dispute ON disputes_case FOR EACH ROW EXECUTE FUNCTION settle_tally();",
    "CREATE OR REPLACE TRIGGER settle_tally_delete AFTER DELETE ON disputes_case "
    "FOR EACH ROW EXECUTE FUNCTION settle_tally();",
]

REBUILD = [
    "DELETE FROM disputes_casetally",
    """
INSERT INTO disputes_casetally (owner_id, stage, currency, cases, amount_cents)
SELECT owner_id, stage, currency, COUNT(*), SUM(CAST(ROUND(amount_in_dispute * 100) AS BIGINT))
FROM disputes_case WHERE status = 'open' GROUP BY owner_id, stage, currency
""",
]


# The reports' tallies. A month is the first day of the UTC month; hundredths are rounded as above.
_SQLITE_MONTH = "strftime('%Y-%m-01', {})"
_PG_MONTH = "(date_trunc('month', {} AT TIME ZONE 'UTC'))::date"


def _sqlite_report(row: str, sign: str) -> str:
    month, closed = _SQLITE_MONTH.format(f"{row}.opened_at"), _SQLITE_MONTH.format(f"{row}.closed_at")
    cents = f"CAST(ROUND({row}.amount_in_dispute * 100) AS INTEGER)"
    recovered = f"CAST(ROUND(COALESCE({row}.amount_recovered, 0) * 100) AS INTEGER)"
    out = ""
    if sign == "+":
        out += (
            "INSERT INTO disputes_openedtally (owner_id, month, kind, currency, cases, disputed_cents, recovered_cents)"
            f" SELECT {row}.owner_id, {month}, {row}.kind, {row}.currency, 0, 0, 0 WHERE 1"
            " ON CONFLICT (owner_id, month, kind, currency) DO NOTHING;"
            " INSERT INTO disputes_closedtally (owner_id, month, stage, status, outcome, root_cause_kind, cases)"
            f" SELECT {row}.owner_id, {closed}, {row}.stage, {row}.status, {row}.outcome, {row}.root_cause_kind, 0"
            f" WHERE {row}.closed_at IS NOT NULL"
            " ON CONFLICT (owner_id, month, stage, status, outcome, root_cause_kind) DO NOTHING;"
        )
    out += (
        f" UPDATE disputes_openedtally SET cases = cases {sign} 1, disputed_cents = disputed_cents {sign} {cents},"  # noqa: S608 (names and expressions written here)
        f" recovered_cents = recovered_cents {sign} {recovered}"
        f" WHERE owner_id = {row}.owner_id AND month = {month} AND kind = {row}.kind AND currency = {row}.currency;"
        f" UPDATE disputes_closedtally SET cases = cases {sign} 1"
        f" WHERE {row}.closed_at IS NOT NULL AND owner_id = {row}.owner_id AND month = {closed}"
        f" AND stage = {row}.stage AND status = {row}.status AND outcome = {row}.outcome"
        f" AND root_cause_kind = {row}.root_cause_kind;"
    )
    return out


REPORT_COLUMNS = (
    "owner_id, opened_at, kind, currency, amount_in_dispute, amount_recovered, closed_at, stage, status, outcome, "
    "root_cause_kind"
)
REPORT_SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS settle_report_tally_insert AFTER INSERT ON disputes_case "
    f"BEGIN {_sqlite_report('NEW', '+')} END;",
    f"CREATE TRIGGER IF NOT EXISTS settle_report_tally_update AFTER UPDATE OF {REPORT_COLUMNS} ON disputes_case "
    f"BEGIN {_sqlite_report('OLD', '-')} {_sqlite_report('NEW', '+')} END;",
    "CREATE TRIGGER IF NOT EXISTS settle_report_tally_delete AFTER DELETE ON disputes_case "
    f"BEGIN {_sqlite_report('OLD', '-')} END;",
]
_PG_OLD_MONTH, _PG_NEW_MONTH = _PG_MONTH.format("OLD.opened_at"), _PG_MONTH.format("NEW.opened_at")
_PG_OLD_CLOSED, _PG_NEW_CLOSED = _PG_MONTH.format("OLD.closed_at"), _PG_MONTH.format("NEW.closed_at")
REPORT_POSTGRESQL = [
    f"""
CREATE OR REPLACE FUNCTION settle_report_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE disputes_openedtally
    SET cases = cases - 1, disputed_cents = disputed_cents - round(OLD.amount_in_dispute * 100)::bigint,
        recovered_cents = recovered_cents - round(coalesce(OLD.amount_recovered, 0) * 100)::bigint
    WHERE owner_id = OLD.owner_id AND month = {_PG_OLD_MONTH} AND kind = OLD.kind AND currency = OLD.currency;
    IF OLD.closed_at IS NOT NULL THEN
      UPDATE disputes_closedtally SET cases = cases - 1
      WHERE owner_id = OLD.owner_id AND month = {_PG_OLD_CLOSED} AND stage = OLD.stage AND status = OLD.status
        AND outcome = OLD.outcome AND root_cause_kind = OLD.root_cause_kind;
    END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO disputes_openedtally (owner_id, month, kind, currency, cases, disputed_cents, recovered_cents)
    VALUES (NEW.owner_id, {_PG_NEW_MONTH}, NEW.kind, NEW.currency, 1, round(NEW.amount_in_dispute * 100)::bigint,
            round(coalesce(NEW.amount_recovered, 0) * 100)::bigint)
    ON CONFLICT (owner_id, month, kind, currency) DO UPDATE
    SET cases = disputes_openedtally.cases + 1,
        disputed_cents = disputes_openedtally.disputed_cents + EXCLUDED.disputed_cents,
        recovered_cents = disputes_openedtally.recovered_cents + EXCLUDED.recovered_cents;
    IF NEW.closed_at IS NOT NULL THEN
      INSERT INTO disputes_closedtally (owner_id, month, stage, status, outcome, root_cause_kind, cases)
      VALUES (NEW.owner_id, {_PG_NEW_CLOSED}, NEW.stage, NEW.status, NEW.outcome, NEW.root_cause_kind, 1)
      ON CONFLICT (owner_id, month, stage, status, outcome, root_cause_kind) DO UPDATE
      SET cases = disputes_closedtally.cases + 1;
    END IF;
  END IF;
  RETURN NULL;
END $$;
""",  # noqa: S608 (names and expressions written here)
    "CREATE OR REPLACE TRIGGER settle_report_tally_insert AFTER INSERT ON disputes_case "
    "FOR EACH ROW EXECUTE FUNCTION settle_report_tally();",
    f"CREATE OR REPLACE TRIGGER settle_report_tally_update AFTER UPDATE OF {REPORT_COLUMNS} ON disputes_case "
    "FOR EACH ROW EXECUTE FUNCTION settle_report_tally();",
    "CREATE OR REPLACE TRIGGER settle_report_tally_delete AFTER DELETE ON disputes_case "
    "FOR EACH ROW EXECUTE FUNCTION settle_report_tally();",
]


def _report_rebuild(month: str) -> list[str]:
    return [
        "DELETE FROM disputes_openedtally",
        "INSERT INTO disputes_openedtally (owner_id, month, kind, currency, cases, disputed_cents, recovered_cents)"  # noqa: S608 (names and expressions written here)
        f" SELECT owner_id, {month.format('opened_at')}, kind, currency, COUNT(*),"
        " SUM(CAST(ROUND(amount_in_dispute * 100) AS BIGINT)),"
        " SUM(CAST(ROUND(COALESCE(amount_recovered, 0) * 100) AS BIGINT))"
        f" FROM disputes_case GROUP BY owner_id, {month.format('opened_at')}, kind, currency",
        "DELETE FROM disputes_closedtally",
        "INSERT INTO disputes_closedtally (owner_id, month, stage, status, outcome, root_cause_kind, cases)"  # noqa: S608 (names and expressions written here)
        f" SELECT owner_id, {month.format('closed_at')}, stage, status, outcome, root_cause_kind, COUNT(*)"
        f" FROM disputes_case WHERE closed_at IS NOT NULL"
        f" GROUP BY owner_id, {month.format('closed_at')}, stage, status, outcome, root_cause_kind",
    ]


# A case's `shelved` flag: archived itself, or with its project or its client (Case.ARCHIVED_THROUGH).
# Worked out again whenever the case is written (whatever an old copy of the row says) and, for every
# case under it, when a project or client is archived or restored.
def _shelved(row: str) -> str:
    return (
        f"({row}.archived_at IS NOT NULL"  # noqa: S608 (names written here)
        f" OR EXISTS (SELECT 1 FROM disputes_project p WHERE p.id = {row}.project_id AND p.archived_at IS NOT NULL)"
        f" OR EXISTS (SELECT 1 FROM disputes_client k WHERE k.id = {row}.client_id AND k.archived_at IS NOT NULL))"
    )


_CASE_COLUMNS = "archived_at, project_id, client_id, shelved"
SHELF_SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS settle_shelf_insert AFTER INSERT ON disputes_case "  # noqa: S608 (names written here)
    f"BEGIN UPDATE disputes_case SET shelved = {_shelved('NEW')} WHERE id = NEW.id; END;",
    # Not fired again by its own UPDATE: SQLite's triggers are not recursive unless asked.
    f"CREATE TRIGGER IF NOT EXISTS settle_shelf_update AFTER UPDATE OF {_CASE_COLUMNS} ON disputes_case "  # noqa: S608
    f"BEGIN UPDATE disputes_case SET shelved = {_shelved('NEW')} WHERE id = NEW.id; END;",
    # Touching the cases' flag fires the trigger above for each of them.
    "CREATE TRIGGER IF NOT EXISTS settle_shelf_project AFTER UPDATE OF archived_at ON disputes_project "
    "WHEN OLD.archived_at IS NOT NEW.archived_at "
    "BEGIN UPDATE disputes_case SET shelved = shelved WHERE project_id = NEW.id; END;",
    "CREATE TRIGGER IF NOT EXISTS settle_shelf_client AFTER UPDATE OF archived_at ON disputes_client "
    "WHEN OLD.archived_at IS NOT NEW.archived_at "
    "BEGIN UPDATE disputes_case SET shelved = shelved WHERE client_id = NEW.id; END;",
]
SHELF_POSTGRESQL = [
    f"""
CREATE OR REPLACE FUNCTION settle_shelf_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.shelved := {_shelved("NEW")};
  RETURN NEW;
END $$;
""",
    f"CREATE OR REPLACE TRIGGER settle_shelf_case BEFORE INSERT OR UPDATE OF {_CASE_COLUMNS} ON disputes_case "
    "FOR EACH ROW EXECUTE FUNCTION settle_shelf_case();",
    """
CREATE OR REPLACE FUNCTION settle_shelf_parent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'disputes_project' THEN
    UPDATE disputes_case SET shelved = shelved WHERE project_id = NEW.id;
  ELSE
    UPDATE disputes_case SET shelved = shelved WHERE client_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;
""",
    "CREATE OR REPLACE TRIGGER settle_shelf_project AFTER UPDATE OF archived_at ON disputes_project FOR EACH ROW "
    "WHEN (OLD.archived_at IS DISTINCT FROM NEW.archived_at) EXECUTE FUNCTION settle_shelf_parent();",
    "CREATE OR REPLACE TRIGGER settle_shelf_client AFTER UPDATE OF archived_at ON disputes_client FOR EACH ROW "
    "WHEN (OLD.archived_at IS DISTINCT FROM NEW.archived_at) EXECUTE FUNCTION settle_shelf_parent();",
]
SHELF_REBUILD = [f"UPDATE disputes_case SET shelved = {_shelved('disputes_case')}"]  # noqa: S608 (names written here)


# (the tables, or "table.column"s, a set of triggers needs (the older migrations install the sets
# whose tables they find), its statements per database, its rebuild per database)
TALLIES = [
    ({"disputes_case", "disputes_casetally"}, {"sqlite": SQLITE, "postgresql": POSTGRESQL},
     {"sqlite": REBUILD, "postgresql": REBUILD}),
    ({"disputes_case", "disputes_openedtally", "disputes_closedtally"},
     {"sqlite": REPORT_SQLITE, "postgresql": REPORT_POSTGRESQL},
     {"sqlite": _report_rebuild(_SQLITE_MONTH), "postgresql": _report_rebuild(_PG_MONTH)}),
    ({"disputes_case.shelved", "disputes_project", "disputes_client"},
     {"sqlite": SHELF_SQLITE, "postgresql": SHELF_POSTGRESQL},
     {"sqlite": SHELF_REBUILD, "postgresql": SHELF_REBUILD}),
]  # fmt: skip


def _present(connection, needs: set[str], tables: set[str]) -> bool:
    for need in needs:
        table, _, column = need.partition(".")
        if table not in tables:
            return False
        if column:
            with connection.cursor() as cursor:
                columns = {c.name for c in connection.introspection.get_table_description(cursor, table)}
            if column not in columns:
                return False
    return True


def tally_install(connection=default_connection) -> None:
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for needs, triggers, _ in TALLIES:
            if _present(connection, needs, tables):
                for statement in triggers.get(connection.vendor, []):
                    cursor.execute(statement)


def tally_rebuild(connection=default_connection) -> None:
    """Recompute every tally row from the cases (the migrations' backfill)."""
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for needs, _, rebuild in TALLIES:
            if _present(connection, needs, tables):
                for statement in rebuild.get(connection.vendor, []):
                    cursor.execute(statement)
