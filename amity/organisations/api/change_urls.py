from rest_framework.routers import SimpleRouter

from .views import OrganisationChangeViewSet

router = SimpleRouter()
router.register("", OrganisationChangeViewSet, basename="organisation-change")
urlpatterns = router.urls
