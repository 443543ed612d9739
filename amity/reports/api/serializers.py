"""API representation of published reports and of the input that publishes one. Figures stay as they were
frozen: amounts as decimal strings, labels as published."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from amity.core.api import CodeRelatedField
from amity.reference.models import AdministrativeUnit

from ..exports import FORMATS
from ..models import PublishedReport
from ..services import frozen_status_basis, published_is_intact


def export_links(request: Any, params: dict[str, str]) -> dict[str, str]:
    """Absolute download links of the same figures in every export format."""
    base = reverse("reports:export")
    links = {fmt: f"{base}?{urlencode({**params, 'format': fmt})}" for fmt in FORMATS}
    return {fmt: request.build_absolute_uri(link) if request else link for fmt, link in links.items()}


class PublishedReportSerializer(serializers.ModelSerializer[PublishedReport]):
    """A published report without its rows (the list); the detail adds `figures` and `intact`."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    # The province's code; null for a national report (the schema says so: a client must expect it).
    province: CodeRelatedField[AdministrativeUnit] = CodeRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text=_("Empty for a national report.")
    )
    published_by = serializers.CharField(
        source="publisher_label",
        read_only=True,
        help_text=_("The office that published the figures (never a person: published figures are public)."),
    )
    currency = serializers.SerializerMethodField()
    basis = serializers.SerializerMethodField()
    status_basis = serializers.SerializerMethodField(
        help_text=_("Which aid the figures count; reports published before it was recorded counted every status.")
    )
    totals = serializers.SerializerMethodField()
    exports = serializers.SerializerMethodField()

    class Meta:
        model = PublishedReport
        fields = [
            "id",
            "title",
            "province",
            "parameters",
            "currency",
            "basis",
            "status_basis",
            "totals",
            "content_hash",
            "published_by",
            "published_at",
            "exports",
        ]
        read_only_fields = fields

    def get_currency(self, obj: PublishedReport) -> str:
        return str(obj.figures.get("currency", ""))

    def get_basis(self, obj: PublishedReport) -> str:
        return str(obj.figures.get("basis", ""))

    def get_status_basis(self, obj: PublishedReport) -> str:
        return frozen_status_basis(obj.figures)

    def get_totals(self, obj: PublishedReport) -> dict[str, Any]:
        return dict(obj.figures.get("totals", {}))

    def get_exports(self, obj: PublishedReport) -> dict[str, str]:
        return export_links(self.context.get("request"), {"published": str(obj.public_id)})


class PublishedReportDetailSerializer(PublishedReportSerializer):
    intact = serializers.SerializerMethodField(help_text=_("Whether the stored figures still match their hash."))

    class Meta(PublishedReportSerializer.Meta):
        fields = [*PublishedReportSerializer.Meta.fields, "figures", "intact"]
        read_only_fields = fields

    def get_intact(self, obj: PublishedReport) -> bool:
        return published_is_intact(obj)


class PublishInputSerializer(serializers.Serializer[None]):  # input only: no instance
    """Publish the figures of a report as the user sees them now."""

    title = serializers.CharField(max_length=300)
    parameters = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        help_text=_('The report\'s parameters, as in GET /api/v1/reports/ (e.g. {"year": "2024", "province": "31"}).'),
    )
