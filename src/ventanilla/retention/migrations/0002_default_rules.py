"""Starting retention periods; each administration adjusts them to its own rules in the admin."""

from django.db import migrations

DEFAULTS = [
    # category, days, reference
    ("cases", 5 * 365, "Plazo general de prescripción; Ley 39/2015 y normativa de archivos"),
    ("address", 4 * 365, "Domicilios anteriores: plazo de prescripción tributaria (LGT art. 66)"),
    ("contact", 2 * 365, "Datos de contacto que dejaron de ser válidos"),
    ("family", 4 * 365, "Situación familiar: se vuelve a pedir al caducar"),
    ("education", 4 * 365, "Nivel de estudios: se vuelve a pedir al caducar"),
    ("employment", 2 * 365, "Situación laboral: se vuelve a pedir al caducar"),
    ("income", 4 * 365, "Rentas: plazo de prescripción tributaria (LGT art. 66)"),
    ("health", 5 * 365, "Datos de salud: mínimo necesario, RGPD art. 5.1.e"),
    ("disability", 5 * 365, "Grado de discapacidad: se revisa al caducar"),
]


def add_defaults(apps, schema_editor):
    RetentionRule = apps.get_model("retention", "RetentionRule")
    for category, days, reference in DEFAULTS:
        RetentionRule.objects.get_or_create(
            category=category, defaults={"keep_days": days, "legal_reference": reference}
        )


def remove_defaults(apps, schema_editor):
    RetentionRule = apps.get_model("retention", "RetentionRule")
    RetentionRule.objects.filter(category__in=[c for c, _d, _r in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_retention_rules_and_runs")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
