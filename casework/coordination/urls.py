from django.urls import path

from casework.coordination.views import appointments as appointment_views
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
    path(
        "cases/<uuid:case_id>/appointments/",
        appointment_views.case_appointments,
        name="case_appointments",
    ),
    path(
        "cases/<uuid:case_id>/appointments/new/",
        appointment_views.appointment_new,
        name="appointment_new",
    ),
    path(
        "appointments/<uuid:appointment_id>/",
        appointment_views.appointment_detail,
        name="appointment_detail",
    ),
    path(
        "appointments/<uuid:appointment_id>/edit/",
        appointment_views.appointment_edit,
        name="appointment_edit",
    ),
    path(
        "appointments/<uuid:appointment_id>/attendance/",
        appointment_views.appointment_attendance,
        name="appointment_attendance",
    ),
    path(
        "appointments/<uuid:appointment_id>/entered-in-error/",
        appointment_views.appointment_entered_in_error,
        name="appointment_entered_in_error",
    ),
    path("calendar/", appointment_views.my_calendar, name="calendar"),
    path("calendar/feed/new/", appointment_views.calendar_feed_new, name="calendar_feed_new"),
    path(
        "calendar/feed/revoke/",
        appointment_views.calendar_feed_revoke,
        name="calendar_feed_revoke",
    ),
    path(
        "calendar/feed/<slug:token>.ics",
        appointment_views.calendar_feed,
        name="calendar_feed",
    ),
]
