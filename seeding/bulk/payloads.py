"""The payload of each seeded case event, as JSON text: built by the event kind's own builder
(cases/events.py) with the values the seeded case got, so a seeded event has the keys and the
shape of one `case_event_record` writes.

Building and encoding a payload costs microseconds, a lot for a million cases: a payload whose
values follow from the language and a few small choices is built once and its JSON reused; only
payloads that carry the case's own times are built per event.
"""

from django.utils import translation

from cases import events
from cases.models import CaseEvent, CaseOption
from seeding.sample_evidence import TEXT

# As CaseEvent.payload encodes it (DjangoJSONEncoder: datetimes, decimals); one encoder for all.
_dumps = CaseEvent._meta.get_field("payload").encoder(ensure_ascii=False).encode


class EventPayloads:
    def __init__(self):
        self._json = {}
        # No option rows are seeded; the agreed option is the first one offered, unsaved (id None).
        self._chosen = {lang: CaseOption(round=1, position=1, **TEXT[lang]["options"][0]) for lang in TEXT}

    def _cached(self, key, build):
        """The JSON of `build()`, built the first time only: `key` names everything it depends on."""
        text = self._json.get(key)
        if text is None:
            text = self._json[key] = _dumps(build())
        return text

    def logged(self, channel, customer_new):
        return self._cached(
            ("logged", channel, customer_new),
            lambda: events.LOGGED.payload(channel=channel, customer_new=customer_new),
        )

    def accept(self, first_contact_at, customer_words):
        return _dumps(events.ACCEPT.payload(first_contact_at=first_contact_at, customer_words=customer_words))

    def apologize(self, lang):
        return self._cached(
            ("apologize", lang), lambda: events.APOLOGIZE.payload(apology_text=TEXT[lang]["apology_text"])
        )

    def acknowledge(self, lang, emotional_needs: tuple):
        return self._cached(
            ("acknowledge", lang, emotional_needs),
            lambda: events.ACKNOWLEDGE.payload(
                restated_problem=TEXT[lang]["restated_problem"], emotional_needs=emotional_needs
            ),
        )

    def analyze(self, lang, category, responsible_unit):
        def build():
            # The reference rows' labels as an agent working in the customer's language sees them.
            with translation.override(lang):
                return events.ANALYZE.payload(
                    facts=TEXT[lang]["facts"],
                    root_cause=TEXT[lang]["root_cause"],
                    category=category,
                    responsible_unit=responsible_unit,
                    desired_outcome=TEXT[lang]["desired_outcome"],
                )

        return self._cached(("analyze", lang, category.pk, responsible_unit.pk), build)

    def offer_alternatives(self, lang):
        return self._cached(
            ("offer_alternatives", lang), lambda: events.OFFER_ALTERNATIVES.payload(options=TEXT[lang]["options"])
        )

    def agree(self, lang, next_callback_at, due_at):
        return _dumps(
            events.AGREE.payload(
                chosen_option=self._chosen[lang],
                customer_confirmed=True,
                commitments=[{"description": TEXT[lang]["commitment"], "due_at": due_at}],
                next_callback_at=next_callback_at,
            )
        )

    def assure(self, lang, satisfaction, no_letter):
        def build():
            with translation.override(lang):
                return events.ASSURE.payload(
                    follow_up_done=True, satisfaction=satisfaction, thanked=True, follow_up_note=TEXT[lang]["note"],
                    resolution_letter=None, no_letter_reason=no_letter,
                )  # fmt: skip

        return self._cached(("assure", lang, satisfaction), build)

    def close(self, lang):
        return self._cached(("close", lang), lambda: events.CLOSE.payload(closing_note=TEXT[lang]["note"]))

    def withdraw(self, withdrawn_at, channel, words):
        """The reason is the event's own column; the payload is when, how and in which words."""
        return _dumps(
            events.WITHDRAW.payload(withdrawn_at=withdrawn_at, withdrawal_channel=channel, withdrawal_words=words)
        )

    def reject(self):
        """The reason is the event's own column, the payload is empty."""
        return self._cached(("reject",), lambda: events.REJECT.payload())
