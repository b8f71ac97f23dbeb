"""Each user reads times in their own zone: the profile page sets it, adduser and admin too; every page shows and
reads times in it at no query's cost; the API answers as it always did."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from interviewloop.models import Interview, Loop
from interviewloop.profiles import TIME_ZONE_SESSION_KEY, Profile, time_zone_of, user_set_time_zone
from tests.factories import InterviewFactory, NoteFactory, PositionFactory, UserFactory, make_scorecard

pytestmark = pytest.mark.django_db

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
AT_1430_UTC = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)


def signed_in(client, user, zone: str | None = None):
    if zone is not None:
        user_set_time_zone(user=user, time_zone=zone)
    client.force_login(user)
    return client


# --- The profile page ---------------------------------------------------------------------------------------


def test_the_profile_page_shows_name_email_and_zone_with_a_labelled_select(client, interviewer):
    response = signed_in(client, interviewer).get("/profile/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alice" in html and "alice@example.com" in html
    assert '<dd id="current-time-zone">UTC</dd>' in html  # no profile yet: the site's TIME_ZONE
    assert '<label for="id_time_zone">Time zone:</label>' in html
    assert re.search(
        r'<select name="time_zone" [^>]*aria-describedby="id_time_zone_helptext"[^>]*id="id_time_zone"', html
    )
    assert '<optgroup label="Europe">' in html and '<option value="UTC" selected>UTC</option>' in html
    assert 'href="/profile/"' in html  # the top bar's link


def test_the_profile_page_saves_the_zone_and_the_next_page_shows_it(client, interviewer):
    signed_in(client, interviewer)
    response = client.post("/profile/", {"time_zone": "Europe/Paris"})
    assert (response.status_code, response["Location"]) == (302, "/profile/")
    assert Profile.objects.get(user=interviewer).time_zone == "Europe/Paris"
    assert client.session[TIME_ZONE_SESSION_KEY] == "Europe/Paris"
    html = client.get("/profile/").content.decode()
    assert "Saved: times are now shown in Europe/Paris." in html
    assert '<dd id="current-time-zone">Europe/Paris</dd>' in html
    assert '<option value="Europe/Paris" selected>Europe/Paris</option>' in html
    # saving again changes the one profile, never adds a second
    client.post("/profile/", {"time_zone": "Asia/Kolkata"})
    assert list(Profile.objects.values_list("user__username", "time_zone")) == [("alice", "Asia/Kolkata")]


@pytest.mark.parametrize("bad", ["Mars/Olympus_Mons", "", "europe/paris", "localtime", "Europe/Paris\x00"])
def test_the_profile_page_refuses_what_is_no_zone_and_keeps_the_one_there_was(client, interviewer, bad):
    signed_in(client, interviewer, "Asia/Kolkata")
    response = client.post("/profile/", {"time_zone": bad})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="form-error" role="alert"' in html
    assert "Pick a time zone." in html if not bad else "is not a time zone: give an IANA name" in html
    assert 'aria-invalid="true"' in html
    assert Profile.objects.get(user=interviewer).time_zone == "Asia/Kolkata"
    assert client.session[TIME_ZONE_SESSION_KEY] == "Asia/Kolkata"


def test_the_profile_page_needs_a_sign_in_and_is_anyones_once_signed_in(client, outsider, recruiter, admin):
    response = client.get("/profile/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/profile/")
    for user in (outsider, recruiter, admin):
        client.force_login(user, backend=MODEL_BACKEND)
        assert client.get("/profile/").status_code == 200


def test_user_set_time_zone_refuses_an_unknown_zone_and_writes_nothing(interviewer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        user_set_time_zone(user=interviewer, time_zone="Atlantis/Capital")
    assert refused.value.messages == [
        "Atlantis/Capital is not a time zone: give an IANA name such as Europe/Paris or America/New_York."
    ]
    assert not Profile.objects.exists()
    assert time_zone_of(get_user_model().objects.get(pk=interviewer.pk)) == "UTC"


# --- Pages show times in the reader's zone, at no query's cost ---------------------------------------------


def test_a_page_for_a_reader_in_kolkata_shows_their_clock_and_the_countdown_the_same_instant(client, interviewer):
    # given: an interview at 14:30 UTC, ended at 15:30 UTC, its note due 15:35 UTC
    InterviewFactory(interviewer=interviewer, loop__candidate__name="Uma Upcoming", scheduled_start=AT_1430_UTC,
                     scheduled_end=AT_1430_UTC + timedelta(hours=1))  # fmt: skip
    due = InterviewFactory(interviewer=interviewer, loop__candidate__name="Nora Due",
                           scheduled_start=AT_1430_UTC - timedelta(hours=1), scheduled_end=AT_1430_UTC,
                           ended_at=AT_1430_UTC)  # fmt: skip
    signed_in(client, interviewer, "Asia/Kolkata")
    with time_machine.travel(AT_1430_UTC + timedelta(minutes=1), tick=False):
        html = client.get("/interviews/").content.decode()
    # then: 14:30 UTC is 20:00 in Kolkata (UTC+05:30)
    assert "Mon 23 Nov, 20:00\u201321:00" in html
    # the note's countdown: the clock time written in Kolkata's terms, its ISO instant with Kolkata's offset
    countdown = re.search(r'<time data-countdown datetime="([^"]+)">by (\d\d:\d\d)</time>', html)
    assert countdown is not None and countdown.groups() == ("2026-11-23T20:05:00+05:30", "20:05")
    assert datetime.fromisoformat(countdown.group(1)) == due.note_due_at
    # and the same page for a reader without a zone is the site's (UTC)
    client.force_login(UserFactory(username="zed", role="interviewer"))
    InterviewFactory(interviewer=get_user_model().objects.get(username="zed"), scheduled_start=AT_1430_UTC,
                     scheduled_end=AT_1430_UTC + timedelta(hours=1))  # fmt: skip
    with time_machine.travel(AT_1430_UTC - timedelta(hours=1), tick=False):
        assert "Mon 23 Nov, 14:30\u201315:30" in client.get("/interviews/").content.decode()


def test_the_debrief_page_shows_the_readers_zone_and_names_it_where_times_are_typed(client, recruiter, rubric):
    loop = Loop.objects.create(
        candidate=InterviewFactory.build().loop.candidate.__class__.objects.create(name="Sam Lee"),
        position=PositionFactory(rubric=rubric), recruiter=recruiter, debrief_at=AT_1430_UTC,
    )  # fmt: skip
    signed_in(client, recruiter, "Asia/Kolkata")
    html = client.get(f"/loops/{loop.pk}/").content.decode()
    assert '<time datetime="2026-11-23T20:00:00+05:30">Mon 23 Nov, 20:00</time>' in html
    assert "Times in Asia/Kolkata." in html
    assert 'value="2026-11-23T20:00"' in html  # the meeting's time, in the form, as the recruiter reads it


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [("2030-05-06", 14), ("2030-01-07", 15)],  # New York in summer is UTC-4 (EDT), in winter UTC-5 (EST)
)
def test_the_schedule_page_reads_the_recruiters_times_in_their_zone(client, recruiter, rubric, day, utc_hour):
    UserFactory(username="alice", role="interviewer")
    position = PositionFactory(rubric=rubric)
    signed_in(client, recruiter, "America/New_York")
    page = client.get(reverse("loop-schedule")).content.decode()
    assert "Times in America/New_York." in page
    response = client.post(reverse("loop-schedule"), {
        "candidate_name": "Sam Lee", "position": position.pk, "debrief_at": f"{day}T17:30",
        "i0-interviewer": "alice", "i0-scheduled_start": f"{day}T10:00", "i0-scheduled_end": f"{day}T11:00",
        "i0-counts_toward_decision": "on",
    })  # fmt: skip
    assert response.status_code == 302
    interview = Interview.objects.get()
    start = datetime.fromisoformat(f"{day}T{utc_hour:02}:00:00+00:00")
    assert (interview.scheduled_start, interview.scheduled_end) == (start, start + timedelta(hours=1))
    assert interview.loop.debrief_at == start + timedelta(hours=7, minutes=30)


def test_a_time_the_recruiters_clock_skips_is_refused_beside_the_field_not_a_500(client, recruiter, rubric):
    UserFactory(username="alice", role="interviewer")
    signed_in(client, recruiter, "America/New_York")
    # 10 March 2030, 02:30 does not happen in New York: the clocks go from 02:00 to 03:00
    response = client.post(reverse("loop-schedule"), {
        "candidate_name": "Sam Lee", "position": PositionFactory(rubric=rubric).pk,
        "i0-interviewer": "alice", "i0-scheduled_start": "2030-03-10T02:30", "i0-scheduled_end": "2030-03-10T04:00",
    })  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert "2030-03-10 02:30:00 couldn\u2019t be interpreted in time zone America/New_York" in html
    assert 'value="2030-03-10T02:30"' in html
    assert not Interview.objects.exists()


@pytest.mark.parametrize("size", [1, 5])
def test_my_interviews_in_a_readers_zone_costs_the_queries_it_always_did(
    size, client, interviewer, rubric, django_assert_num_queries
):
    for n in range(size):
        interview = InterviewFactory(interviewer=interviewer, ended_at=AT_1430_UTC + timedelta(hours=n))
        NoteFactory(interview=interview)
        make_scorecard(interview, submitted=False)
    signed_in(client, interviewer, "Asia/Kolkata")
    # as test_my_interviews_costs_the_same_number_of_queries_at_any_size: session, user, groups, the interviews;
    # the zone comes with the session
    with django_assert_num_queries(4):
        response = client.get("/interviews/")
    assert response.status_code == 200 and "ended Mon 23 Nov, 20:00" in response.content.decode()  # 14:30 UTC


def test_a_session_from_before_zones_were_kept_reads_the_profile_once(client, interviewer, django_assert_num_queries):
    signed_in(client, interviewer, "Europe/Paris")
    session = client.session
    del session[TIME_ZONE_SESSION_KEY]
    session.save()
    # session, user, the profile, groups, the interviews; then the session, saved with the zone in it (SAVEPOINT,
    # UPDATE, RELEASE)
    with django_assert_num_queries(5 + 3):
        client.get("/interviews/")
    assert client.session[TIME_ZONE_SESSION_KEY] == "Europe/Paris"
    # then no more than any other page
    with django_assert_num_queries(4):
        client.get("/interviews/")


def test_a_sign_in_through_the_form_keeps_the_zone_in_the_session(client, interviewer):
    user_set_time_zone(user=interviewer, time_zone="Australia/Sydney")
    response = client.post("/accounts/login/", {"username": "alice", "password": "pw-for-tests-only"})
    assert response.status_code == 302
    assert client.session[TIME_ZONE_SESSION_KEY] == "Australia/Sydney"


# --- The API stays as it was ----------------------------------------------------------------------------------


def test_the_api_answers_in_the_sites_zone_whatever_the_readers(client, api, interviewer):
    InterviewFactory(
        interviewer=interviewer, scheduled_start=AT_1430_UTC, scheduled_end=AT_1430_UTC + timedelta(hours=1)
    )
    user_set_time_zone(user=interviewer, time_zone="Asia/Kolkata")
    # a token (knox sends user_logged_in too: no zone is written to a session for it)
    token = api.post("/api/auth/token/", {"username": "alice", "password": "pw-for-tests-only"}, format="json")
    assert token.status_code == 200
    assert not [s for s in Session.objects.all() if TIME_ZONE_SESSION_KEY in s.get_decoded()]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    by_token = api.get("/api/interviews/").json()["results"][0]
    # and the session of a browser signed in in Kolkata
    by_session = signed_in(client, interviewer).get("/api/interviews/").json()["results"][0]
    for row in (by_token, by_session):
        assert (row["scheduled_start"], row["scheduled_end"]) == ("2026-11-23T14:30:00Z", "2026-11-23T15:30:00Z")


# --- adduser --time-zone ---------------------------------------------------------------------------------------


def test_adduser_sets_the_time_zone(capsys):
    call_command("adduser", "paul", role="interviewer", email="p@example.com", password="s3cret-pass",
                 time_zone="Europe/Paris")  # fmt: skip
    assert capsys.readouterr().out == "Created interviewer paul, times in Europe/Paris.\n"
    assert Profile.objects.get(user__username="paul").time_zone == "Europe/Paris"
    # run again without it: the zone stays
    call_command("adduser", "paul", role="interviewer", password="s3cret-pass")
    assert Profile.objects.get(user__username="paul").time_zone == "Europe/Paris"


def test_adduser_refuses_an_unknown_zone_exits_non_zero_and_writes_nothing(capsys, monkeypatch):
    from django.core.management import ManagementUtility

    with pytest.raises(CommandError) as refused:
        call_command("adduser", "paul", role="interviewer", password="s3cret-pass", time_zone="Europe/Pariss")
    assert str(refused.value) == (
        "--time-zone was refused: Europe/Pariss is not a time zone: give an IANA name such as Europe/Paris or "
        "America/New_York."
    )
    # as `manage.py adduser` runs it (which closes every connection at the end, the test's own included)
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "adduser", "paul", "--role", "admin", "--password", "s3cret-pass",
                           "--time-zone", "Mars/Base"]).execute()  # fmt: skip
    assert exited.value.code == 1
    assert "--time-zone was refused: Mars/Base is not a time zone" in capsys.readouterr().err
    assert not get_user_model().objects.filter(username="paul").exists() and not Profile.objects.exists()


# --- Admin --------------------------------------------------------------------------------------------------------


def user_change_form(user, **fields):
    data = {
        "username": user.username, "first_name": user.first_name, "last_name": "", "email": user.email,
        "is_active": "on", "date_joined_0": "2026-11-23", "date_joined_1": "14:30:00",
        "initial-date_joined_0": "2026-11-23", "initial-date_joined_1": "14:30:00",
        "profile-TOTAL_FORMS": "1", "profile-INITIAL_FORMS": "0", "profile-MIN_NUM_FORMS": "1",
        "profile-MAX_NUM_FORMS": "1", "profile-0-time_zone": "UTC", "profile-0-notify_by": "email",
        "profile-0-user": str(user.pk),
    }  # fmt: skip
    data.update(fields)
    return data


def test_an_admin_sets_a_users_zone_on_the_users_page(client, admin, interviewer):
    client.force_login(admin, backend=MODEL_BACKEND)
    url = reverse("admin:auth_user_change", args=[interviewer.pk])
    page = client.get(url).content.decode()
    assert '<select name="profile-0-time_zone"' in page and '<optgroup label="America">' in page
    response = client.post(url, user_change_form(interviewer, **{"profile-0-time_zone": "America/New_York"}))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Profile.objects.get(user=interviewer).time_zone == "America/New_York"


def test_the_admin_refuses_an_unknown_zone_and_keeps_the_user_as_it_was(client, admin, interviewer):
    client.force_login(admin, backend=MODEL_BACKEND)
    url = reverse("admin:auth_user_change", args=[interviewer.pk])
    response = client.post(
        url, user_change_form(interviewer, email="new@example.com", **{"profile-0-time_zone": "Nowhere"})
    )
    assert response.status_code == 200
    assert "Nowhere is not a time zone: give an IANA name" in response.content.decode()
    assert not Profile.objects.exists()
    assert get_user_model().objects.get(pk=interviewer.pk).email == "alice@example.com"
