"""The public pages' cache key: the path with the query cut to the parameters the page reads (sorted, empty and
unknown ones dropped), so tracking parameters and reordered queries reuse one cached copy."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.http import QueryDict
from django.test import Client

from amity.portal.public import normalised_query

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    cache.clear()


def test_the_query_is_cut_to_the_accepted_parameters_and_sorted() -> None:
    query = QueryDict("utm_source=x&page=2&q=&country=FR&kind=a&kind=b&fbclid=1")
    assert normalised_query(query, frozenset({"q", "country", "page", "kind", "lang"})).urlencode() == (
        "country=FR&kind=a&kind=b&page=2"
    )


def test_tracking_parameters_reuse_the_cached_page(db: Any) -> None:
    client = Client()
    assert client.get("/ngos/", {"country": "FR", "sector": "151"})["X-Amity-Cache"] == "miss"
    for query in (
        "sector=151&country=FR",
        "country=FR&sector=151&utm_source=mail&fbclid=x",
        "country=FR&sector=151&q=",
    ):
        assert client.get(f"/ngos/?{query}")["X-Amity-Cache"] == "hit", query


def test_a_parameter_the_page_reads_makes_its_own_entry(db: Any) -> None:
    client = Client()
    client.get("/ngos/", {"country": "FR"})
    assert client.get("/ngos/", {"country": "DE"})["X-Amity-Cache"] == "miss"
    assert client.get("/ngos/", {"country": "DE", "lang": "en"})["X-Amity-Cache"] == "miss"


def test_a_page_without_parameters_ignores_every_query(db: Any) -> None:
    client = Client()
    client.get("/data/dictionary/")
    assert client.get("/data/dictionary/?utm_campaign=spring&page=3")["X-Amity-Cache"] == "hit"


def test_the_view_and_its_links_see_only_the_normalised_query(db: Any) -> None:
    text = Client().get("/ngos/?utm_source=secret-tracker&country=FR").content.decode()
    assert "secret-tracker" not in text and "utm_source" not in text
