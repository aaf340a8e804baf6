from django.urls import path

from . import views

app_name = "reminders"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("bell/", views.bell, name="bell"),
    path("read/", views.mark_read, name="mark_read"),
    path("<int:pk>/ack/", views.acknowledge, name="acknowledge"),
    path("all/", views.reminder_list, name="reminder_list"),
    path("unreachable/", views.unreachable, name="unreachable"),
    path("robots/", views.robot_list, name="robot_list"),
    path("robots/<int:pk>/", views.robot_edit, name="robot_edit"),
    path("robots/<int:pk>/remove/", views.robot_remove, name="robot_remove"),
]
