"""`core.forms.SearchSelect` without JavaScript: its Search button sends the form with the words, and the page that
answers offers their matches — a GET form by itself, a record form through `RecordEditView`, which shows the form
again (200, no error, nothing saved) instead of saving it. amity.js removes the button, since it searches as the
user types."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.test import RequestFactory

from amity.core.forms import SearchSelect, search_asked
from amity.core.search import fold
from amity.organisations.forms import OrganisationForm
from amity.organisations.models import Organisation
from amity.organisations.views import OrganisationEditView

PARTNERS = [("p1", "Quỹ Hòa Bình"), ("p2", "Hội Hữu nghị"), ("p3", "Stichting Nederland")]


def partners(chosen: list[str], words: str) -> list[tuple[str, str]]:
    wanted = fold(words).split()
    return [
        (value, label)
        for value, label in PARTNERS
        if value in chosen or (wanted and all(w in fold(label) for w in wanted))
    ]


def partner_widget() -> SearchSelect:
    return SearchSelect(url="/partners/", options=partners)


class FilterForm(forms.Form):
    partner = forms.ChoiceField(choices=PARTNERS, required=False, widget=partner_widget())


def test_the_widget_offers_a_search_button_that_amity_js_removes() -> None:
    html = str(FilterForm()["partner"])
    assert '<button type="submit" name="partner_search_go" value="1"' in html and "data-search-go" in html
    assert 'name="partner_search"' in html and "formnovalidate" in html
    script = (Path(settings.BASE_DIR) / "amity/static/amity/amity.js").read_text()
    assert "[data-search-go]" in script and "removeChild(go)" in script


def test_a_get_form_sent_by_the_search_button_offers_the_matches_of_the_words() -> None:
    form = FilterForm({"partner": "", "partner_search": "hoa binh", "partner_search_go": "1"})
    assert search_asked(form)
    html = str(form["partner"])
    assert '<option value="p1">Quỹ Hòa Bình</option>' in html and "Stichting" not in html
    assert 'value="hoa binh"' in html
    assert not search_asked(FilterForm({"partner": "p1", "partner_search": "hoa"}))  # sent by its own button
    assert not search_asked(FilterForm())


class OrganisationWithPartnerForm(OrganisationForm):
    partner = forms.ChoiceField(choices=PARTNERS, required=False, widget=partner_widget())


class OrganisationWithPartnerView(OrganisationEditView):
    form_class = OrganisationWithPartnerForm


@pytest.mark.django_db
def test_a_record_form_sent_by_the_search_button_is_shown_again_with_the_matches_and_nothing_saved(
    users: dict[str, Any],
) -> None:
    def post(data: dict[str, str]) -> Any:
        request = RequestFactory().post("/organisations/new/", data)
        request.user = users["central"]
        request._messages = []  # type: ignore[attr-defined]  # a save would add one; a search must not
        return OrganisationWithPartnerView.as_view()(request)

    typed = {"name": "", "kind": "foreign_ngo", "partner_search": "huu nghi"}  # the required name not given yet
    searched = post({**typed, "partner_search_go": "1"})
    html = searched.content.decode()
    assert searched.status_code == 200
    assert '<option value="p2">Hội Hữu nghị</option>' in html and "Quỹ Hòa Bình" not in html
    assert "is-invalid" not in html  # a search, not a save: no "required" beside the name
    assert not Organisation.objects.filter(kind="foreign_ngo", name="").exists()
    assert post(typed).status_code == 400  # the form's own button: checked, and refused for the missing name
