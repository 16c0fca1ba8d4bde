"""The four roles exist in every database, each with the model permissions its job needs."""

import pytest
from django.contrib.auth.models import Group

from core.roles import ALL_ROLES, user_has_role
from tests import factories

pytestmark = pytest.mark.django_db


def test_every_role_group_exists_after_migrate():
    assert set(Group.objects.filter(name__in=ALL_ROLES).values_list("name", flat=True)) == set(ALL_ROLES)


def test_a_dispatcher_may_edit_customers_but_not_categories():
    user = factories.UserFactory(role="dispatcher")

    assert user.has_perm("fleet.change_customer")
    assert user.has_perm("fleet.view_machinecategory")
    assert not user.has_perm("fleet.change_machinecategory")
    assert not user.has_perm("recovery.change_goodwillcredit")


def test_a_manager_may_approve_goodwill_and_edit_substitutes():
    user = factories.UserFactory(role="manager")

    assert user.has_perm("recovery.change_goodwillcredit")
    assert user.has_perm("fleet.delete_categorysubstitute")
    assert user_has_role(user, "manager") and not user_has_role(user, "dispatcher")


def test_a_technician_may_add_photos_and_nothing_of_the_fleet():
    user = factories.UserFactory(role="technician")

    assert user.has_perm("recovery.add_jobphoto")
    assert not user.has_perm("fleet.change_machine")
