"""The reminders outbox (rows written in the same transaction as the change that causes them), and the debrief as
a stored read model (one document per loop, rewritten in the same transaction as every change it shows)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

# Not sent, cancelled or failed: what the dispatcher may still send and what a cancel may still stop.
PENDING = Q(sent_at__isnull=True, cancelled_at__isnull=True, failed_at__isnull=True)


class Reminder(models.Model):
    class Kind(models.TextChoices):
        NOTE_NOW = "note_now", "Note now"
        NOTE_OVERDUE = "note_overdue", "Note overdue"
        SCORECARD_OVERDUE = "scorecard_overdue", "Scorecard overdue"
        DEBRIEF_READY = "debrief_ready", "Debrief ready"
        DEBRIEF_MEETING = "debrief_meeting", "Debrief meeting"
        # Notices to an interviewer that the recruiter changed their interview (interviewloop.services).
        INTERVIEW_CANCELLED = "interview_cancelled", "Interview cancelled"
        INTERVIEW_RESCHEDULED = "interview_rescheduled", "Interview rescheduled"
        INTERVIEW_ASSIGNED = "interview_assigned", "Interview assigned"

    class Channel(models.TextChoices):
        # debriefs.slack_rules.CHANNELS: each channel's delivery is its own row (state, retries, admin, send again).
        EMAIL = "email", "Email"
        SLACK = "slack", "Slack"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    channel = models.CharField(
        max_length=10,
        choices=Channel.choices,
        default=Channel.EMAIL,
        help_text="How it is delivered: an email, or a Slack direct message (the recipient's choice).",
    )
    interview = models.ForeignKey(
        "interviewloop.Interview", on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    loop = models.ForeignKey("interviewloop.Loop", on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    copy_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Copied (e.g. the recruiter from the second scorecard reminder on).",
    )
    sequence = models.PositiveSmallIntegerField(default=1, help_text="Which repeat this is (scorecard_overdue).")
    due_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(help_text="When the dispatcher may next try it (due time, then backoff).")
    sent_at = models.DateTimeField(null=True, blank=True)
    sending_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set just before an email goes to the mail server, cleared with the outcome: set on a pending row, "
        "the worker stopped during that send and the server may have accepted it.",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True, help_text="Set when sending failed for good.")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_at", "-id"]
        constraints = [
            # A state change that happens twice (a double click, a retried task) writes the reminder once per channel.
            models.UniqueConstraint(
                fields=["kind", "interview", "recipient", "sequence", "channel"],
                condition=Q(interview__isnull=False),
                name="reminder_once_per_interview",
            ),
            models.UniqueConstraint(
                fields=["kind", "loop", "recipient", "sequence", "channel"],
                condition=Q(interview__isnull=True),
                name="reminder_once_per_loop",
            ),
        ]
        indexes = [
            # The dispatcher's claim: pending rows by next attempt time. Partial, so it stays
            # the size of the backlog rather than of the whole history.
            models.Index(
                fields=["next_attempt_at"],
                condition=PENDING,
                name="reminder_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient} by {self.channel} (#{self.pk})"

    @property
    def state(self) -> str:
        if self.sent_at:
            return "sent"
        if self.cancelled_at:
            return "cancelled"
        if self.failed_at:
            return "failed"
        return "pending"

    @property
    def in_doubt(self) -> bool:
        """Pending, but a send of it began and no outcome was recorded: it may have reached the recipient."""
        return self.state == "pending" and self.sending_at is not None


class SlackUser(models.Model):
    """A user's Slack member id, looked up once by their email (users.lookupByEmail) and kept for their direct
    messages. Kept with the address it was found by: a changed address is looked up again. Dropped when Slack says
    the id names nobody (debriefs.slack_rules.UNKNOWN_USER_ERRORS)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="slack_user"
    )
    email = models.EmailField(max_length=254, help_text="The address the id was looked up by.")
    slack_id = models.CharField(max_length=40, help_text="Slack's member id (U…), the DM's channel.")
    looked_up_at = models.DateTimeField()

    class Meta:
        verbose_name = "Slack user"

    def __str__(self) -> str:
        return f"{self.user} on Slack: {self.slack_id}"


class WebhookEndpoint(models.Model):
    """A receiver an admin registered: which events it gets, and the secret its deliveries are signed with."""

    url = models.URLField(max_length=500, help_text="Receives a POST of JSON per event; a 2xx within 5 s is delivery.")
    secret = models.CharField(
        max_length=200, help_text="Signs each body: Interviewloop-Signature: sha256=<hex HMAC-SHA256 of the raw body>."
    )
    events = models.JSONField(default=list, help_text='Event types it receives, e.g. ["scorecard.submitted"].')
    active = models.BooleanField(default=True, help_text="An inactive endpoint gets no new events.")
    description = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["url", "id"]

    def __str__(self) -> str:
        return self.description or self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint (the webhook outbox), written in the transaction that caused the event."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (retries given up)"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(help_text="The same for every endpoint that gets this event; receivers dedupe on it.")
    event_type = models.CharField(max_length=40)
    loop = models.ForeignKey("interviewloop.Loop", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    body = models.JSONField(help_text="What is POSTed: {id, type, created_at, data}.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    retry_until = models.DateTimeField(help_text="Failed tries are repeated until then (WEBHOOK_RETRY_HOURS).")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once_per_endpoint")
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="webhook_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} to {self.endpoint} ({self.status})"


# --- The debrief as a stored read model -------------------------------------------------------------------------


class DebriefDocument(models.Model):
    """A loop's whole debrief and its row of the loops list, as the API says them (JSON written by the serializers of
    `debriefs.serializers`), rewritten by `debriefs.services.debrief_document_write` in every transaction that
    changes what they show: reading either is one primary-key lookup. What depends on the clock (a note now due or
    missing, how overdue a scorecard is, the notes now late) is not stored: `debriefs.documents.at_time` adds it
    when read, from the stored times (`open_note_deadlines`: the deadlines of the notes not yet written).
    """

    loop = models.OneToOneField(
        "interviewloop.Loop", on_delete=models.CASCADE, primary_key=True, related_name="debrief_document"
    )
    document = models.JSONField()
    row = models.JSONField(help_text="The loop's row of the loops list.")
    interview_count = models.PositiveIntegerField(default=0)
    ended_count = models.PositiveIntegerField(default=0)
    submitted_count = models.PositiveIntegerField(default=0)
    missing_count = models.PositiveIntegerField(default=0, help_text="Counting interviews without a submitted card.")
    late_note_count = models.PositiveIntegerField(default=0, help_text="Notes written after their deadline.")
    open_note_deadlines = models.JSONField(default=list, help_text="Unwritten notes' due times (ISO 8601, in order).")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Debrief of loop {self.loop_id}"
