import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.roles import Role, roles_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def test_a_role_given_or_taken_counts_on_the_next_request():
    user = UserFactory(username="someone", role="agent")
    assert roles_of(fresh(user)) == {Role.AGENT}
    user.groups.add(Group.objects.get(name="supervisor"))
    assert roles_of(fresh(user)) == {Role.AGENT, Role.SUPERVISOR}
    Group.objects.get(name="agent").user_set.remove(user)
    assert roles_of(fresh(user)) == {Role.SUPERVISOR}
    user.groups.clear()
    assert roles_of(fresh(user)) == frozenset()


def test_clearing_a_group_from_its_side_takes_the_role_away():
    user = UserFactory(username="someone", role="auditor")
    assert roles_of(fresh(user)) == {Role.AUDITOR}
    Group.objects.get(name="auditor").user_set.clear()
    assert roles_of(fresh(user)) == frozenset()


def test_anonymous_users_have_no_roles():
    from django.contrib.auth.models import AnonymousUser

    assert roles_of(AnonymousUser()) == frozenset()
