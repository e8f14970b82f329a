from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from privacyops.audit import registry
from privacyops.audit.views import record_history
from privacyops.models import User


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Preferences"), {"fields": ("language",)}),
    )
    list_display = ("username", "last_name", "first_name", "email", "is_active", "is_staff", "language")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups", "language")
    show_full_result_count = False

    def get_queryset(self, request):
        """Least privilege: a manager sees the staff of their own organizations (and themself)."""
        return super().get_queryset(request).filter(pk__in=registry.scope().colleagues(request.user).values("pk"))

    def has_delete_permission(self, request, obj=None):
        # Staff users are never deleted: their history rows name them. Deactivate instead.
        return False

    def history_view(self, request, object_id, extra_context=None):
        return record_history(request, self, object_id)
