"""The shared catalogue of common outside deadlines. The days are typical starting points, not any
platform's rule: the form says to check them against the notice the platform or body sent."""

from django.db import migrations

CATALOGUE = [
    ("Answer the platform's dispute notice", 3, "me", "Marketplaces often close a dispute for the side that does not answer in time."),
    ("Send evidence to the platform", 5, "me", "Scope, delivery proof, the client's messages, invoices."),
    ("Answer a card chargeback (evidence to the payment provider)", 7, "me", "Card networks give days, not weeks."),
    ("Client's answer to the platform", 3, "client", ""),
    ("Platform's decision", 14, "body", "When the platform said it would decide."),
    ("Accept or reject the mediator's proposal", 7, "me", ""),
    ("Appeal a platform decision", 14, "me", ""),
    ("Answer a court or tribunal letter", 14, "me", ""),
]


def seed(apps, schema_editor):
    DeadlineTemplate = apps.get_model("disputes", "DeadlineTemplate")
    DeadlineTemplate.objects.bulk_create(
        DeadlineTemplate(owner=None, title=title, days=days, owed_by=owed_by, note=note)
        for title, days, owed_by, note in CATALOGUE
    )


def unseed(apps, schema_editor):
    apps.get_model("disputes", "DeadlineTemplate").objects.filter(owner=None).delete()


class Migration(migrations.Migration):
    dependencies = [("disputes", "0017_outside_deadlines")]
    operations = [migrations.RunPython(seed, unseed)]
