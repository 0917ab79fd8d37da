"""The Open311 GeoReport v2 door is a contact channel of its own: the cases it opens are told
apart from other API cases, and only they are published by its public reads."""

from django.db import migrations


def add_channel(apps, schema_editor):
    Channel = apps.get_model("catalog", "Channel")
    Channel.objects.update_or_create(
        code="open311",
        defaults={"name_es": "Open311", "name_en": "Open311", "assisted": False},
    )


def remove_channel(apps, schema_editor):
    apps.get_model("catalog", "Channel").objects.filter(code="open311").delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0007_life_event_position_named")]
    operations = [migrations.RunPython(add_channel, remove_channel)]
