"""The pages of people's diplomacy."""

from django.urls import path

from . import views

app_name = "diplomacy"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("export/", views.DashboardExportView.as_view(), name="dashboard_export"),
    path("excel/<str:kind>/", views.ExcelView.as_view(), name="excel"),
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("calendar/feed/", views.CalendarFeedView.as_view(), name="calendar_feed"),
    path("calendar/feed/<str:token>.ics", views.calendar_ics, name="calendar_ics"),
    path("unions/<uuid:public_id>/report/", views.ReportView.as_view(), name="report"),
    path("events/<uuid:public_id>/files/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
    path(
        "events/<uuid:public_id>/files/<int:pk>/remove/", views.AttachmentRemoveView.as_view(), name="attachment_remove"
    ),
    path("unions/", views.UnionListView.as_view(), name="union_list"),
    path("unions/new/", views.UnionEditView.as_view(), name="union_add"),
    path("unions/<uuid:public_id>/", views.UnionDetailView.as_view(), name="union"),
    path("unions/<uuid:public_id>/edit/", views.UnionEditView.as_view(), name="union_edit"),
    path("unions/<uuid:public_id>/delete/", views.UnionDeleteView.as_view(), name="union_delete"),
    path("unions/<uuid:public_id>/restore/", views.UnionRestoreView.as_view(), name="union_restore"),
    path("units/", views.UnitListView.as_view(), name="unit_list"),
    path("units/new/", views.UnitEditView.as_view(), name="unit_add"),
    path("units/<uuid:public_id>/", views.UnitDetailView.as_view(), name="unit"),
    path("units/<uuid:public_id>/edit/", views.UnitEditView.as_view(), name="unit_edit"),
    path("units/<uuid:public_id>/delete/", views.UnitDeleteView.as_view(), name="unit_delete"),
    path("units/<uuid:public_id>/restore/", views.UnitRestoreView.as_view(), name="unit_restore"),
    path("members/new/", views.MemberEditView.as_view(), name="member_add"),
    path("members/<uuid:public_id>/", views.MemberDetailView.as_view(), name="member"),
    path("members/<uuid:public_id>/edit/", views.MemberEditView.as_view(), name="member_edit"),
    path("members/<uuid:public_id>/leave/", views.MemberLeaveView.as_view(), name="member_leave"),
    path("members/<uuid:public_id>/delete/", views.MemberDeleteView.as_view(), name="member_delete"),
    path("members/<uuid:public_id>/restore/", views.MemberRestoreView.as_view(), name="member_restore"),
    path("partnerships/", views.PartnershipListView.as_view(), name="partnership_list"),
    path("renewals/", views.RenewalListView.as_view(), name="renewals"),
    path("partnerships/new/", views.PartnershipEditView.as_view(), name="partnership_add"),
    path("partnerships/<uuid:public_id>/", views.PartnershipDetailView.as_view(), name="partnership"),
    path("partnerships/<uuid:public_id>/edit/", views.PartnershipEditView.as_view(), name="partnership_edit"),
    path("partnerships/<uuid:public_id>/delete/", views.PartnershipDeleteView.as_view(), name="partnership_delete"),
    path("partnerships/<uuid:public_id>/restore/", views.PartnershipRestoreView.as_view(), name="partnership_restore"),
    path("events/", views.EventListView.as_view(), name="event_list"),
    path("events/new/", views.EventEditView.as_view(), name="event_add"),
    path("events/<uuid:public_id>/", views.EventDetailView.as_view(), name="event"),
    path("events/<uuid:public_id>/edit/", views.EventEditView.as_view(), name="event_edit"),
    path("events/<uuid:public_id>/delete/", views.EventDeleteView.as_view(), name="event_delete"),
    path("events/<uuid:public_id>/restore/", views.EventRestoreView.as_view(), name="event_restore"),
    path("delegations/", views.DelegationListView.as_view(), name="delegation_list"),
    path("delegations/new/", views.DelegationEditView.as_view(), name="delegation_add"),
    path("delegations/<uuid:public_id>/", views.DelegationDetailView.as_view(), name="delegation"),
    path("delegations/<uuid:public_id>/edit/", views.DelegationEditView.as_view(), name="delegation_edit"),
    path("delegations/<uuid:public_id>/delete/", views.DelegationDeleteView.as_view(), name="delegation_delete"),
    path("delegations/<uuid:public_id>/restore/", views.DelegationRestoreView.as_view(), name="delegation_restore"),
    path("visitors/", views.VisitorListView.as_view(), name="visitor_list"),
    path("visitors/new/", views.VisitorEditView.as_view(), name="visitor_add"),
    path("visitors/<uuid:public_id>/", views.VisitorDetailView.as_view(), name="visitor"),
    path("visitors/<uuid:public_id>/edit/", views.VisitorEditView.as_view(), name="visitor_edit"),
    path("visitors/<uuid:public_id>/delete/", views.VisitorDeleteView.as_view(), name="visitor_delete"),
    path("visitors/<uuid:public_id>/restore/", views.VisitorRestoreView.as_view(), name="visitor_restore"),
]
