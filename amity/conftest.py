"""Shared test fixtures: the reference data (loaded once per session, as in a real deployment), provinces and
one user per role, in the style of healthchecks' owner / member / outsider."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from amity.accounts.choices import Role
from amity.accounts.models import User
from amity.organisations.models import Organisation
from amity.reference.models import AdministrativeUnit

PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        call_command("load_reference", verbosity=0)


def _reference_tables() -> set[str]:
    """The tables of the reference data (not their history, whose rows name users that a flush deletes)."""
    from django.apps import apps

    return {
        model._meta.db_table
        for model in apps.get_app_config("reference").get_models(include_auto_created=True)
        if not model.__name__.startswith("Historical")
    }


@contextmanager
def flush_keeping_reference_data() -> Iterator[None]:
    """While inside, the flush after a transactional test (`transactional_db`, the live server's tests) empties
    every table but those of the reference data, loaded once per session: reloading it costs seconds a test."""
    from django.core.management.commands import flush

    kept = _reference_tables()

    def sql_flush(style: Any, connection: Any, reset_sequences: bool = True, allow_cascade: bool = False) -> list[str]:
        tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        return list(
            connection.ops.sql_flush(
                style,
                [table for table in tables if table not in kept],
                reset_sequences=reset_sequences,
                allow_cascade=allow_cascade,
            )
        )

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(flush, "sql_flush", sql_flush)
        yield


def province(code: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(era="2025", level="province", code=code)


@pytest.fixture
def hai_phong(db: Any) -> AdministrativeUnit:
    return province("31")


@pytest.fixture
def son_la(db: Any) -> AdministrativeUnit:
    return province("14")


def make_user(username: str, role: str = "", provinces: tuple[AdministrativeUnit, ...] = (), **extra: Any) -> User:
    # "t-" keeps test accounts apart from the demo accounts that `load_demo` creates.
    user = User.objects.create_user(username=f"t-{username}", password=PASSWORD, role=role, **extra)
    user.jurisdictions.set(provinces)
    return user


@pytest.fixture
def ngo(db: Any) -> Organisation:
    return Organisation.objects.create(name="Stichting Vrienden van Vietnam", acronym="SVV", kind="foreign_ngo")


@pytest.fixture
def users(db: Any, hai_phong: AdministrativeUnit, son_la: AdministrativeUnit, ngo: Organisation) -> dict[str, User]:
    """One user per role: provincial roles in Hải Phòng, plus a Sơn La editor, a user without a role and an
    inactive editor."""
    return {
        "admin": make_user("admin", Role.ADMINISTRATOR),
        "central": make_user("central", Role.CENTRAL_OFFICER),
        "approver": make_user("approver", Role.PROVINCIAL_APPROVER, (hai_phong,)),
        "editor": make_user("editor", Role.PROVINCIAL_EDITOR, (hai_phong,)),
        "viewer": make_user("viewer", Role.PROVINCIAL_VIEWER, (hai_phong,)),
        "son_la_editor": make_user("son_la_editor", Role.PROVINCIAL_EDITOR, (son_la,)),
        "ngo_rep": make_user("ngo_rep", Role.NGO_REPRESENTATIVE, organisation=ngo),
        "no_role": make_user("no_role"),
        "inactive": make_user("inactive", Role.PROVINCIAL_EDITOR, (hai_phong,), is_active=False),
    }


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _fresh_rate_book() -> None:
    """Each test reads the rates of its own database state (a test's rate changes are rolled back)."""
    from amity.reference.fx import forget_shared_rate_book

    forget_shared_rate_book()


# --- static files as production serves them ------------------------------------------------------------------

PRODUCTION_STORAGE = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}


@pytest.fixture(scope="session")
def production_static(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The static files collected as `make run` and production collect them (config/settings/production.py):
    hashed names, gzip copies; into a folder of the session (about 10 s: only the tests that measure what a
    visitor downloads ask for it)."""
    from django.conf import settings

    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES={**settings.STORAGES, "staticfiles": PRODUCTION_STORAGE}):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@contextmanager
def serving_production_static(root: Path) -> Iterator[None]:
    """While inside, pages name the collected files (hashed) and WhiteNoise serves them from `root` with
    production's headers, to a test client or a server made inside. The public pages' cache is emptied on the way
    in and out: a page cached by another test names the unhashed files, one cached inside the hashed ones."""
    from django.conf import settings
    from django.core.cache import cache

    cache.clear()
    with override_settings(STATIC_ROOT=root, STORAGES={**settings.STORAGES, "staticfiles": PRODUCTION_STORAGE}):
        yield
    cache.clear()
