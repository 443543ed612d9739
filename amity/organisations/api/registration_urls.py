from rest_framework.routers import SimpleRouter

from .views import RegistrationViewSet

router = SimpleRouter()
router.register("", RegistrationViewSet, basename="registration")
urlpatterns = router.urls
