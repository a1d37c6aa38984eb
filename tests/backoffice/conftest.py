"""Operators for the backoffice tests: support and finance groups as the business sets them up."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client


def _group(name: str, *codenames: str) -> Group:
    group, _ = Group.objects.get_or_create(name=name)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="payments", codename__in=codenames)
    )
    return group


def _staff(username: str, *groups: Group) -> User:
    user = User.objects.create_user(username, password="pw-not-used", is_staff=True)
    user.groups.set(groups)
    return user


@pytest.fixture
def support_user(db: None) -> User:
    return _staff("support", _group("support", "view_order", "view_payment"))


@pytest.fixture
def finance_user(db: None) -> User:
    return _staff("finance", _group("finance", "view_order", "view_payment", "refund_order"))


@pytest.fixture
def staff_without_permissions(db: None) -> User:
    return _staff("intern")


@pytest.fixture
def superuser(db: None) -> User:
    return User.objects.create_superuser("root", password="pw-not-used")


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def support_client(support_user: User) -> Client:
    return _client_for(support_user)


@pytest.fixture
def finance_client(finance_user: User) -> Client:
    return _client_for(finance_user)


@pytest.fixture
def superuser_client(superuser: User) -> Client:
    return _client_for(superuser)
