from django.conf import settings
from django.middleware.locale import LocaleMiddleware


class SecurityHeadersMiddleware:
    """Content-Security-Policy and friends. Scripts only from our own static files."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            response.setdefault("Cache-Control", "no-store")
        return response


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Simplified Chinese unless the reader chose English with the switch (the language cookie).

    Pages ignore the browser's Accept-Language: the browser language of an office PC or a
    phone says little about its reader. API clients may still ask for English with it."""

    def process_request(self, request):
        if not request.path_info.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
