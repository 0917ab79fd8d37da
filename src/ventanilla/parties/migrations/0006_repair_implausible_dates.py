"""Before the database refuses implausible dates (the next migration), mend the rows that hold
one, so the constraint can be added: a birth date before 1900 or from year 3000 on becomes
unknown, the old value kept in the party's change history for a person to look at; a contact
point's or a representation's end outside those years becomes open, and a representation's start
before 1900 moves to 1 January 1900."""

from datetime import date

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

# The bounds as they stood when this migration was written (ventanilla.core.dates).
EARLIEST = date(1900, 1, 1)
BEFORE = date(3000, 1, 1)


def _outside(field: str) -> Q:
    return Q(**{f"{field}__lt": EARLIEST}) | Q(**{f"{field}__gte": BEFORE})


def mend(apps, schema_editor):
    Party = apps.get_model("parties", "Party")
    ProfileChange = apps.get_model("parties", "ProfileChange")
    ContactPoint = apps.get_model("parties", "ContactPoint")
    Representation = apps.get_model("parties", "Representation")
    now = timezone.now()
    parties = list(Party.objects.filter(_outside("birth_date")).only("pk", "birth_date"))
    ProfileChange.objects.bulk_create(
        ProfileChange(
            party_id=party.pk,
            changed_at=now,
            changed_by="implausible-date check",
            field="birth_date",
            old_value=party.birth_date.isoformat(),
            new_value=None,
        )
        for party in parties
    )
    Party.objects.filter(pk__in=[party.pk for party in parties]).update(birth_date=None)
    ContactPoint.objects.filter(_outside("valid_until")).update(valid_until=None)
    Representation.objects.filter(_outside("valid_until")).update(valid_until=None)
    Representation.objects.filter(valid_from__lt=EARLIEST).update(valid_from=EARLIEST)
    # A start from year 3000 on: the representation starts when it was recorded.
    for row in Representation.objects.filter(valid_from__gte=BEFORE).only("pk", "created_at"):
        Representation.objects.filter(pk=row.pk).update(
            valid_from=timezone.localdate(row.created_at), valid_until=None
        )


class Migration(migrations.Migration):
    dependencies = [("parties", "0005_portal_sign_in_token")]

    operations = [migrations.RunPython(mend, migrations.RunPython.noop, elidable=True)]
