"""The people the seeded cases belong to: agent_seed_1..20 (group "agent") own the cases and
supervisor_seed_1 leads their team (their profiles name them) and rejects cases (only supervisors
may). Created when missing, so a top-up run reuses them."""

import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.models import Profile
from accounts.roles import Role

from .texts import EN_FIRST, EN_LAST, ZH_GIVEN, ZH_SURNAMES

AGENTS = 20
AGENT_NAME = "agent_seed_{}"
SUPERVISOR_NAME = "supervisor_seed_1"


def _user(username, group, defaults):
    user, created = get_user_model().objects.get_or_create(username=username, defaults=defaults)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(group)
    return user


def seed_owners():
    """(agents, supervisor) as users."""
    groups = {role: Group.objects.get(name=role) for role in (Role.AGENT, Role.SUPERVISOR)}
    # Its own generator, so the agents' names do not depend on --seed.
    rng = random.Random(0)
    agents = []
    for i in range(1, AGENTS + 1):
        zh = i % 3 != 0
        names = {
            "first_name": rng.choice(ZH_GIVEN) if zh else rng.choice(EN_FIRST),
            "last_name": rng.choice(ZH_SURNAMES) if zh else rng.choice(EN_LAST),
        }
        agents.append(_user(AGENT_NAME.format(i), groups[Role.AGENT], names))
    supervisor = _user(SUPERVISOR_NAME, groups[Role.SUPERVISOR], {"first_name": "主管", "last_name": "种子"})
    for agent in agents:
        Profile.objects.update_or_create(user=agent, defaults={"supervisor": supervisor})
    return agents, supervisor
