from django.urls import path

from casework.assessments import views

app_name = "assessments"

urlpatterns = [
    path("clients/<uuid:client_id>/assessments/", views.assessment_list, name="list"),
    path("clients/<uuid:client_id>/assessments/new/", views.assessment_new, name="new"),
    path("assessments/<uuid:assessment_id>/", views.assessment_detail, name="detail"),
]
