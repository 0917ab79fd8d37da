"""The answers citizens gave on their closed cases join the set of satisfaction answers, with the
case's channel and reference, so the answers of every door are counted together. Reversing
removes those copies (the cases keep their own answer)."""

from datetime import timedelta
from typing import Any

from django.db import migrations


def copy(apps: Any, schema_editor: Any) -> None:
    case_model = apps.get_model("cases", "Case")
    answer = apps.get_model("interactions", "SatisfactionAnswer")
    rated = case_model.objects.filter(satisfaction__isnull=False).values_list(
        "pk", "party_id", "channel_id", "reference", "closed_at", "satisfaction",
        "satisfaction_comment", "satisfaction_at",
    )
    batch = []
    for pk, party, channel, reference, closed, score, comment, at in rated.iterator():
        asked = closed or at
        batch.append(
            answer(
                party_id=party, channel_id=channel, about=reference, case_id=pk, asked_at=asked,
                expires_at=asked + timedelta(days=30), score=score, comment=comment or "",
                answered_at=at or asked,
            )
        )
        if len(batch) >= 1000:
            answer.objects.bulk_create(batch)
            batch = []
    answer.objects.bulk_create(batch)


def uncopy(apps: Any, schema_editor: Any) -> None:
    apps.get_model("interactions", "SatisfactionAnswer").objects.filter(
        case__isnull=False
    ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("interactions", "0007_satisfaction_answer"),
    ]

    operations = [migrations.RunPython(copy, uncopy)]
