"""The default database, from DATABASE_URL: SQLite in the var folder unless a URL names another."""

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_str

PLAN_CACHE_MODES = ("force_generic_plan", "auto", "force_custom_plan")


def default_database(var_dir) -> dict:
    database = dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{var_dir / 'settle.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600, minimum=0),
        conn_health_checks=True,
    )
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web process and the worker read while the other writes. Connections are kept
        # (CONN_MAX_AGE above) as on PostgreSQL: opening one and running these pragmas costs about
        # 1.4 ms, a quarter of a small page.
        database["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        }
    elif database["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_PREPARED_STATEMENTS", True):
        # Parameters bound by the server, and a statement a connection runs a second time prepared
        # there (psycopg's automatic prepared statements): the navigation bar's counts took 4.4 ms to
        # plan and 0.6 ms to run. Turn it off (DATABASE_PREPARED_STATEMENTS=0) behind a pooler that
        # cannot keep prepared statements, such as PgBouncer in transaction mode before 1.21.
        database.setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 2})
        # A prepared statement is planned once and then reused: PostgreSQL's own choice ("auto") kept
        # planning Settle's short, owner-scoped statements anew on each run (a custom plan per value),
        # which took longer than running them. Generic plans cut the database's time per page by about
        # a third (2,000-20,000 cases); DATABASE_PLAN_CACHE_MODE=auto gives the choice back to PostgreSQL.
        mode = env_str("DATABASE_PLAN_CACHE_MODE", "force_generic_plan")
        if mode not in PLAN_CACHE_MODES:
            raise ImproperlyConfigured(f"DATABASE_PLAN_CACHE_MODE must be one of {', '.join(PLAN_CACHE_MODES)}.")
        if mode != "auto":
            database["OPTIONS"]["options"] = f"-c plan_cache_mode={mode}"
    return database
