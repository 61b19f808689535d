"""Tamper evidence for the case timeline: the events of each case form a hash chain.

Event n of a case stores its sequence number n (1, 2, 3 … with no gap), the hash of event n-1 (empty
for the first) and the SHA-256 of its own canonical content, which includes that previous hash. Change
one stored byte of an event — its text, its time, its author, its payload — and its own hash no
longer matches; delete or insert one, and the next event's link no longer does. `verify_chains`
walks every chain and names the first broken link of each case.

The canonical content is version 1 below and must never change: a stored chain is only verifiable
with the form it was written with. A new form would be version 2, chosen per event by a stored
version — not a silent edit here.

The chain is written by `services/events.py` (under the case's row lock, so two writers of one case
never take the same number) and by the demo/benchmark loader (seeding/), both through `event_digest`.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC

from django.core.serializers.json import DjangoJSONEncoder

CHAIN_VERSION = 1
_ENCODER = DjangoJSONEncoder(ensure_ascii=False)


def payload_as_stored(payload) -> object:
    """The payload as reading it back from the database gives it: JSON-encoded the way the field
    encodes it (datetimes and decimals as text), then decoded. The hash is taken over this form so
    that the writer and a later reader agree."""
    return json.loads(_ENCODER.encode(payload))


def event_digest(*, case_id, seq, kind, actor_id, created_at, from_state, to_state, reason, payload, prev_hash) -> str:
    """SHA-256 (hex) of an event's canonical content, version 1. `payload` as stored (decoded JSON)."""
    content = {
        "v": CHAIN_VERSION,
        "case": case_id,
        "seq": seq,
        "kind": kind,
        "actor": actor_id,
        # Microseconds in UTC: both databases keep them, whatever zone the writer used.
        "at": created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "from": from_state,
        "to": to_state,
        "reason": reason,
        "payload": payload,
        "prev": prev_hash,
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# The columns `verify_chains` reads, in this order.
CHAIN_COLUMNS = (
    "id", "case_id", "seq", "kind", "actor_id", "created_at", "from_state", "to_state", "reason", "payload",
    "prev_hash", "hash",
)  # fmt: skip


@dataclass(frozen=True)
class BrokenLink:
    case_id: int
    event_id: int
    seq: int
    problem: str  # "content" (the event's own hash), "link" (previous hash), "sequence" (gap or duplicate)

    def describe(self) -> str:
        what = {
            "content": "its content does not match its hash (the event was changed)",
            "link": "it does not point at the event before it (an event before it was changed, removed or inserted)",
            "sequence": "its sequence number is out of order (an event before it was removed or inserted)",
        }[self.problem]
        return f"case id {self.case_id}, event id {self.event_id} (#{self.seq}): {what}"


@dataclass
class ChainReport:
    events: int = 0
    chains: int = 0
    broken: list[BrokenLink] | None = None

    @property
    def ok(self) -> bool:
        return not self.broken


def verify_chains(rows: Iterable[tuple], report: ChainReport | None = None) -> ChainReport:
    """Walk event rows (CHAIN_COLUMNS, ordered by case then sequence) and record the first broken
    link of every case whose chain breaks. Later events of a broken chain are not judged again: once
    one link is wrong, everything after it is unproven."""
    report = report or ChainReport()
    report.broken = report.broken if report.broken is not None else []
    current_case, expected_seq, previous_hash, broken_case = None, 1, "", None
    for event_id, case_id, seq, kind, actor_id, created_at, from_state, to_state, reason, payload, prev, stored in rows:
        report.events += 1
        if case_id != current_case:
            current_case, expected_seq, previous_hash, broken_case = case_id, 1, "", None
            report.chains += 1
        if broken_case == case_id:
            continue
        problem = None
        if seq != expected_seq:
            problem = "sequence"
        elif prev != previous_hash:
            problem = "link"
        elif stored != event_digest(
            case_id=case_id, seq=seq, kind=kind, actor_id=actor_id, created_at=created_at,
            from_state=from_state, to_state=to_state, reason=reason, payload=payload, prev_hash=prev,
        ):  # fmt: skip
            problem = "content"
        if problem:
            report.broken.append(BrokenLink(case_id, event_id, seq, problem))
            broken_case = case_id
            continue
        expected_seq, previous_hash = seq + 1, stored
    return report


def chain_rows(queryset, chunk_size=5000) -> Iterator[tuple]:
    """The events of `queryset` in chain order, streamed (a server-side cursor on PostgreSQL)."""
    return queryset.order_by("case_id", "seq").values_list(*CHAIN_COLUMNS).iterator(chunk_size=chunk_size)
