from rest_framework.routers import SimpleRouter

from .views import AidItemViewSet, TransactionViewSet

router = SimpleRouter()
router.register("aid-items", AidItemViewSet, basename="aid-item")
router.register("transactions", TransactionViewSet, basename="transaction")
urlpatterns = router.urls
