"""The donor filter of the aid list and the report table: searched on the server in the user's scope (with or
without diacritics, by name, Vietnamese name or acronym), never every donor in the page; a link naming a donor
(`donor=<id>`) keeps working, and without JavaScript the search box's words, sent with the form, offer their
matches. (A national user may see thousands of donors: listing them was most of the list page's time.)"""

from __future__ import annotations

import re

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amity.aid.selectors import DONOR_MATCHES
from amity.conftest import client_for
from amity.core.forms import QuickSelect
from amity.core.search import best_matches, fold, name_rank

from .factories import donor, make_aid_item
from .test_pages import LIST_QUERIES

pytestmark = pytest.mark.django_db

LIST = reverse("aid:list")
DONORS = reverse("aid:donor_options")
TABLE = reverse("reports:table")


def donor_options(html: str) -> list[str]:
    """The labels of the donor select's options, the empty choice left out."""
    select = re.search(r'<select name="donor"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None
    return [label for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select[1]) if value]


def funded(user, province, *names: str, **extra: str):  # type: ignore[no-untyped-def]
    """Donors, each funding one aid item of `province`."""
    found = []
    for index, name in enumerate(names):
        organisation = donor(name, **extra)
        make_aid_item(user, owning_province=province, title=f"Item {index}", participants=[(organisation, "1")])
        found.append(organisation)
    return found


def list_page(client, params=None):  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, params or {})
    assert response.status_code == 200
    return response, len(captured.captured_queries)


def test_the_list_never_renders_every_donor_and_its_queries_do_not_grow_with_them(users, hai_phong):
    client = client_for(users["central"])
    funded(users["editor"], hai_phong, "Quỹ Hòa Bình")
    few, few_queries = list_page(client)
    many = funded(users["editor"], hai_phong, *(f"Foundation {n:03}" for n in range(40)))
    response, queries = list_page(client)
    assert queries == few_queries == LIST_QUERIES
    html = response.content.decode()
    assert donor_options(html) == []  # only "All": the donors are searched
    assert not any(organisation.name in html.split('name="donor"')[1].split("</select>")[0] for organisation in many)
    assert 'data-search-url="/aid/donors/"' in html and 'name="donor_search"' in html
    assert donor_options(few.content.decode()) == []


def test_a_link_naming_a_donor_still_filters_and_shows_that_donor_chosen(users, hai_phong):
    quy, _other = funded(users["editor"], hai_phong, "Quỹ Hòa Bình", "Stichting Nederland")
    response, queries = list_page(client_for(users["central"]), {"donor": str(quy.public_id)})
    assert [item.title_vi for item in response.context["object_list"]] == ["Item 0"]
    assert donor_options(response.content.decode()) == ["Quỹ Hòa Bình"]
    assert re.search(rf'<option value="{quy.public_id}" selected>', response.content.decode())
    assert queries == LIST_QUERIES + 2  # the donor checked (in the user's scope), then named


def test_without_javascript_the_words_sent_offer_their_matches(users, hai_phong):
    funded(users["editor"], hai_phong, "Quỹ Hòa Bình", "Hội Hữu nghị", "Stichting Nederland")
    response = client_for(users["central"]).get(LIST, {"donor_search": "hoa binh"})
    html = response.content.decode()
    assert donor_options(html) == ["Quỹ Hòa Bình"]
    assert 'name="donor_search" value="hoa binh"' in html
    assert len(response.context["object_list"]) == 3  # the words alone do not filter: a donor is picked from them


def test_a_donor_the_user_may_not_see_is_refused_not_shown(users, hai_phong):
    (quy,) = funded(users["editor"], hai_phong, "Quỹ Hòa Bình")
    response = client_for(users["ngo_rep"]).get(LIST, {"donor": str(quy.public_id)})
    assert "Quỹ Hòa Bình" not in response.content.decode()
    assert "donor" in response.context["filterset"].form.errors


@pytest.mark.parametrize("typed", ["hoa binh", "HÒA BÌNH", "Hoà Bình", "quy hoa", "QHB", "binh hoa", "hòa"])
def test_the_search_finds_a_donor_however_its_name_is_typed(users, hai_phong, typed):
    funded(users["editor"], hai_phong, "Quỹ Hòa Bình", acronym="QHB")
    funded(users["editor"], hai_phong, "Hội Hữu nghị", "Bình Minh Xanh")
    response = client_for(users["central"]).get(DONORS, {"q": typed})
    assert response.status_code == 200
    labels = [result["label"] for result in response.json()["results"]]
    assert labels[0] == "Quỹ Hòa Bình (QHB)"
    assert "Hội Hữu nghị" not in labels


