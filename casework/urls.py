from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from casework.api import api

admin.site.site_header = "casework administration"
admin.site.site_title = "casework admin"


@csrf_exempt
def api_not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    return JsonResponse({"detail": "Not found.", "code": "not_found", "errors": []}, status=404)


urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
    path("risk/", include("casework.risk.urls")),
    path("", include("casework.assessments.urls")),
    path("", include("casework.careplans.urls")),
    path("", include("casework.coordination.urls")),
    path("", include("casework.encounters.urls")),
    path("", include("casework.consent.urls")),
    path("", include("casework.coverage.urls")),
    path("", include("casework.monitoring.urls")),
    path("", include("casework.web.urls")),
]
