"""Templates: language and direction of every page, the language menu, error pages, Bootstrap form markup,
list/detail/form pages of a record, and no asset or link from a CDN."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import translation

from amity.accounts.choices import Role
from amity.conftest import client_for, make_user
from amity.core.templatetags.amity import field_label
from amity.core.views import error_500
from amity.organisations import services
from amity.organisations.models import Organisation
from amity.reference.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

LANGUAGES = ["vi", "en", "ar"]
# Any absolute or protocol-relative URL to a host other than this machine.
REMOTE_URL = re.compile(r"""(?:https?:)?//(?!localhost\b|127\.0\.0\.1\b|\[::1\])[a-z0-9-]+(?:\.[a-z0-9-]+)+""", re.I)
# What a page loads (scripts, stylesheets, icons), not the addresses it names (its canonical address, alternates).
LOADED = re.compile(r'<script[^>]+src="([^"]+)"|<link rel="(?:stylesheet|icon|preload)"[^>]+href="([^"]+)"')
TEMPLATE_DIRS = [
    settings.BASE_DIR / "amity" / "templates",
    *sorted(settings.BASE_DIR.glob("amity/*/templates")),
]


def in_language(language: str, client: Client | None = None) -> Client:
    client = client or Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def html_tag(content: str) -> str:
    match = re.search(r"<html[^>]*>", content)
    assert match, "no <html> tag"
    return match.group(0)


def remote_urls(content: str) -> list[str]:
    """URLs to remote hosts in attributes that load or link something (src, href, url())."""
    found = []
    for attribute in re.findall(r"""(?:src|href|action|srcset)\s*=\s*["']([^"']*)["']|url\(([^)]*)\)""", content):
        value = "".join(attribute)
        if REMOTE_URL.match(value.strip(" '\"")):
            found.append(value)
    return found


@pytest.fixture
def province() -> AdministrativeUnit:
    """Hà Nội: the loaded reference data's, or a stand-in when reference data is not loaded."""
    unit, _created = AdministrativeUnit.objects.get_or_create(
        era="2025",
        level="province",
        code="01",
        defaults={
            "name_vi": "Hà Nội",
            "name_en": "Ha Noi",
            "full_name_vi": "Thành phố Hà Nội",
            "full_name_en": "Ha Noi City",
        },
    )
    return unit


@pytest.fixture
def officer() -> Any:
    return make_user("officer", Role.CENTRAL_OFFICER)


@pytest.fixture
def organisation(officer: Any) -> Organisation:
    return services.organisation_create(
        user=officer, data={"name": "Stichting Vrienden van Vietnam", "acronym": "SVV", "kind": "foreign_ngo"}
    )


# Language and direction ------------------------------------------------------------------------------------


def test_home_page_is_vietnamese_left_to_right_by_default(client: Client) -> None:
    content = client.get("/").content.decode()
    assert html_tag(content) == '<html lang="vi" dir="ltr">'
    assert "vendor/bootstrap/css/bootstrap.min.css" in content
    assert "bootstrap.rtl.min.css" not in content


def test_home_page_in_arabic_is_right_to_left_with_the_rtl_stylesheet() -> None:
    content = in_language("ar").get("/").content.decode()
    assert html_tag(content) == '<html lang="ar" dir="rtl">'
    assert "vendor/bootstrap/css/bootstrap.rtl.min.css" in content
    assert "bootstrap.min.css" not in content


def test_home_page_in_english_is_english_left_to_right() -> None:
    content = in_language("en").get("/").content.decode()
    assert html_tag(content) == '<html lang="en" dir="ltr">'


def test_unknown_language_cookie_falls_back_to_vietnamese() -> None:
    content = in_language("fr").get("/").content.decode()
    assert html_tag(content) == '<html lang="vi" dir="ltr">'


def test_language_menu_names_each_language_in_itself_and_posts_to_setlang(client: Client) -> None:
    # Django's own language names may be in decomposed Unicode (NFD): compare in composed form.
    # The staff pages' menu (`/` is the public home for visitors, with its own language links: portal/tests).
    content = unicodedata.normalize("NFC", client.get("/accounts/login/").content.decode())
    assert f'action="{reverse("set_language")}"' in content
    assert '<input type="hidden" name="next" value="/accounts/login/">' in content
    for code, name in [("vi", "Tiếng Việt"), ("en", "English"), ("ar", "العربي")]:
        assert re.search(rf'name="language" value="{code}" lang="{code}"[^>]*>{name}', content), code


