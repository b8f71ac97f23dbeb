"""The reminders in Django admin: listed with their state, failed ones with their error, "send again" and "cancel"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from debriefs.models import Reminder
from tests.debriefs.reminder_fixtures import T0, ended_interview, make_loop

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:debriefs_reminder_changelist")


@pytest.fixture
def reminders(rubric, recruiter):
    """alice's five reminders: note_now sent, note_overdue failed, the scorecard ones pending (one retrying)."""
    ended_interview(make_loop(rubric, recruiter), "alice", at=T0)
    Reminder.objects.filter(kind="note_now").update(sent_at=T0, attempts=1)
    Reminder.objects.filter(kind="note_overdue").update(
        failed_at=T0, attempts=5, last_error="SMTPRecipientsRefused: {'alice@example.com': (550, b'No such user')}"
    )
    Reminder.objects.filter(kind="scorecard_overdue", sequence=1).update(
        attempts=2, last_error="TimeoutError: timed out"
    )
    return {r.kind + str(r.sequence): r for r in Reminder.objects.all()}


def listed_ids(response) -> list[int]:
    return sorted(reminder.pk for reminder in response.context["cl"].result_list)


def test_the_list_shows_each_state_and_the_failed_ones_error(client, admin, reminders):
    client.force_login(admin)

    response = client.get(CHANGELIST)

    assert response.status_code == 200
    assert len(listed_ids(response)) == 5
    page = response.content.decode()
    assert "SMTPRecipientsRefused: {&#x27;alice@example.com&#x27;: (550, b&#x27;No such user&#x27;)}" in page
    assert "retrying (2 failed)" in page
    for state in ("sent", "failed", "pending"):
        assert f'<td class="field-state">{state}</td>' in page


@pytest.mark.parametrize(
    ("state", "kinds"),
    [
        ("failed", ["note_overdue1"]),
        ("sent", ["note_now1"]),
        ("pending", ["scorecard_overdue1", "scorecard_overdue2", "scorecard_overdue3"]),
        ("retrying", ["scorecard_overdue1"]),
        ("cancelled", []),
    ],
)
def test_the_state_filter(client, admin, reminders, state, kinds):
    client.force_login(admin)

    response = client.get(CHANGELIST, {"state": state})

    assert listed_ids(response) == sorted(reminders[kind].pk for kind in kinds)


def test_filter_by_kind(client, admin, reminders):
    client.force_login(admin)

    response = client.get(CHANGELIST, {"kind__exact": "scorecard_overdue"})

    assert len(listed_ids(response)) == 3


def test_send_again_action_requeues_the_failed_one(client, admin, reminders):
    client.force_login(admin)
    failed = reminders["note_overdue1"]

    response = client.post(CHANGELIST, {"action": "send_again", "_selected_action": [failed.pk]}, follow=True)

    assert "1 reminder(s) queued to be sent again." in response.content.decode()
    failed.refresh_from_db()
    assert (failed.state, failed.attempts, failed.last_error) == ("pending", 0, "")


def test_cancel_action_cancels_only_the_pending_ones(client, admin, reminders):
    client.force_login(admin)
    ids = [r.pk for r in reminders.values()]

    response = client.post(CHANGELIST, {"action": "cancel", "_selected_action": ids}, follow=True)

    assert "3 pending reminder(s) cancelled." in response.content.decode()
    assert (
        sorted(Reminder.objects.filter(cancelled_at__isnull=False).values_list("kind", "cancel_reason"))
        == [("scorecard_overdue", "Cancelled in admin by ada.")] * 3
    )
    assert reminders["note_now1"].state == Reminder.objects.get(kind="note_now").state == "sent"


def test_reminders_cannot_be_added_by_hand(client, admin):
    client.force_login(admin)

    assert client.get(reverse("admin:debriefs_reminder_add")).status_code == 403


@pytest.mark.parametrize("who", ["outsider", "recruiter", "interviewer"])
def test_only_staff_see_the_reminders(client, request, who, reminders):
    client.force_login(request.getfixturevalue(who))

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
