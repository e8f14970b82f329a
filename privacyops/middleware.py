from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class UserLanguageMiddleware(LocaleMiddleware):
    """Japanese unless the person chose otherwise.

    The signed-in user's saved language comes first, then the language cookie set by the
    switch, then ``LANGUAGE_CODE``. The browser's Accept-Language is ignored on purpose: a
    desk machine with an English browser still shows the desk's language. The requester portal
    (``PUBLIC_PREFIXES``) is for the public: there the browser's language counts, after the cookie.
    """

    PUBLIC_PREFIXES = ("/portal/",)

    def process_request(self, request):
        language = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = getattr(user, "language", None)
        if not language:
            language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not language and request.path.startswith(self.PUBLIC_PREFIXES):
            language = translation.get_language_from_request(request)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