def test_posting_to_setlang_switches_the_language_cookie(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    content = client.get("/accounts/login/").content.decode()
    assert html_tag(content) == '<html lang="ar" dir="rtl">'


# Error pages -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_404_page_renders_in_each_language(language: str) -> None:
    response = in_language(language).get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in [template.name for template in response.templates]
    content = response.content.decode()
    direction = "rtl" if language == "ar" else "ltr"
    assert html_tag(content) == f'<html lang="{language}" dir="{direction}">'
    assert 'href="/"' in content


def test_403_page_renders_for_a_user_who_may_not_add(province: AdministrativeUnit) -> None:
    viewer = make_user("viewer", Role.PROVINCIAL_VIEWER, (province,))
    response = in_language("ar", client_for(viewer)).get(reverse("organisations:add"))
    assert response.status_code == 403
    assert "403.html" in [template.name for template in response.templates]
    assert html_tag(response.content.decode()) == '<html lang="ar" dir="rtl">'


def failing_context_processor(request: Any) -> dict[str, Any]:
    raise RuntimeError("a context processor must not run for the 500 page")


@pytest.mark.parametrize("language", LANGUAGES)
def test_500_page_is_standalone(language: str, rf: Any, settings: Any) -> None:
    engine = settings.TEMPLATES[0]
    processors = [*engine["OPTIONS"]["context_processors"], f"{__name__}.failing_context_processor"]
    settings.TEMPLATES = [{**engine, "OPTIONS": {**engine["OPTIONS"], "context_processors": processors}}]
    rendered: list[str] = []

    def record(sender: Any, template: Any, **kwargs: Any) -> None:
        rendered.append(template.name)

    request = rf.get("/")
    request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = language  # the user's choice, whatever is active
    template_rendered.connect(record)
    try:
        with translation.override("vi" if language != "vi" else "en"):
            response = error_500(request)
    finally:
        template_rendered.disconnect(record)

    assert response.status_code == 500
    assert rendered == ["500.html", "error_standalone.html"]  # neither base.html nor any include
    content = response.content.decode()
    direction = "rtl" if language == "ar" else "ltr"
    assert html_tag(content) == f'<html lang="{language}" dir="{direction}">'
    stylesheet = "bootstrap.rtl.min.css" if language == "ar" else "bootstrap.min.css"
    assert f'href="/static/vendor/bootstrap/css/{stylesheet}"' in content


def test_500_template_renders_from_the_two_language_variables_only() -> None:
    from django.template import loader

    content = loader.get_template("500.html").render({"LANGUAGE_CODE": "ar", "LANGUAGE_BIDI": True})
    assert html_tag(content) == '<html lang="ar" dir="rtl">'


# Navigation and account pages ------------------------------------------------------------------------------


def test_anonymous_visitor_sees_a_login_button_and_no_sections(client: Client) -> None:
    content = client.get("/").content.decode()
    assert reverse("accounts:login") in content
    assert reverse("organisations:list") not in content


def test_signed_in_user_sees_sections_role_and_a_post_logout(officer: Any) -> None:
    content = in_language("en", client_for(officer)).get("/").content.decode()
    assert f'href="{reverse("organisations:list")}"' in content
    with translation.override("en"):
        assert str(Role.CENTRAL_OFFICER.label) in content
    assert re.search(
        rf'<form action="{reverse("accounts:logout")}" method="post">\s*<input type="hidden" '
        r'name="csrfmiddlewaretoken"',
        content,
    )
    assert 'href="/api/docs/"' in content


def test_current_section_is_highlighted(officer: Any) -> None:
    content = client_for(officer).get(reverse("organisations:list")).content.decode()
    assert re.search(rf'class="nav-link active" href="{reverse("organisations:list")}"', content)


def test_profile_shows_role_and_provinces(province: AdministrativeUnit) -> None:
    editor = make_user("editor", Role.PROVINCIAL_EDITOR, (province,))
    content = in_language("en", client_for(editor)).get(reverse("accounts:profile")).content.decode()
    with translation.override("en"):
        assert str(Role.PROVINCIAL_EDITOR.label) in content
    assert province.full_name_en in content


def test_login_page_renders_the_form_with_bootstrap_classes(client: Client) -> None:
    content = client.get(reverse("accounts:login")).content.decode()
    assert re.search(r'<input type="text" name="username"[^>]*class="form-control"', content)
    assert re.search(r'<input type="password" name="password"[^>]*class="form-control"', content)


# Form rendering --------------------------------------------------------------------------------------------


class SampleForm(forms.Form):
    name = forms.CharField(help_text="Full name.")
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])
    active = forms.BooleanField(required=False)
    colours = forms.MultipleChoiceField(
        choices=[("r", "Red"), ("g", "Green")], widget=forms.CheckboxSelectMultiple, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        raise ValidationError("The whole form is wrong.")


def test_form_renders_bootstrap_controls_errors_and_help() -> None:
    html = str(SampleForm({"name": "", "kind": "zzz", "version": "3"}))
    assert re.search(r'<input type="text" name="name" class="form-control is-invalid"', html)
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert '<div class="invalid-feedback d-block" id="id_name_error">' in html
    assert '<div class="form-text" id="id_name_helptext">Full name.</div>' in html
    assert re.search(r'<select name="kind" class="form-select is-invalid"', html)
    assert re.search(r'<input type="checkbox" name="active" class="form-check-input"', html)
    assert re.search(r'<input type="checkbox" name="colours" value="r" class="form-check-input"', html)
    assert '<div class="alert alert-danger" role="alert">' in html and "The whole form is wrong." in html
    assert '<input type="hidden" name="version" value="3" id="id_version">' in html


def test_form_marks_required_labels() -> None:
    html = str(SampleForm())
    assert '<label class="form-label amity-required" for="id_name">' in html
    assert '<label class="form-check-label" for="id_active">' in html


# Organisation pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_organisation_pages_render_in_each_language(language: str, officer: Any, organisation: Organisation) -> None:
    client = in_language(language, client_for(officer))
    direction = "rtl" if language == "ar" else "ltr"
    for url in [
        reverse("organisations:list"),
        organisation.get_absolute_url(),
        reverse("organisations:add"),
        reverse("organisations:edit", args=[organisation.public_id]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert html_tag(response.content.decode()) == f'<html lang="{language}" dir="{direction}">', url


def test_list_sort_headers_toggle_and_keep_the_filter(officer: Any, organisation: Organisation) -> None:
    content = client_for(officer).get(reverse("organisations:list"), {"sort": "name", "kind": "foreign_ngo"}).content
    content = content.decode()
    assert '<th scope="col" aria-sort="ascending">' in content
    assert 'href="?sort=-name&amp;kind=foreign_ngo"' in content
    assert 'href="?sort=acronym&amp;kind=foreign_ngo"' in content


def test_list_paginates_keeping_filter_and_sort(officer: Any) -> None:
    for index in range(settings.AMITY_PAGE_SIZE + 1):
        Organisation.objects.create(name=f"NGO {index:03}", kind="foundation")
    client = in_language("en", client_for(officer))
    content = client.get(reverse("organisations:list"), {"kind": "foundation", "sort": "-name"}).content.decode()
    assert 'href="?kind=foundation&amp;sort=-name&amp;page=2"' in content
    assert "page 1 of 2" in content


def test_list_shows_an_empty_state_when_the_filter_matches_nothing(officer: Any, organisation: Organisation) -> None:
    response = client_for(officer).get(reverse("organisations:list"), {"q": "no such organisation"})
    assert response.context["object_list"].count() == 0
    assert 'class="table' not in response.content.decode()


def test_add_button_only_for_users_who_may_add(officer: Any, organisation: Organisation) -> None:
    add_url = f'href="{reverse("organisations:add")}"'
    assert add_url in client_for(officer).get(reverse("organisations:list")).content.decode()
    viewer = make_user("viewer", Role.PROVINCIAL_VIEWER)
    assert add_url not in client_for(viewer).get(reverse("organisations:list")).content.decode()


def test_detail_shows_history_and_post_buttons_with_confirmation(officer: Any, organisation: Organisation) -> None:
    services.organisation_update(
        organisation=organisation,
        user=officer,
        data={"acronym": "SVVN"},
        expected_version=organisation.version,
    )
    content = client_for(officer).get(organisation.get_absolute_url()).content.decode()
    assert re.search(r"<del[^>]*>SVV</del>", content) and re.search(r"<ins[^>]*>SVVN</ins>", content)
    assert reverse("organisations:edit", args=[organisation.public_id]) in content
    assert re.search(
        rf'<form method="post" action="{reverse("organisations:delete", args=[organisation.public_id])}'
        r'"\s+data-confirm="[^"]+">',
        content,
    )
    assert reverse("organisations:restore", args=[organisation.public_id]) not in content


def test_deleted_organisation_shows_a_badge_and_restore_instead_of_edit(
    officer: Any, organisation: Organisation
) -> None:
    services.organisation_delete(organisation=organisation, user=officer)
    content = client_for(officer).get(organisation.get_absolute_url()).content.decode()
    assert 'class="badge text-bg-danger' in content
    assert reverse("organisations:restore", args=[organisation.public_id]) in content
    assert reverse("organisations:edit", args=[organisation.public_id]) not in content
    assert reverse("organisations:delete", args=[organisation.public_id]) not in content


def test_conflict_shows_both_values_and_keeps_the_input(officer: Any, organisation: Organisation) -> None:
    stale_version = organisation.version
    services.organisation_update(
        organisation=organisation, user=officer, data={"acronym": "THEIRS"}, expected_version=stale_version
    )
    data = {
        "name": organisation.name,
        "acronym": "MINE",
        "kind": "foreign_ngo",
        "status": "active",
        "version": stale_version,
    }
    response = client_for(officer).post(reverse("organisations:edit", args=[organisation.public_id]), data)
    assert response.status_code == 409
    content = response.content.decode()
    assert re.search(r'<div class="alert alert-warning[^"]*" role="alert">', content)
    assert re.search(r"<td>THEIRS</td>\s*<td[^>]*>MINE</td>", content)
    assert re.search(r'<input type="text" name="acronym" value="MINE"', content)


# No CDN ----------------------------------------------------------------------------------------------------


def test_no_template_refers_to_a_remote_host() -> None:
    offenders = []
    for directory in TEMPLATE_DIRS:
        for path in Path(directory).rglob("*.html"):
            for url in REMOTE_URL.findall(path.read_text(encoding="utf-8")):
                offenders.append(f"{path}: {url}")
    assert offenders == []


# What the Content-Security-Policy refuses (config/settings/base.py): inline scripts (a <script> without src; data
# blocks are made by `json_script` when rendered), style elements and attributes, event handler attributes,
# javascript: links, and htmx's evaluated attributes (turned off in base.html's htmx-config).
INLINE_CODE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:|\shx-on|\shx-vars=|\bjs:", re.I
)


def test_no_template_has_an_inline_script_style_or_event_handler() -> None:
    offenders = []
    for directory in TEMPLATE_DIRS:
        for path in Path(directory).rglob("*.html"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if INLINE_CODE.search(line):
                    offenders.append(f"{path}:{number}: {line.strip()}")
    assert offenders == []


def test_rendered_pages_load_nothing_from_a_remote_host(officer: Any, organisation: Organisation) -> None:
    anonymous, signed_in = Client(), client_for(officer)
    pages = [
        (anonymous, "/"),
        (anonymous, reverse("accounts:login")),
        (anonymous, "/no-such-page/"),
        (signed_in, "/"),
        (signed_in, reverse("accounts:profile")),
        (signed_in, reverse("accounts:password_change")),
        (signed_in, reverse("organisations:list")),
        (signed_in, organisation.get_absolute_url()),
        (signed_in, reverse("organisations:add")),
    ]
    for language in LANGUAGES:
        for client, url in pages:
            content = in_language(language, client).get(url).content.decode()
            assert remote_urls(content) == [], (language, url)
            for found in LOADED.findall(content):
                asset = "".join(found)
                assert asset.startswith(settings.STATIC_URL), (language, url, asset)


def test_a_field_label_names_a_field_or_the_records_of_a_relation_they_hold() -> None:
    organisation = Organisation(name="Plan International")
    with translation.override("en"):
        assert field_label(organisation, "owning_province") == "Recorded by province"
        assert field_label(organisation, "registrations") == "Registrations"
