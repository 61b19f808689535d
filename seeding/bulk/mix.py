"""How the seeded cases are spread: when they were created, how far each got, by which channel,
for which tier of customer, and how long each step took.

created_at is spread over the last ~2 years in increasing order (ids follow time, as in real use);
the state depends on the age (recent cases are early in the 7A steps, old ones mostly ended).
"""

import bisect
from datetime import timedelta

from cases.choices import CaseState, Channel, CustomerTier

SPAN_DAYS = 730

MAIN_PATH = ("accept", "apologize", "acknowledge", "analyze", "offer_alternatives", "agree", "assure", "close")
TARGET = {
    "accept": CaseState.ACCEPTED,
    "apologize": CaseState.APOLOGIZED,
    "acknowledge": CaseState.ACKNOWLEDGED,
    "analyze": CaseState.ANALYZED,
    "offer_alternatives": CaseState.ALTERNATIVES_OFFERED,
    "agree": CaseState.AGREED,
    "assure": CaseState.ASSURED,
    "close": CaseState.CLOSED,
    "withdraw": CaseState.WITHDRAWN,
    "reject": CaseState.REJECTED,
}
STEPS_TO = {CaseState.NEW: 0, **{TARGET[step]: i + 1 for i, step in enumerate(MAIN_PATH)}}
# Seconds between one step and the next: (min, max).
GAP = {
    "accept": (120, 7200),
    "apologize": (30, 600),
    "acknowledge": (30, 600),
    "analyze": (3600, 3 * 86400),
    "offer_alternatives": (3600, 2 * 86400),
    "agree": (3600, 3 * 86400),
    "assure": (86400, 7 * 86400),
    "close": (600, 86400),
    "withdraw": (3600, 5 * 86400),
    "reject": (3600, 3 * 86400),
}
# State mix by age of the case (days): recent cases are early in the steps, old ones have ended.
AGE_MIX = (
    (2, {"new": 35, "accepted": 15, "apologized": 10, "acknowledged": 15, "analyzed": 10,
         "alternatives_offered": 5, "withdrawn": 5, "rejected": 5}),
    (14, {"new": 5, "accepted": 5, "apologized": 5, "acknowledged": 10, "analyzed": 15, "alternatives_offered": 15,
          "agreed": 15, "assured": 10, "closed": 10, "withdrawn": 5, "rejected": 5}),
    (60, {"analyzed": 3, "alternatives_offered": 4, "agreed": 6, "assured": 7, "closed": 70, "withdrawn": 6,
          "rejected": 4}),
    (None, {"new": 0.3, "analyzed": 0.5, "agreed": 0.5, "assured": 0.7, "closed": 88, "withdrawn": 6,
            "rejected": 4}),
)  # fmt: skip
CHANNELS = ((Channel.PHONE, 40), (Channel.WEB, 15), (Channel.RETAIL_HALL, 15), (Channel.INFORMAL, 10),
            (Channel.LETTER, 8), (Channel.REGULATOR, 7), (Channel.LEGAL, 5))  # fmt: skip
TIERS = ((CustomerTier.STANDARD, 55), (CustomerTier.SILVER, 25), (CustomerTier.GOLD, 13), (CustomerTier.VIP, 7))
ZH_SHARE = 0.7


class Picker:
    """Weighted choice with one random() and a bisect (random.choices is slower per call)."""

    def __init__(self, pairs):
        self.values, weights = zip(*pairs, strict=True)
        total, cumulative = 0.0, []
        for weight in weights:
            total += weight
            cumulative.append(total)
        self.cumulative = [c / total for c in cumulative]

    def __call__(self, rng):
        return self.values[bisect.bisect_right(self.cumulative, rng.random())]


_AGE_PICKERS = [(days, Picker(list(mix.items()))) for days, mix in AGE_MIX]


def state_for_age(age_days, rng) -> CaseState:
    for days, picker in _AGE_PICKERS:
        if days is None or age_days < days:
            return CaseState(picker(rng))
    raise AssertionError("AGE_MIX ends with an open-ended age")


def path_to(state, rng) -> tuple[str, ...]:
    """The transitions a case took to reach `state`; an ending may come after any open step."""
    if state == CaseState.WITHDRAWN:
        return (*MAIN_PATH[: rng.randint(0, 5)], "withdraw")
    if state == CaseState.REJECTED:
        return (*MAIN_PATH[: rng.randint(0, 3)], "reject")
    return MAIN_PATH[: STEPS_TO[state]]


def step_times(created, path, now, rng) -> list:
    """Increasing step times after `created`, squeezed to end before now if they would not."""
    offsets, total = [], 0.0
    for step in path:
        low, high = GAP[step]
        total += rng.uniform(low, high)
        offsets.append(total)
    room = (now - created).total_seconds() - 1
    if offsets and offsets[-1] > room:
        scale = max(room, 0) / offsets[-1]
        offsets = [o * scale for o in offsets]
    return [created + timedelta(seconds=o) for o in offsets]
