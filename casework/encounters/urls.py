from django.urls import path

from casework.encounters import views

app_name = "encounters"

urlpatterns = [
    path("cases/<uuid:case_id>/contacts/", views.case_contacts, name="case_contacts"),
    path("cases/<uuid:case_id>/contacts/new/", views.contact_new, name="contact_new"),
    path("contacts/<uuid:contact_id>/", views.contact_detail, name="contact_detail"),
    path("contacts/<uuid:contact_id>/edit/", views.contact_edit, name="contact_edit"),
    path(
        "contacts/<uuid:contact_id>/entered-in-error/",
        views.contact_entered_in_error,
        name="contact_entered_in_error",
    ),
]
