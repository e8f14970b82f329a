from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from privacyops import views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.language_switch, name="set_language"),
    path("admin/", admin.site.urls),
    # The requester portal (public pages; the app plugs in by name, the project imports no app).
    path("portal/", include("requests_app.portal.urls")),
]
