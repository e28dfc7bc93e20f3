"""Letters and settlement proposals carry their case's owner, so that a user's open ones are read
by their own index: the deadline board and the navigation count no longer walk every open case."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_owner(apps, schema_editor):
    Case = apps.get_model("disputes", "Case")
    owner = Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("owner_id")[:1])
    for name in ("Letter", "SettlementProposal"):
        apps.get_model("disputes", name).objects.update(owner_id=owner)


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0019_lessons_and_reports"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="letter",
            name="owner",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="settlementproposal",
            name="owner",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.RunPython(fill_owner, migrations.RunPython.noop),
    ]
