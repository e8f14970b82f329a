from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from privacyops import two_factor
from privacyops.audit import registry
from privacyops.audit.access import client_ip
from privacyops.audit.models import AccessKind, AccessLog
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

    actions = ["reset_two_factor"]

    @admin.action(description=_("Reset two-factor login (lost phone)"))
    def reset_two_factor(self, request, queryset):
        """The administrator removes the chosen users' authenticators and recovery codes: each
        enrols again at the next login. Superusers only; each reset is in the audit trail."""
        if not request.user.is_superuser:
            self.message_user(request, _("Only the administrator can reset two-factor login."), messages.ERROR)
            return
        for user in queryset:
            if two_factor.reset(user):
                AccessLog.objects.create(
                    user=request.user,
                    kind=AccessKind.TWO_FACTOR_RESET,
                    path=reverse("admin:privacyops_user_change", args=[user.pk]),  # whose
                    ip_address=client_ip(request),
                )
        self.message_user(
            request, _("Two-factor login reset: the users set it up again at their next login."), messages.SUCCESS
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("reset_two_factor", None)
        return actions

    def get_queryset(self, request):
        """Least privilege: a manager sees the staff of their own organizations (and themself)."""
        return super().get_queryset(request).filter(pk__in=registry.scope().colleagues(request.user).values("pk"))

    def has_delete_permission(self, request, obj=None):
        # Staff users are never deleted: their history rows name them. Deactivate instead.
        return False

    def history_view(self, request, object_id, extra_context=None):
        return record_history(request, self, object_id)
