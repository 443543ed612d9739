"""The API's schema and documentation page are for signed-in users unless AMITY_API_DOCS_PUBLIC publishes them
(issue 13, item 10): the schema lists every operation, filter and field of this deployment's version, which an
anonymous visitor does not need; integrators have accounts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from amity.accounts.choices import Role
from amity.conftest import client_for, make_user

pytestmark = pytest.mark.django_db


def test_by_default_the_schema_and_the_docs_need_sign_in(settings: Any) -> None:
    assert settings.AMITY_API_DOCS_PUBLIC is False
    schema = Client().get(reverse("schema"), {"format": "json"}, HTTP_ACCEPT_LANGUAGE="en")
    assert schema.status_code == 403
    assert schema.json() == {"detail": "Authentication credentials were not provided."}
    docs = Client().get(reverse("swagger-ui"))
    assert docs.status_code == 302
    assert docs["Location"] == f"{reverse('accounts:login')}?next={reverse('swagger-ui')}"
    script = Client().get(reverse("swagger-ui") + "?script=")
    assert script.status_code == 302


@pytest.mark.parametrize("role", [Role.PROVINCIAL_VIEWER, Role.NGO_REPRESENTATIVE])
def test_any_signed_in_user_reads_the_schema_and_the_docs(role: str) -> None:
    user = make_user("reader", role)
    client = client_for(user)
    assert client.get(reverse("schema"), {"format": "json"}).json()["info"]["title"] == "Amity API"
    docs = client.get(reverse("swagger-ui"))
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
    script = client.get(reverse("swagger-ui") + "?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    token = Token.objects.create(user=user)
    by_token = Client(HTTP_AUTHORIZATION=f"Token {token.key}").get(reverse("schema"), {"format": "json"})
    assert by_token.status_code == 200


def test_the_setting_publishes_them_to_anyone(settings: Any) -> None:
    settings.AMITY_API_DOCS_PUBLIC = True
    assert Client().get(reverse("schema"), {"format": "json"}).status_code == 200
    assert Client().get(reverse("swagger-ui")).status_code == 200
    assert Client().get(reverse("swagger-ui") + "?script=").status_code == 200
