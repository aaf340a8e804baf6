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


class InputGuardMiddleware:
    """Refuses a request whose parameters carry a NUL character (no database stores one in a
    text column: PostgreSQL would answer with an error page), before any view reads them.
    Everything else is bounded by `common.validation`.

    A form post is read here only for views whose CSRF check reads it anyway: a view exempt
    from it (the REST API) parses its own body, which reading the form first would consume."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from django.http import HttpResponseBadRequest
        from django.utils.translation import gettext as _

        sources = [request.GET]
        if request.method == "POST" and not getattr(view_func, "csrf_exempt", False):
            # (a body Django cannot parse raises here as it would in the CSRF check: a 400)
            sources.append(request.POST)
        bad = any(
            "\x00" in key or any("\x00" in value for value in values)
            for params in sources
            for key, values in params.lists()
        )
        if not bad:
            return None
        message = _("The request contains a NUL character, which no field accepts.")
        if getattr(view_func, "csrf_exempt", False):  # the REST API: its one error shape
            from django.http import JsonResponse

            return JsonResponse(
                {"error": message}, status=400, json_dumps_params={"ensure_ascii": False}
            )
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
