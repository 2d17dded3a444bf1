from django.urls import path

from casework.careplans import views

app_name = "careplans"

urlpatterns = [
    path("cases/<uuid:case_id>/care-plan/", views.case_plan, name="case_plan"),
    path("care-plans/<uuid:plan_id>/", views.plan_detail, name="detail"),
    path(
        "care-plans/<uuid:plan_id>/needs/from-screening/",
        views.needs_from_proposed,
        name="needs_from_proposed",
    ),
    path(
        "care-plans/<uuid:plan_id>/self-management/",
        views.self_management,
        name="self_management",
    ),
    path("care-plans/<uuid:plan_id>/agree/", views.plan_agree, name="agree"),
    path("care-plans/<uuid:plan_id>/approve/", views.plan_approve, name="approve"),
    path("care-plans/<uuid:plan_id>/reviews/", views.review_list, name="reviews"),
    path("care-plans/<uuid:plan_id>/reviews/new/", views.review_new, name="review_new"),
    path("care-plans/<uuid:plan_id>/versions/", views.version_list, name="versions"),
    path("care-plans/<uuid:plan_id>/versions/diff/", views.version_diff, name="diff"),
    path("care-plans/<uuid:plan_id>/print/", views.plan_print, name="print"),
    path("care-plans/<uuid:plan_id>/pdf/", views.plan_pdf, name="pdf"),
    path("care-plans/<uuid:plan_id>/<slug:section_key>/add/", views.section_add, name="add"),
    path(
        "care-plans/<uuid:plan_id>/<slug:section_key>/<uuid:item_id>/",
        views.item_edit,
        name="edit",
    ),
    path(
        "care-plans/<uuid:plan_id>/<slug:section_key>/<uuid:item_id>/remove/",
        views.item_remove,
        name="remove",
    ),
]
