"""Close reviews left open on cases that stepped back below platform support.

Until now a case that went back to direct talk kept its open review, so it
stayed in the staff queue (counted, and in the daily digest) while staff got
a 404 opening it. From now on `review_follow_case` closes it; this closes the
ones already left behind.
"""

from django.db import migrations

ESCALATED = ("platform_support", "mediation", "legal")


def close_stale_reviews(apps, schema_editor):
    Review = apps.get_model("disputes", "Review")
    stale = Review.objects.filter(state="open").exclude(case__stage__in=ESCALATED, case__status="open")
    for review in stale.select_related("case"):
        Review.objects.filter(pk=review.pk).update(state="closed", closed_at=review.case.stage_changed_at)


class Migration(migrations.Migration):
    dependencies = [("disputes", "0005_one_money_rule_and_protected_records")]

    operations = [migrations.RunPython(close_stale_reviews, migrations.RunPython.noop)]
