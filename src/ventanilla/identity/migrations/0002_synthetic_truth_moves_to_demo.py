# SyntheticTruth is the demo's ground truth, not part of identity resolution: the model moves to
# the demo app. Only the migration state changes here; demo's 0002 takes the table over (rows
# kept) and renames it.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('identity', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='SyntheticTruth')],
            database_operations=[],
        ),
    ]
