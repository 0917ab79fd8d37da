"""The contact channels every installation has; their codes are part of the API."""

from django.db import migrations

CHANNELS = [
    ("web", "Portal web", "Web portal", False),
    ("kiosk", "Quiosco", "Kiosk", False),
    ("email", "Correo electrónico", "Email", False),
    ("phone", "Teléfono", "Phone", True),
    ("desk", "Atención presencial", "In-person desk", True),
    ("api", "API / otra administración", "API / another administration", False),
    ("post", "Correo postal", "Post", False),
    ("app", "Aplicación móvil", "Mobile app", False),
]


def add_channels(apps, schema_editor):
    Channel = apps.get_model("catalog", "Channel")
    for code, name_es, name_en, assisted in CHANNELS:
        Channel.objects.update_or_create(
            code=code, defaults={"name_es": name_es, "name_en": name_en, "assisted": assisted}
        )


def remove_channels(apps, schema_editor):
    Channel = apps.get_model("catalog", "Channel")
    Channel.objects.filter(code__in=[c[0] for c in CHANNELS]).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(add_channels, remove_channels)]
