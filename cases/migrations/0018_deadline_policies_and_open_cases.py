"""Seed the deadline policies and give every open case its deadlines (issue 8, item 4).

Defaults, in business hours (first response / resolution), the shorter of the customer's tier and
the channel: VIP 1/18, gold 2/27, silver 4/36, standard 8/45 (two to five working days of nine
hours); a regulator's complaint 1/18 and a legal threat 2/27 whatever the tier. Admins edit them.

Open cases get both deadlines counted from when they were logged, with the calendar as it is now
(business_calendar.py reads the current local closures); a step already done meets its deadline at
its time, and one done late is recorded as breached when it fell due. The sweep warns and records
breaches of the rest from its next run. Ended cases get none: their handling predates deadlines.
"""

from datetime import timedelta

from django.db import migrations

TIER_HOURS = {"vip": (1, 18), "gold": (2, 27), "silver": (4, 36), "standard": (8, 45)}
CHANNEL_HOURS = {"regulator": (1, 18), "legal": (2, 27)}
CHANNELS = ("informal", "phone", "retail_hall", "web", "letter", "regulator", "legal")
WARN_SHARE = 0.8
BATCH = 2000


def seed_policies(apps, schema_editor):
    DeadlinePolicy = apps.get_model("cases", "DeadlinePolicy")
    rows = []
    for tier, (tier_first, tier_resolution) in TIER_HOURS.items():
        for channel in CHANNELS:
            first, resolution = CHANNEL_HOURS.get(channel, (tier_first, tier_resolution))
            rows.append(
                DeadlinePolicy(
                    customer_tier=tier,
                    channel=channel,
                    first_response_hours=min(first, tier_first),
                    resolution_hours=min(resolution, tier_resolution),
                )
            )
    DeadlinePolicy.objects.bulk_create(rows, ignore_conflicts=True)


def _deadline(Deadline, case, kind, hours, met_at, add_business_hours):
    due = add_business_hours(case.created_at, hours)
    return Deadline(
        case_id=case.pk,
        kind=kind,
        started_at=case.created_at,
        allowed_hours=hours,
        due_at=due,
        warn_at=add_business_hours(case.created_at, timedelta(hours=hours) * WARN_SHARE),
        met_at=met_at,
        breached_at=due if met_at is not None and met_at > due else None,
    )


def deadlines_for_open_cases(apps, schema_editor):
    from cases.business_calendar import add_business_hours

    Case = apps.get_model("cases", "Case")
    Deadline = apps.get_model("cases", "Deadline")
    hours = {
        (row.customer_tier, row.channel): (row.first_response_hours, row.resolution_hours)
        for row in apps.get_model("cases", "DeadlinePolicy").objects.all()
    }
    batch = []
    cases = Case.objects.filter(is_open=True).only(
        "id", "created_at", "customer_tier", "channel", "accepted_at", "assured_at"
    )
    for case in cases.iterator(chunk_size=BATCH):
        first, resolution = hours.get((case.customer_tier, case.channel), (8, 45))
        pair = [
            _deadline(Deadline, case, "first_response", first, case.accepted_at, add_business_hours),
            _deadline(Deadline, case, "resolution", resolution, case.assured_at, add_business_hours),
        ]
        batch += pair
        live = [d.due_at for d in pair if d.met_at is None]
        if live:
            # A derived sort key (services/deadlines.py keeps it); the Deadline rows carry the history.
            Case.objects.filter(pk=case.pk).update(deadline_at=min(live))
        if len(batch) >= BATCH:
            Deadline.objects.bulk_create(batch)
            batch = []
    Deadline.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0017_deadlines"),
    ]

    operations = [
        migrations.RunPython(seed_policies, migrations.RunPython.noop),
        migrations.RunPython(deadlines_for_open_cases, migrations.RunPython.noop),
    ]
