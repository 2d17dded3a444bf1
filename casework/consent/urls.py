from django.urls import path

from casework.consent import views

app_name = "consent"

urlpatterns = [
    path("clients/<uuid:client_id>/consents/", views.client_consents, name="client_consents"),
    path("consents/<uuid:consent_id>/revoke/", views.consent_revoke, name="consent_revoke"),
]
