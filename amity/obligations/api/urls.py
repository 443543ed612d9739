from rest_framework.routers import SimpleRouter

from .views import DutyRuleViewSet, ObligationViewSet, SubmissionViewSet

router = SimpleRouter()
router.register("rules", DutyRuleViewSet, basename="duty-rule")
router.register("submissions", SubmissionViewSet, basename="submission")
router.register("", ObligationViewSet, basename="obligation")
urlpatterns = router.urls
