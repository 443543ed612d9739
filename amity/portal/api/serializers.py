"""The public API's representations: a published report (its basis, publisher office, hash and downloads), and one
serializer per open dataset built from the dataset's columns (`opendata.DATASETS`), so that a field of the API is a
column of the CSV, described once (the data dictionary and the OpenAPI schema say the same)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from amity.reports.models import PublishedReport
from amity.reports.services import frozen_status_basis, published_is_intact

from ..figures import DOWNLOADS
from ..opendata import BOOLEAN, DATE, DECIMAL, INTEGER, Dataset


class PublicPublishedReportSerializer(serializers.ModelSerializer[PublishedReport]):
    """A published report without its rows (the list); the detail adds `figures` and `intact`."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    province = serializers.SerializerMethodField(help_text=_("The province's code; empty for a national report."))
    province_name = serializers.SerializerMethodField()
    publisher = serializers.CharField(
        source="publisher_label", read_only=True, help_text=_("The office that published the figures.")
    )
    currency = serializers.SerializerMethodField()
    basis = serializers.SerializerMethodField(help_text=_("How the amounts were converted."))
    status_basis = serializers.SerializerMethodField(help_text=_("Which aid the figures count."))
    totals = serializers.SerializerMethodField(help_text=_("Each measure's total, amounts as decimal strings."))
    downloads = serializers.SerializerMethodField()

    class Meta:
        model = PublishedReport
        fields = [
            "id",
            "title",
            "province",
            "province_name",
            "publisher",
            "published_at",
            "currency",
            "basis",
            "status_basis",
            "parameters",
            "totals",
            "content_hash",
            "downloads",
        ]
        read_only_fields = fields

    def get_province(self, obj: PublishedReport) -> str:
        return obj.province.code if obj.province else ""

    def get_province_name(self, obj: PublishedReport) -> str:
        return obj.province.name if obj.province else ""

    def get_currency(self, obj: PublishedReport) -> str:
        return str(obj.figures.get("currency", ""))

    def get_basis(self, obj: PublishedReport) -> str:
        return str(obj.figures.get("basis", ""))

    def get_status_basis(self, obj: PublishedReport) -> str:
        return frozen_status_basis(obj.figures)

    def get_totals(self, obj: PublishedReport) -> dict[str, Any]:
        return dict(obj.figures.get("totals", {}))

    def get_downloads(self, obj: PublishedReport) -> dict[str, str]:
        request = self.context.get("request")
        links = {
            fmt: reverse("portal-data:figures_download", kwargs={"public_id": obj.public_id, "fmt": fmt})
            for fmt in DOWNLOADS
        }
        return {fmt: request.build_absolute_uri(link) if request else link for fmt, link in links.items()}


class PublicPublishedReportDetailSerializer(PublicPublishedReportSerializer):
    figures = serializers.SerializerMethodField(help_text=_("The frozen figures: rows with their keys and values."))
    intact = serializers.SerializerMethodField(help_text=_("Whether the stored figures still match their hash."))

    class Meta(PublicPublishedReportSerializer.Meta):
        fields = [*PublicPublishedReportSerializer.Meta.fields, "figures", "intact"]
        read_only_fields = fields

    def get_figures(self, obj: PublishedReport) -> dict[str, Any]:
        return dict(obj.figures)

    def get_intact(self, obj: PublishedReport) -> bool:
        return published_is_intact(obj)


def _field(kind: str, help_text: Any) -> serializers.Field[Any, Any, Any, Any]:
    options: dict[str, Any] = {"read_only": True, "help_text": help_text}
    if kind == DECIMAL:
        return serializers.DecimalField(max_digits=None, decimal_places=None, coerce_to_string=True, **options)
    if kind == DATE:
        return serializers.DateField(allow_null=True, **options)
    if kind == INTEGER:
        return serializers.IntegerField(**options)
    if kind == BOOLEAN:
        return serializers.BooleanField(**options)
    return serializers.CharField(**options)


def dataset_serializer(dataset: Dataset, name: str) -> type[serializers.Serializer[Any]]:
    """A read-only serializer whose fields are the dataset's columns, with their descriptions."""
    fields = {column.key: _field(column.kind, column.description) for column in dataset.columns}
    serializer: type[serializers.Serializer[Any]] = type(name, (serializers.Serializer,), fields)
    return serializer
