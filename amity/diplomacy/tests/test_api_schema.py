"""The OpenAPI schema of the diplomacy API says what the API does: an event's files are uploaded as multipart,
downloaded and deleted; the personal fields of visitors, volunteers and association members are null for everyone
but the owning province's staff (`amity.diplomacy.personal`), and are described so."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator

from amity.diplomacy.models import AssociationMember, Visitor
from amity.diplomacy.personal import personal_fields


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    """The API's OpenAPI schema as the documentation page reads it, in English (generated once: no database)."""
    with translation.override("en"):
        generated: dict[str, Any] = SchemaGenerator().get_schema(request=None, public=True)
    return generated


def component(schema: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = schema["components"]["schemas"][name]
    return found


def may_be_null(field: dict[str, Any]) -> bool:
    """Whether a property's schema admits null: `nullable`, and for a choice of enums `NullEnum` among them."""
    enums = [option["$ref"] for option in field.get("oneOf", []) if "$ref" in option]
    return field.get("nullable") is True and (not enums or "#/components/schemas/NullEnum" in enums)


def test_the_schema_describes_the_upload_as_multipart_and_the_download_and_delete(schema):
    files = schema["paths"]["/api/v1/diplomacy/events/{public_id}/attachments/"]
    body = files["post"]["requestBody"]["content"]
    assert list(body) == ["multipart/form-data"]
    upload = component(schema, body["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1])
    assert (upload["properties"]["file"]["type"], upload["properties"]["file"]["format"]) == ("string", "binary")
    assert upload["required"] == ["file"]
    assert upload["properties"]["kind"]["allOf"] == [{"$ref": "#/components/schemas/AttachmentKindEnum"}]
    assert "201" in files["post"]["responses"]
    listed = files["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert listed == {"type": "array", "items": {"$ref": "#/components/schemas/Attachment"}}  # no pages, no filters
    assert [parameter["name"] for parameter in files["get"]["parameters"]] == ["public_id"]
    one = schema["paths"]["/api/v1/diplomacy/events/{public_id}/attachments/{attachment_id}/"]
    assert set(one) >= {"get", "delete"}
    assert "application/octet-stream" in one["get"]["responses"]["200"]["content"]
    assert "204" in one["delete"]["responses"]


@pytest.mark.parametrize(("model", "name"), [(Visitor, "Visitor"), (AssociationMember, "Member")])
def test_personal_fields_are_nullable_in_answers_and_say_who_sees_them(schema, model, name):
    answer = component(schema, name)["properties"]
    fields = personal_fields(model)
    assert fields and set(fields) <= set(answer)
    for field in fields:
        assert may_be_null(answer[field]), (field, answer[field])
        description = answer[field]["description"]
        assert description.startswith("Personal data: given only to the staff of the province"), field
        assert "null for everyone else — central officers" in description
    # The fields the figures count are given to every reader: never null.
    for kept in ("owning_province", "joined_on") if model is AssociationMember else ("nationality", "start_date"):
        assert not answer[kept].get("nullable"), kept


@pytest.mark.parametrize(("model", "name"), [(Visitor, "VisitorRequest"), (AssociationMember, "MemberRequest")])
def test_a_request_is_not_told_it_may_send_null_for_a_name(schema, model, name):
    request = component(schema, name)["properties"]
    assert not request["full_name"].get("nullable")  # the model keeps text, blank when unknown
    assert request["full_name"]["description"].startswith("Personal data")
    assert not component(schema, f"Patched{name}")["properties"]["email"].get("nullable")


@pytest.mark.django_db
def test_a_central_officer_receives_null_for_every_field_the_schema_calls_personal(schema, users):
    from . import factories as f
    from .test_pages_and_api import api_for

    union = f.union(users["editor"])
    visitor = f.visitor(users["editor"], union, date_of_birth="1990-04-02", passport_number="FR123", phone="0912")
    member = f.member(users["editor"], f.unit(users["editor"], union))
    for record, name, path in ((visitor, "Visitor", "visitors"), (member, "Member", "association-members")):
        described = {
            field
            for field, property_schema in component(schema, name)["properties"].items()
            if property_schema.get("description", "").startswith("Personal data")
        }
        url = f"/api/v1/diplomacy/{path}/{record.public_id}/"
        central = api_for(users["central"]).get(url).json()
        own = api_for(users["viewer"]).get(url).json()
        assert described == {field for field, value in central.items() if value is None and own[field] is not None}
