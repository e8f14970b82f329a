from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from privacyops.models import User


@admin.register(User)
class StaffUserAdmin(SimpleHistoryAdmin, UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Preferences"), {"fields": ("language",)}),
    )
    list_display = ("username", "last_name", "first_name", "email", "is_active", "is_staff", "language")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups", "language")
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        # Staff users are never deleted: their history rows name them. Deactivate instead.
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A past version is for reading. simple-history saves a POSTed version form even with
        # SIMPLE_HISTORY_REVERT_DISABLED (which only hides the button): refuse it here.
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
