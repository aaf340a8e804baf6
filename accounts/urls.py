from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/two-factor/", views.two_factor, name="two_factor"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("security/", views.security, name="security"),
    path("security/<int:pk>/unlock/", views.unlock, name="unlock"),
    path("security/<int:pk>/reset-two-factor/", views.reset_totp, name="reset_totp"),
    path("", views.home, name="home"),
]
