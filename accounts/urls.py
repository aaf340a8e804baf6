from django.urls import path

from . import people, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/two-factor/", views.two_factor, name="two_factor"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("security/", views.security, name="security"),
    path("security/<int:pk>/unlock/", views.unlock, name="unlock"),
    path("security/<int:pk>/reset-two-factor/", views.reset_totp, name="reset_totp"),
    path("security/<int:pk>/activate/", views.person_activate, name="person_activate"),
    path("security/requests/<int:pk>/approve/", views.request_approve, name="request_approve"),
    path("security/requests/<int:pk>/reject/", views.request_reject, name="request_reject"),
    path("people/", people.user_list, name="user_list"),
    path("people/new/", people.user_create, name="user_create"),
    path("people/<int:pk>/active/", people.user_set_active, name="user_set_active"),
    path("people/<int:pk>/reset-password/", people.user_reset_password, name="user_reset_password"),
    path("", views.home, name="home"),
]
