from rest_framework.routers import SimpleRouter

from scorecards import api

router = SimpleRouter()
router.register("rubrics", api.RubricViewSet, basename="rubric")

urlpatterns = [*router.urls]
