from rest_framework.routers import SimpleRouter

from .views import ConsultationViewSet

router = SimpleRouter()
router.register("", ConsultationViewSet, basename="consultation")
urlpatterns = router.urls
