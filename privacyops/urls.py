from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from privacyops import views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.language_switch, name="set_language"),
    path("admin/", admin.site.urls),
]
