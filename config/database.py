"""The default database, from DATABASE_URL: SQLite in the var folder unless a URL names another."""

import dj_database_url

from config.env import env_bool, env_int, env_str


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
    return database
