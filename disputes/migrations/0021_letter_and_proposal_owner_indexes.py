"""Letters' and settlement proposals' owner is required, and their open ones are indexed by owner
(filled in by 0020; a separate migration, since PostgreSQL does not alter a table with the rows
changed in the same transaction still to be checked)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0020_letter_and_proposal_owner"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="letter",
            name="owner",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AlterField(
            model_name="settlementproposal",
            name="owner",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.RemoveIndex(model_name="letter", name="letter_deadline_open"),
        migrations.RemoveIndex(model_name="settlementproposal", name="proposal_waiting_deadline"),
        migrations.AddIndex(
            model_name="letter",
            index=models.Index(
                condition=models.Q(("paid_at__isnull", True), ("status", "final"), ("superseded_at__isnull", True)),
                fields=["owner", "deadline_at"],
                name="letter_owner_deadline_open",
            ),
        ),
        migrations.AddIndex(
            model_name="settlementproposal",
            index=models.Index(
                condition=models.Q(("status", "proposed")),
                fields=["owner", "deadline"],
                name="proposal_owner_waiting",
            ),
        ),
    ]
