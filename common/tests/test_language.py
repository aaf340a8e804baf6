"""Pages are in Simplified Chinese until the reader switches; the switch sticks."""

import pytest
from django.test import Client
from django.urls import reverse

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def title(response) -> str:
    html = response.content.decode()
    return html[html.index("<title>") + 7 : html.index("</title>")]


@pytest.mark.django_db
def test_an_english_browser_still_gets_chinese_pages():
    response = Client().get("/login/", **ENGLISH_BROWSER)
    assert title(response) == "登录 · 落实"
    assert response["Content-Language"] == "zh-hans"


@pytest.mark.django_db
def test_the_language_switch_chooses_english_and_back():
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert title(client.get("/login/")) == "Log in · Luoshi"
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/"})
    assert title(client.get("/login/", **ENGLISH_BROWSER)) == "登录 · 落实"


@pytest.mark.django_db
def test_api_clients_may_ask_for_english():
    response = Client().get(reverse("api:summary"), **ENGLISH_BROWSER)
    assert response.status_code == 401  # the API itself answered, not a redirect or a 404
    assert response["Content-Language"] == "en"
