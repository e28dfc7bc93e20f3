"""The triggers that keep `CaseTally` (the dashboard's totals) in step with the case table.

Every INSERT, UPDATE or DELETE of a case adjusts the tally rows it leaves
and enters, in the same transaction: counts per (owner, stage, currency)
of open cases and the sum of their amounts in hundredths. Installed by the
migration that made the table and again after every `migrate` (SQLite
drops a table's triggers when a migration rebuilds it). `tally_rebuild`
recomputes the table from the cases, for the migration and for a check.
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


def tally_install(connection=default_connection) -> None:
    tables = set(connection.introspection.table_names())
    if not {"disputes_case", "disputes_casetally"} <= tables:
        return
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(connection.vendor, [])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def tally_rebuild(connection=default_connection) -> None:
    """Recompute every tally row from the cases (the migration's backfill)."""
    with connection.cursor() as cursor:
        for statement in REBUILD:
            cursor.execute(statement)
