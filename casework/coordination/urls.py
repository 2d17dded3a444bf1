from django.urls import path

from casework.coordination.views import directory as views
from casework.coordination.views import referrals as referral_views

app_name = "coordination"

urlpatterns = [
    path("resources/", views.directory, name="directory"),
    path("resources/import/", views.directory_import, name="import"),
    path("resources/organizations/new/", views.organization_new, name="organization_new"),
    path(
        "resources/organizations/<uuid:provider_id>/edit/",
        views.organization_edit,
        name="organization_edit",
    ),
    path("resources/services/new/", views.service_new, name="service_new"),
    path("resources/services/<uuid:service_id>/edit/", views.service_edit, name="service_edit"),
    path("cases/<uuid:case_id>/referrals/new/", referral_views.referral_new, name="referral_new"),
    path("referrals/<uuid:referral_id>/", referral_views.referral_detail, name="referral_detail"),
    path(
        "referrals/<uuid:referral_id>/transition/",
        referral_views.referral_transition,
        name="referral_transition",
    ),
    path(
        "referrals/<uuid:referral_id>/partner-link/",
        referral_views.referral_partner_link,
        name="referral_partner_link",
    ),
    path("partner/<str:token>/", referral_views.partner, name="partner"),
]
