"""Before the database refuses implausible contact times (the next migration), mend the rows that
hold one, so the constraint can be added: a contact said to have happened before 1970 or from
year 3000 on is dated when it was recorded."""

from datetime import UTC, datetime

from django.db import migrations
from django.db.models import F, Q

# The bounds as they stood when this migration was written (ventanilla.core.dates).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
BEFORE = datetime(3000, 1, 1, tzinfo=UTC)


def mend(apps, schema_editor):
    Interaction = apps.get_model("interactions", "Interaction")
    Interaction.objects.filter(Q(occurred_at__lt=EARLIEST) | Q(occurred_at__gte=BEFORE)).update(
        occurred_at=F("created_at")
    )


class Migration(migrations.Migration):
    dependencies = [("interactions", "0002_interaction_attachment")]

    operations = [migrations.RunPython(mend, migrations.RunPython.noop, elidable=True)]
