from django.urls import path

from casework.coordination.views import directory as views

app_name = "coordination"

urlpatterns = [
    path("resources/", views.directory, name="directory"),
    path("resources/import/", views.directory_import, name="import"),
]
