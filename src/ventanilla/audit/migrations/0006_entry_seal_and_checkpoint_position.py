"""Each entry gains a seal (an HMAC of its hash with the audit key), null on the entries written
before; the head row remembers the entry the newest checkpoint signed. A nullable column without a
default is added in place on SQLite, so the append-only trigger on entries stays."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_case_update_notify_actions")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="seal",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="audithead",
            name="checkpoint_entry_id",
            field=models.BigIntegerField(default=0),
        ),
    ]
