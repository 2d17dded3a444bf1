from django.urls import path

from casework.coverage import views

app_name = "coverage"

urlpatterns = [
    path("clients/<uuid:client_id>/coverage/", views.client_coverage, name="client_coverage"),
    path("clients/<uuid:client_id>/coverage/new/", views.coverage_new, name="coverage_new"),
    path("coverage/<uuid:coverage_id>/edit/", views.coverage_edit, name="coverage_edit"),
    path("coverage/<uuid:coverage_id>/end/", views.coverage_end, name="coverage_end"),
    path(
        "coverage/<uuid:coverage_id>/entered-in-error/",
        views.coverage_entered_in_error,
        name="coverage_entered_in_error",
    ),
    path(
        "coverage/<uuid:coverage_id>/authorizations/new/",
        views.authorization_new,
        name="authorization_new",
    ),
    path(
        "authorizations/<uuid:authorization_id>/edit/",
        views.authorization_edit,
        name="authorization_edit",
    ),
    path(
        "authorizations/<uuid:authorization_id>/status/",
        views.authorization_status,
        name="authorization_status",
    ),
]