def test_the_search_ranks_the_whole_name_first_and_stops_at_the_limit(users, hai_phong):
    funded(users["editor"], hai_phong, *(f"Plan {n:02}" for n in range(DONOR_MATCHES + 5)), "Plan")
    data = client_for(users["central"]).get(DONORS, {"q": "plan"}).json()
    assert data["total"] == DONOR_MATCHES + 6
    assert len(data["results"]) == DONOR_MATCHES
    assert data["results"][0]["label"] == "Plan"


def test_the_search_answers_only_donors_in_the_users_scope(users, hai_phong, ngo):
    funded(users["editor"], hai_phong, "Quỹ Hòa Bình")
    make_aid_item(users["editor"], owning_province=hai_phong, title="Own", participants=[(ngo, "1")])
    donor("Vrienden Fonds")  # funds nothing: not a donor
    assert client_for(users["ngo_rep"]).get(DONORS, {"q": "quy"}).json() == {"results": [], "total": 0}
    assert [r["label"] for r in client_for(users["ngo_rep"]).get(DONORS, {"q": "vrienden"}).json()["results"]] == [
        str(ngo)
    ]
    assert [r["label"] for r in client_for(users["central"]).get(DONORS, {"q": "vrienden"}).json()["results"]] == [
        str(ngo)
    ]


def test_the_search_needs_a_signed_in_user_and_takes_any_text(users, client):
    assert client.get(DONORS, {"q": "plan"}).status_code == 302
    for typed in ["", "   ", "\x00", "a" * 5000, "%", "'; --"]:
        response = client_for(users["central"]).get(DONORS, {"q": typed})
        assert response.status_code == 200, typed
        assert response.json() == {"results": [], "total": 0}


def test_the_report_table_offers_the_chosen_donor_and_the_matches_never_every_donor(users, hai_phong):
    quy, *_others = funded(users["editor"], hai_phong, "Quỹ Hòa Bình", *(f"Foundation {n:02}" for n in range(30)))
    client = client_for(users["central"])
    assert donor_options(client.get(TABLE).content.decode()) == []
    response = client.get(TABLE, {"donor": str(quy.public_id), "donor_search": "foundation 1"})
    assert response.status_code == 200
    labels = donor_options(response.content.decode())
    assert labels == ["Quỹ Hòa Bình", *(f"Foundation {n}" for n in range(10, 20))]
    assert client_for(users["ngo_rep"]).get(TABLE, {"donor": str(quy.public_id)}).status_code == 400


def test_name_rank_and_best_matches() -> None:
    assert fold("Quỹ  HÒA bình") == "quy hoa binh"
    folded = fold("hoa binh")
    assert name_rank(folded, "Hòa Bình") == 0
    assert name_rank(folded, "Hòa Bình Xanh") == 1
    assert name_rank(folded, "Quỹ Hòa Bình") == 2
    assert name_rank(fold("oa bi"), "Quỹ Hòa Bình") == 3
    assert name_rank(fold("binh quy"), "Quỹ Hòa Bình") == 4
    assert name_rank(folded, "Hội Hữu nghị", "") is None
    assert name_rank(fold("qhb"), "Quỹ Hòa Bình", "QHB") == 0  # the best of the names
    keys, total = best_matches("binh", [(1, ("Quỹ Hòa Bình",)), (2, ("Bình An",)), (3, ("Khác",))], limit=1)
    assert (keys, total) == ([2], 2)


def test_quick_select_writes_what_djangos_select_writes() -> None:
    choices = [("", "All"), ("Group <1>", [("a", "A & B"), ("b", 'say "b"')]), ("c", "C")]
    for value in ("", "a", "c", None):
        quick = QuickSelect(attrs={"class": "form-select", "data-x": "1"}, choices=choices).render("f", value)
        plain = forms.Select(attrs={"class": "form-select", "data-x": "1"}, choices=choices).render("f", value)
        assert re.sub(r">\s+<", "><", quick) == re.sub(r">\s+<", "><", plain)
