from django.urls import path

from casework.monitoring.views import checkin as checkin_views
from casework.monitoring.views import notifications as notification_views
from casework.monitoring.views import remote as remote_views
from casework.monitoring.views import work as work_views

app_name = "monitoring"

urlpatterns = [
    path("work/", work_views.my_work_page, name="my_work"),
    path("work/team/", work_views.team_work_page, name="team_work"),
    path("work/new/", work_views.work_item_new, name="work_item_new"),
    path(
        "work/<uuid:work_item_id>/complete/",
        work_views.work_item_complete,
        name="work_item_complete",
    ),
    path("work/<uuid:work_item_id>/snooze/", work_views.work_item_snooze, name="work_item_snooze"),
    path(
        "work/<uuid:work_item_id>/unsnooze/",
        work_views.work_item_unsnooze,
        name="work_item_unsnooze",
    ),
    path(
        "work/<uuid:work_item_id>/reassign/",
        work_views.work_item_reassign,
        name="work_item_reassign",
    ),
    path("work/<uuid:work_item_id>/cancel/", work_views.work_item_cancel, name="work_item_cancel"),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path(
        "notifications/read-all/",
        notification_views.notification_read_all,
        name="notifications_read_all",
    ),
    path(
        "notifications/<uuid:notification_id>/read/",
        notification_views.notification_read,
        name="notification_read",
    ),
    # Remote monitoring and the client's check-in page (part D).
    path("clients/<uuid:client_id>/remote/", remote_views.client_remote, name="client_remote"),
    path(
        "alerts/<uuid:alert_id>/acknowledge/",
        remote_views.alert_acknowledge,
        name="alert_acknowledge",
    ),
    path(
        "clients/<uuid:client_id>/check-in-links/new/",
        remote_views.check_in_link_new,
        name="check_in_link_new",
    ),
    path(
        "check-in-links/<uuid:link_id>/revoke/",
        remote_views.check_in_link_revoke,
        name="check_in_link_revoke",
    ),
    path("check-in/<str:token>/", checkin_views.check_in, name="check_in"),
]
