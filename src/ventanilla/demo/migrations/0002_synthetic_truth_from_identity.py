# SyntheticTruth moves here from identity (see identity's 0002): the model takes over the
# existing table with its rows, then the table is renamed to demo_synthetictruth. The content
# type moves too, so its permissions keep their rows. Reversible: the table and the content
# type go back to identity.

import django.db.models.deletion
from django.db import migrations, models

MODEL = 'synthetictruth'


def move_content_type(source, target):
    def move(apps, schema_editor):
        ContentType = apps.get_model('contenttypes', 'ContentType')
        types = ContentType.objects.using(schema_editor.connection.alias)
        if not types.filter(app_label=target, model=MODEL).exists():
            types.filter(app_label=source, model=MODEL).update(app_label=target)

    return move


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('demo', '0001_initial'),
        ('identity', '0002_synthetic_truth_moves_to_demo'),
        ('parties', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SyntheticTruth',
                    fields=[
                        ('source_record', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='truth', serialize=False, to='identity.sourcerecord')),
                        ('distortions', models.JSONField(default=list)),
                        ('party', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='parties.party')),
                    ],
                    options={'db_table': 'identity_synthetictruth'},
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='synthetictruth', table=None),
        migrations.RunPython(
            move_content_type('identity', 'demo'), move_content_type('demo', 'identity')
        ),
    ]
