"""How reminders reach a user (email, Slack, both): chosen on the profile page or by an admin, refused when it is no
choice, and followed by the reminders written afterwards."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import ManagementUtility, call_command
from django.urls import reverse

from debriefs.models import Reminder
from interviewloop.profiles import Profile, notify_by_of, user_set_notify_by
from tests.debriefs.reminder_fixtures import T0, ended_interview, make_loop
from tests.debriefs.slack_server import TOKEN
from tests.interviewloop.test_profile import MODEL_BACKEND, user_change_form

pytestmark = pytest.mark.django_db


def test_the_profile_page_offers_the_three_choices_with_email_by_default_and_says_slack_is_off(client, interviewer):
    client.force_login(interviewer)
    html = client.get("/profile/").content.decode()
    assert '<h2 id="notify-heading">How reminders reach you</h2>' in html
    assert f'action="{reverse("profile-notifications")}"' in html
    assert "<legend>Send my reminders by</legend>" in html
    for value in ("email", "slack", "both"):
        assert f'value="{value}"' in html
    assert 'value="email" required id="id_notify_by_0" checked' in html
    assert "Slack is not set up on this site yet: until it is, every reminder comes by email." in html


def test_choosing_slack_on_the_profile_page_makes_the_next_reminders_slack_ones(
    client, interviewer, rubric, recruiter, settings
):
    settings.SLACK_BOT_TOKEN = TOKEN
    client.force_login(interviewer)
    assert "direct messages from this site's Slack app" in client.get("/profile/").content.decode()

    response = client.post(reverse("profile-notifications"), {"notify_by": "slack"})

    assert (response.status_code, response["Location"]) == (302, "/profile/")
    assert Profile.objects.get(user=interviewer).notify_by == "slack"
    html = client.get("/profile/").content.decode()
    assert "Saved: your reminders now come by slack." in html
    assert 'value="slack" required id="id_notify_by_1" checked' in html
    ended_interview(make_loop(rubric, recruiter), "alice", at=T0)
    assert sorted(Reminder.objects.filter(recipient=interviewer).values_list("kind", "sequence", "channel")) == [
        ("note_now", 1, "slack"),
        ("note_overdue", 1, "slack"),
        ("scorecard_overdue", 1, "slack"),
        # the recruiter is copied from the second on: the copy rides on the email, kept beside the Slack message
        ("scorecard_overdue", 2, "email"),
        ("scorecard_overdue", 2, "slack"),
        ("scorecard_overdue", 3, "email"),
        ("scorecard_overdue", 3, "slack"),
    ]


@pytest.mark.parametrize("bad", ["", "pigeon", "SLACK", "email\x00"])
def test_the_profile_page_refuses_what_is_no_choice_and_keeps_the_one_there_was(client, interviewer, bad):
    user_set_notify_by(user=interviewer, notify_by="both")
    client.force_login(interviewer)

    response = client.post(reverse("profile-notifications"), {"notify_by": bad})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="form-error" role="alert"' in html
    assert Profile.objects.get(user=interviewer).notify_by == "both"


def test_the_choice_needs_a_sign_in_and_a_post(client, interviewer):
    response = client.post(reverse("profile-notifications"), {"notify_by": "slack"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(interviewer)
    assert client.get(reverse("profile-notifications")).status_code == 405
    assert not Profile.objects.exists()


def test_user_set_notify_by_refuses_anything_else_and_writes_nothing(interviewer):
    with pytest.raises(ValidationError):
        user_set_notify_by(user=interviewer, notify_by="carrier pigeon")
    assert not Profile.objects.exists()
    assert notify_by_of(interviewer) == "email"


def test_an_admin_sets_how_a_users_reminders_reach_them(client, admin, interviewer):
    client.force_login(admin, backend=MODEL_BACKEND)
    url = reverse("admin:auth_user_change", args=[interviewer.pk])
    assert '<select name="profile-0-notify_by"' in client.get(url).content.decode()

    response = client.post(url, user_change_form(interviewer, **{"profile-0-notify_by": "both"}))

    assert response.status_code == 302
    assert Profile.objects.get(user=interviewer).notify_by == "both"
    refused = client.post(url, user_change_form(interviewer, **{"profile-0-notify_by": "fax"}))
    assert refused.status_code == 200
    assert Profile.objects.get(user=interviewer).notify_by == "both"


# --- adduser --notify-by ---------------------------------------------------------------------------------------


def test_adduser_sets_how_reminders_reach_the_user_and_keeps_it_when_run_again(capsys):
    call_command("adduser", "paul", role="interviewer", email="p@example.com", password="s3cret-pass",
                 notify_by="both")  # fmt: skip
    assert capsys.readouterr().out == "Created interviewer paul, reminders by both.\n"
    assert notify_by_of(Profile.objects.get(user__username="paul").user) == "both"
    call_command("adduser", "paul", role="interviewer", password="s3cret-pass")
    assert Profile.objects.get(user__username="paul").notify_by == "both"


def test_adduser_refuses_a_channel_that_is_no_choice_and_writes_nothing(capsys, monkeypatch):
    # as `manage.py adduser` runs it (which closes every connection at the end, the test's own included)
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "adduser", "paul", "--role", "interviewer", "--password", "s3cret-pass",
                           "--notify-by", "pigeon"]).execute()  # fmt: skip
    assert exited.value.code == 2
    assert "--notify-by: invalid choice: 'pigeon'" in capsys.readouterr().err
    assert not get_user_model().objects.filter(username="paul").exists()
