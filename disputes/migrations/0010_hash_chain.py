"""Every timeline entry becomes a link in its case's hash chain (see disputes/rules/chain.py).

Existing entries are chained in the order they were written (their id);
private entries arrive later, so every existing entry is shared.
"""

import secrets

from django.db import migrations, models

from disputes.rules import chain


def chain_existing_entries(apps, schema_editor):
    Case = apps.get_model("disputes", "Case")
    TimelineEntry = apps.get_model("disputes", "TimelineEntry")
    for case_id in Case.objects.values_list("pk", flat=True).iterator():
        head, sequence, sequence_of = chain.GENESIS, 0, {}
        for entry in TimelineEntry.objects.filter(case_id=case_id).order_by("id").iterator():
            sequence += 1
            sequence_of[entry.pk] = sequence
            entry.sequence = sequence
            entry.salt = secrets.token_hex(16)
            entry.previous_sha256 = head
            entry.content_sha256 = chain.content_hash(
                chain.entry_fields(entry, sequence_of=lambda pk: None if pk is None else sequence_of.get(pk))
            )
            entry.entry_sha256 = chain.link_hash(head, entry.content_sha256)
            TimelineEntry.objects.filter(pk=entry.pk).update(
                sequence=entry.sequence,
                salt=entry.salt,
                previous_sha256=entry.previous_sha256,
                content_sha256=entry.content_sha256,
                entry_sha256=entry.entry_sha256,
            )
            head = entry.entry_sha256
        Case.objects.filter(pk=case_id).update(chain_length=sequence, chain_head=head)


class Migration(migrations.Migration):
    dependencies = [("disputes", "0009_checks")]

    operations = [
        migrations.AddField(
            model_name="case", name="chain_length", field=models.PositiveIntegerField(default=0)
        ),
        migrations.AddField(
            model_name="case", name="chain_head", field=models.CharField(default="0" * 64, max_length=64)
        ),
        migrations.AddField(
            model_name="timelineentry", name="fingerprints", field=models.CharField(blank=True, max_length=1400)
        ),
        migrations.AddField(
            model_name="timelineentry",
            name="shared",
            field=models.BooleanField(
                default=True,
                help_text="Seen by Settle staff, a mediator and in the case file. Private notes are not.",
            ),
        ),
        migrations.AddField(
            model_name="timelineentry", name="salt", field=models.CharField(default="", max_length=32)
        ),
        migrations.AddField(model_name="timelineentry", name="sequence", field=models.PositiveIntegerField(null=True)),
        migrations.AddField(
            model_name="timelineentry", name="content_sha256", field=models.CharField(default="", max_length=64)
        ),
        migrations.AddField(
            model_name="timelineentry", name="previous_sha256", field=models.CharField(default="", max_length=64)
        ),
        migrations.AddField(
            model_name="timelineentry", name="entry_sha256", field=models.CharField(default="", max_length=64)
        ),
        migrations.RunPython(chain_existing_entries, migrations.RunPython.noop),
        migrations.AlterField(model_name="timelineentry", name="sequence", field=models.PositiveIntegerField()),
        migrations.AlterField(model_name="timelineentry", name="salt", field=models.CharField(max_length=32)),
        migrations.AlterField(model_name="timelineentry", name="content_sha256", field=models.CharField(max_length=64)),
        migrations.AlterField(
            model_name="timelineentry", name="previous_sha256", field=models.CharField(max_length=64)
        ),
        migrations.AlterField(model_name="timelineentry", name="entry_sha256", field=models.CharField(max_length=64)),
        migrations.AddConstraint(
            model_name="timelineentry",
            constraint=models.UniqueConstraint(fields=("case", "sequence"), name="entry_one_per_position"),
        ),
    ]
