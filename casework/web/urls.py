from django.contrib.auth import views as auth_views
from django.urls import path

from casework.cases import views as case_views
from casework.clients import views as client_views
from casework.programs import views as program_views
from casework.web import views

app_name = "web"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.caseload, name="caseload"),
    path("team/", views.team, name="team"),
    path("team/reassign/", views.team_reassign, name="team_reassign"),
    path("clients/", client_views.client_search, name="client_search"),
    path("clients/new/", client_views.client_create, name="client_create"),
    path("clients/<uuid:client_id>/", client_views.client_detail, name="client_detail"),
    path("clients/<uuid:client_id>/edit/", client_views.client_update, name="client_update"),
    path("clients/<uuid:client_id>/refer/", client_views.client_refer, name="client_refer"),
    path("cases/<uuid:case_id>/", case_views.case_detail, name="case_detail"),
    path("cases/<uuid:case_id>/transition/", case_views.case_transition, name="case_transition"),
    path("cases/<uuid:case_id>/assign/", case_views.case_assign, name="case_assign"),
    path("cases/<uuid:case_id>/screening/", case_views.case_screening, name="case_screening"),
    path("cases/<uuid:case_id>/care-team/", case_views.case_care_team, name="case_care_team"),
    path("cases/<uuid:case_id>/care-team/add/", case_views.care_team_add, name="care_team_add"),
    path("care-team/<uuid:member_id>/edit/", case_views.care_team_edit, name="care_team_edit"),
    path("care-team/<uuid:member_id>/end/", case_views.care_team_end, name="care_team_end"),
    path(
        "programs/<uuid:program_id>/waitlist/",
        program_views.program_waitlist,
        name="program_waitlist",
    ),
]
