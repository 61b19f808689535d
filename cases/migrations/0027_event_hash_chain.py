"""The case events' hash chain (cases/audit_chain.py): every existing event gets its number in its
case, in timeline order (time, then id), the previous event's hash and its own; new events get theirs
as they are recorded. PostgreSQL also refuses TRUNCATE of the timeline from now on (row triggers, in
0003, do not see one)."""

from django.db import migrations, models

from cases.audit_chain import event_digest
from cases.db_protections import with_sqlite_triggers_suspended

CASES_PER_BATCH = 500


def chain_existing_events(apps, schema_editor):
    connection = schema_editor.connection
    event_model = apps.get_model("cases", "CaseEvent")
    case_ids = list(event_model.objects.order_by().values_list("case_id", flat=True).distinct())
    if connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_caseevent DISABLE TRIGGER cases_caseevent_no_rewrite")
    for start in range(0, len(case_ids), CASES_PER_BATCH):
        batch = sorted(case_ids[start : start + CASES_PER_BATCH])
        events = list(event_model.objects.filter(case_id__in=batch).order_by("case_id", "created_at", "id"))
        current, seq, previous = None, 0, ""
        for event in events:
            if event.case_id != current:
                current, seq, previous = event.case_id, 0, ""
            seq += 1
            event.seq, event.prev_hash = seq, previous
            event.hash = previous = event_digest(
                case_id=event.case_id, seq=seq, kind=event.kind, actor_id=event.actor_id,
                created_at=event.created_at, from_state=event.from_state, to_state=event.to_state,
                reason=event.reason, payload=event.payload, prev_hash=event.prev_hash,
            )  # fmt: skip
        event_model.objects.bulk_update(events, ["seq", "prev_hash", "hash"], batch_size=2000)
    if connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_caseevent ENABLE TRIGGER cases_caseevent_no_rewrite")


def no_truncate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE TRIGGER cases_caseevent_no_truncate BEFORE TRUNCATE ON cases_caseevent "
            "FOR EACH STATEMENT EXECUTE FUNCTION cases_caseevent_append_only();"
        )


def truncate_again(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS cases_caseevent_no_truncate ON cases_caseevent;")


class Migration(migrations.Migration):
    dependencies = [("cases", "0026_letter_batches")]

    operations = with_sqlite_triggers_suspended(
        migrations.AddField(
            model_name="caseevent",
            name="seq",
            field=models.PositiveIntegerField(null=True, verbose_name="number in the case"),
        ),
        migrations.AddField(
            model_name="caseevent",
            name="prev_hash",
            field=models.CharField(blank=True, max_length=64, verbose_name="previous event's hash", default=""),
        ),
        migrations.AddField(
            model_name="caseevent",
            name="hash",
            field=models.CharField(max_length=64, verbose_name="hash (SHA-256)", default=""),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="caseevent",
            name="seq",
            field=models.PositiveIntegerField(verbose_name="number in the case"),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="prev_hash",
            field=models.CharField(blank=True, max_length=64, verbose_name="previous event's hash"),
        ),
        migrations.AddConstraint(
            model_name="caseevent",
            constraint=models.UniqueConstraint(fields=("case", "seq"), name="event_case_seq"),
        ),
        migrations.RunPython(no_truncate, truncate_again),
    )
