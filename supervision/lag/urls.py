from django.urls import path

from . import views

urlpatterns = [
    path("lag/", views.lag_list, name="lag_list"),
    path("lag/request/", views.lag_request, name="lag_request"),
    path("lag/<int:pk>/", views.lag_detail, name="lag_detail"),
    path("lag/<int:pk>/file/", views.lag_file, name="lag_file"),
    path("lag/<int:pk>/sign-off/", views.lag_sign_off, name="lag_sign_off"),
    path("lag/<int:pk>/send-back/", views.lag_send_back, name="lag_send_back"),
]
