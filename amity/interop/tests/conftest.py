from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .killing import Copy, scratch_copy


@pytest.fixture(scope="module")
def copy(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Copy]:
    """A scratch copy of the test database for real workers to run (and die) on, one per test module. Module-scoped,
    so that it is made before a test opens its transaction on the test database (a template must have no other
    session)."""
    yield from scratch_copy(django_db_blocker, tmp_path_factory)
