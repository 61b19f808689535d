"""Who hears about a person's cases (accounts/people.py): their team supervisor, or every active
supervisor when none is set — a list kept in the cache and dropped when people or groups change."""

import pytest

from accounts.models import Profile
from accounts.people import supervisors_of
from accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_team_supervisor_or_else_every_active_supervisor(agent, supervisor):
    other = UserFactory(role=Role.SUPERVISOR)
    assert {u.pk for u in supervisors_of(agent)} == {supervisor.pk, other.pk}
    Profile.objects.update_or_create(user=agent, defaults={"supervisor": other})
    assert [u.pk for u in supervisors_of(agent)] == [other.pk]


def test_the_everyone_list_follows_changes_in_people_and_groups(agent, supervisor, django_assert_num_queries):
    assert [u.pk for u in supervisors_of(agent)] == [supervisor.pk]
    with django_assert_num_queries(1):  # the agent's profile; the list comes from the cache
        supervisors_of(agent)
    newcomer = UserFactory(role=Role.SUPERVISOR)  # joining the group drops the list
    assert {u.pk for u in supervisors_of(agent)} == {supervisor.pk, newcomer.pk}
    supervisor.is_active = False
    supervisor.save()
    assert [u.pk for u in supervisors_of(agent)] == [newcomer.pk]
    newcomer.groups.clear()
    assert supervisors_of(agent) == []
