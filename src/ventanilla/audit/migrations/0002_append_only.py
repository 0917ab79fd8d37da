"""The audit log is append-only in the database itself, not only in the application: the
chain's first entry has the genesis head, and triggers refuse to change or delete entries (on
PostgreSQL also checkpoints; SQLite refuses changes, while deletions, which its test flush
needs, are caught by the chain and the signed checkpoints)."""

from django.db import migrations

GENESIS = "0" * 64

# Doubled percent signs: the driver formats parameters, and plpgsql receives single ones.
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION ventanilla_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: %% on %% is refused', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""
PG_TABLES = ("audit_auditentry", "audit_auditcheckpoint")


def add_guards(apps, schema_editor):
    AuditHead = apps.get_model("audit", "AuditHead")
    AuditHead.objects.get_or_create(pk=1, defaults={"last_entry_id": 0, "last_hash": GENESIS})
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
        for table in PG_TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ventanilla_audit_append_only()"
            )
    elif vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER audit_auditentry_append_only BEFORE UPDATE ON audit_auditentry "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE is refused'); END"
        )


def remove_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in PG_TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS ventanilla_audit_append_only()")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_auditentry_append_only")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_log")]
    operations = [migrations.RunPython(add_guards, remove_guards)]
