"""Risk pages, included from ``casework/urls.py`` under ``/risk/``."""

from django.urls import path

from casework.risk import views

app_name = "risk"

urlpatterns = [
    path("", views.risk_population, name="population"),
    path("clients/<uuid:client_id>/", views.risk_client, name="client"),
    path("clients/<uuid:client_id>/enroll/", views.risk_enroll, name="enroll"),
    path("assessments/<int:assessment_id>/decision/", views.risk_decision, name="decision"),
]
