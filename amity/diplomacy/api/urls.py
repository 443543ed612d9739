from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("unions", views.UnionViewSet, basename="diplomacy-union")
router.register("units", views.UnitViewSet, basename="diplomacy-unit")
router.register("partnerships", views.PartnershipViewSet, basename="diplomacy-partnership")
router.register("partnership-renewals", views.RenewalViewSet, basename="diplomacy-renewal")
router.register("agreement-renewals", views.AgreementRenewalViewSet, basename="diplomacy-agreement-renewal")
router.register("events", views.EventViewSet, basename="diplomacy-event")
router.register("delegations", views.DelegationViewSet, basename="diplomacy-delegation")
router.register("visitors", views.VisitorViewSet, basename="diplomacy-visitor")
router.register("association-members", views.MemberViewSet, basename="diplomacy-association-member")
urlpatterns = router.urls
