from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_cache_control


class DefaultLanguageMiddleware:
    """Chinese unless the user picked another language with the switcher (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; on government
    machines that is often English while every user reads Chinese.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class PrivateCacheMiddleware:
    """Pages, PDFs and ZIPs for a signed-in user are never stored by a browser or a proxy.

    Responses that chose their own caching (the public replies) are left alone, before the user
    is even looked at, so those pages never touch the session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
