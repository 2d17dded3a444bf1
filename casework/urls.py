from django.contrib import admin
from django.urls import include, path

from casework.api import api

admin.site.site_header = "casework administration"
admin.site.site_title = "casework admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("casework.web.urls")),
]
