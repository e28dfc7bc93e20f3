"""Database triggers that keep the record append-only (see disputes/db_guard.py).

The trigger definitions live in db_guard, which also puts them back after
every `migrate` (SQLite drops a table's triggers when a migration rebuilds it).
"""

from django.db import migrations

from disputes import db_guard


def install(apps, schema_editor):
    db_guard.install_triggers(schema_editor.connection)


def remove(apps, schema_editor):
    connection = schema_editor.connection
    for name in db_guard.installed_triggers(connection):
        trigger, _, table = name.partition("@")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table};" if table else f"DROP TRIGGER IF EXISTS {trigger};")


class Migration(migrations.Migration):
    dependencies = [("disputes", "0010_hash_chain")]

    operations = [migrations.RunPython(install, remove)]
