from django.urls import include, path

app_name = "supervision"
urlpatterns: list = [
    path("", include("supervision.lag.urls")),
]
