from django.urls import path

from casework.encounters import views

app_name = "encounters"

urlpatterns = [
    path("cases/<uuid:case_id>/contacts/", views.case_contacts, name="case_contacts"),
    path("cases/<uuid:case_id>/contacts/new/", views.contact_new, name="contact_new"),
]
