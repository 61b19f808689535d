"""Existing agreements as promises (issue 8): each commitment keeps its row, now a promise of kind
"other commitment" kept by the case's owner; each agreed next-callback time becomes the agreed
follow-up promise. What is known is carried over — done commitments and the follow-up of an assured
case are kept; an open case's are scheduled; on a case that ended without them being recorded as
done they are cancelled with that said, never counted as kept. `next_callback_at` becomes the
earliest open promise. (A migration writes through the historical models: no history rows.)"""

from django.db import migrations
from django.db.models import Min, OuterRef, Subquery

BATCH = 2000
ENDED_REASON = "Recorded before promises were tracked; the case ended without it being marked done."


def forward(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Promise = apps.get_model("cases", "Promise")
    # Rows already there were commitments. (Updates: the state field refuses assignment, as it should.)
    case_of = Case.objects.filter(pk=OuterRef("case_id"))
    Promise.objects.update(
        kind="commitment",
        keeper_id=Subquery(case_of.values("owner_id")),
        promised_by_id=Subquery(case_of.values("owner_id")),
    )
    Promise.objects.filter(done_at__isnull=False).update(state="kept", reached=True)
    Promise.objects.filter(done_at__isnull=True, case__is_open=False).update(
        state="cancelled", closed_reason=ENDED_REASON, done_at=Subquery(case_of.values("closed_at"))
    )

    agreed = Case.objects.filter(agreed_at__isnull=False, next_callback_at__isnull=False).order_by("pk")
    batch = []
    for case in agreed.iterator(chunk_size=BATCH):
        state, done_at, reached, outcome, reason = "scheduled", None, None, "", ""
        if case.assured_at is not None:
            state, done_at, reached, outcome = "kept", case.assured_at, True, case.follow_up_note
        elif not case.is_open:
            state, done_at, reason = "cancelled", case.closed_at, ENDED_REASON
        promise = Promise(
            case_id=case.pk,
            kind="follow_up",
            state=state,
            due_at=case.next_callback_at,
            description="Agreed follow-up call",
            phone=case.customer_phone,
            keeper_id=case.owner_id,
            promised_by_id=case.owner_id,
            created_at=case.agreed_at,
            done_at=done_at,
            reached=reached,
            outcome=outcome,
            closed_reason=reason,
        )
        batch.append(promise)
        if len(batch) >= BATCH:
            Promise.objects.bulk_create(batch)
            batch = []
    Promise.objects.bulk_create(batch)

    earliest_open = (
        Promise.objects.filter(case=OuterRef("pk"), state__in=("scheduled", "missed"))
        .values("case")
        .annotate(first=Min("due_at"))
        .values("first")
    )
    Case.objects.filter(next_callback_at__isnull=False).update(next_callback_at=Subquery(earliest_open))


def backward(apps, schema_editor):
    apps.get_model("cases", "Promise").objects.filter(kind="follow_up").delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_promise_fields")]
    operations = [migrations.RunPython(forward, backward)]
