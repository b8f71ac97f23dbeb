"""Reminders in the admin: the outbox by state and channel (email, Slack), with the failed ones and their last error
in plain sight; and the Slack ids the dispatcher keeps (deleting one makes it look the user up again)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from debriefs.models import PENDING, Reminder, SlackUser
from debriefs.outbox import reminder_cancel, reminder_send_again


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"
    STATES = {
        "pending": PENDING,
        "sent": Q(sent_at__isnull=False),
        "cancelled": Q(sent_at__isnull=True, cancelled_at__isnull=False),
        "failed": Q(sent_at__isnull=True, cancelled_at__isnull=True, failed_at__isnull=False),
        "retrying": PENDING & Q(attempts__gt=0),
    }

    def lookups(self, request, model_admin):
        return [(state, state.capitalize()) for state in self.STATES]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(self.STATES[value]) if value in self.STATES else queryset


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = [
        "id", "kind", "channel", "state", "recipient", "copy_to", "loop", "sequence",
        "due_at", "next_attempt_at", "sent_at", "attempts", "short_error",
    ]  # fmt: skip
    list_filter = [StateFilter, "channel", "kind", "due_at"]
    search_fields = ["recipient__username", "recipient__email", "loop__candidate__name", "last_error"]
    list_select_related = ["recipient", "copy_to", "loop__candidate", "loop__position"]
    date_hierarchy = "due_at"
    actions = ["send_again", "cancel"]
    readonly_fields = [
        "kind", "channel", "interview", "loop", "recipient", "copy_to", "sequence", "due_at", "next_attempt_at", "sending_at",
        "sent_at", "cancelled_at", "cancel_reason", "failed_at", "attempts", "last_error", "created_at", "state",
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # reminders come from state changes, not by hand

    @admin.display(description="state")
    def state(self, reminder: Reminder) -> str:
        if reminder.in_doubt:
            return "in doubt (a send was interrupted; it may have arrived)"
        if reminder.state == "pending" and reminder.attempts:
            return f"retrying ({reminder.attempts} failed)"
        return reminder.state

    @admin.display(description="last error")
    def short_error(self, reminder: Reminder) -> str:
        return reminder.last_error[:120]

    @admin.action(description="Send again (still re-checked: nothing is sent for work already done)")
    def send_again(self, request: HttpRequest, queryset: QuerySet[Reminder]) -> None:
        count = reminder_send_again(reminders=queryset)
        self.message_user(request, f"{count} reminder(s) queued to be sent again.", messages.SUCCESS)

    @admin.action(description="Cancel the pending ones")
    def cancel(self, request: HttpRequest, queryset: QuerySet[Reminder]) -> None:
        count = reminder_cancel(reminders=queryset, by=request.user)
        self.message_user(request, f"{count} pending reminder(s) cancelled.", messages.SUCCESS)


@admin.register(SlackUser)
class SlackUserAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "slack_id", "looked_up_at"]
    search_fields = ["user__username", "email", "slack_id"]
    list_select_related = ["user"]
    readonly_fields = ["user", "email", "slack_id", "looked_up_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # found by the dispatcher (users.lookupByEmail); delete one to have it looked up again


from debriefs import admin_webhooks  # noqa: E402, F401  (registers the webhook admin beside the reminders)
