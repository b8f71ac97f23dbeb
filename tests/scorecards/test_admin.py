"""Rubric admin: browse, edit drafts, publish / new version / retire, and published versions refuse edits."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse

from interviewloop.models import Position
from scorecards.admin import RubricAdmin
from scorecards.models import Dimension, Rubric
from scorecards.rubrics import rubric_new_version
from tests.factories import InterviewFactory, NoteFactory, PositionFactory, make_rubric, make_scorecard


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def guide_rubric(db):
    call_command("loaddata", "default_rubric", verbosity=0)
    return Rubric.objects.get(name__isnull=False, version=1, status="published")


def change_url(rubric: Rubric) -> str:
    return reverse("admin:scorecards_rubric_change", args=[rubric.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def inline_management(prefix: str, total: int, initial: int) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def draft_post_data(rubric: Rubric, **changes: str) -> dict[str, str]:
    """The change form as a browser would post it for a draft: every field and every inline row, unchanged."""
    data: dict[str, str] = {
        "name": rubric.name,
        "role": rubric.role,
        "description": rubric.description,
        "problem_statement": rubric.problem_statement,
        "key": rubric.key,
        "red_flags_for_strong_no": str(rubric.red_flags_for_strong_no),
        "ones_fraction_for_strong_no": str(rubric.ones_fraction_for_strong_no),
        "yes_min_fraction_at_3": str(rubric.yes_min_fraction_at_3),
        "strong_yes_min_fraction_at_4": str(rubric.strong_yes_min_fraction_at_4),
        "strong_yes_critical_min": str(rubric.strong_yes_critical_min),
        "evidence_required_for_extremes": "on",
    }
    parts = {
        "dimensions": ["order", "key", "name", "description", "anchor_5", "anchor_3", "anchor_1", "weight"],
        "red_flags": ["order", "key", "name", "sounds_like", "why_dangerous"],
        "threads": ["order", "key", "title"],
        "phases": ["order", "name", "minutes_min", "minutes_max", "guidance"],
        "gut_checks": ["order", "key", "text"],
        "note_prompts": ["order", "field", "text"],
    }
    for prefix, fields in parts.items():
        rows = list(getattr(rubric, prefix).all())
        data.update(inline_management(prefix, len(rows), len(rows)))
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-id"] = str(row.pk)
            data[f"{prefix}-{i}-rubric"] = str(rubric.pk)
            for field in fields:
                data[f"{prefix}-{i}-{field}"] = str(getattr(row, field))
            for flag in ("critical", "required"):
                if getattr(row, flag, False):
                    data[f"{prefix}-{i}-{flag}"] = "on"
    data.update(changes)
    return data


# --- browsing -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_changelist_lists_versions_with_search_and_filters(admin_client, guide_rubric):
    draft = make_rubric(status="draft", name="Other rubric")
    response = admin_client.get(reverse("admin:scorecards_rubric_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert str(guide_rubric.name) in body and "Other rubric" in body
    for action in ("publish", "new_version", "retire"):
        assert f'value="{action}"' in body

    filtered = admin_client.get(reverse("admin:scorecards_rubric_changelist"), {"status__exact": "draft"})
    assert list(filtered.context["cl"].result_list) == [draft]
    searched = admin_client.get(reverse("admin:scorecards_rubric_changelist"), {"q": "Other"})
    assert list(searched.context["cl"].result_list) == [draft]


@pytest.mark.django_db
def test_published_change_page_shows_every_part_with_anchors_read_only(admin_client, guide_rubric):
    response = admin_client.get(change_url(guide_rubric))
    assert response.status_code == 200
    body = response.content.decode()
    # Read-only: the view-only page, no save button, and the notice saying why and what to do instead.
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in body
    assert "is published and cannot be changed" in body
    assert "New version from this" in body
    systems = guide_rubric.dimensions.get(key="systems_thinking")
    for text in (systems.anchor_5, systems.anchor_3, systems.anchor_1):
        assert text and text.split("\n")[0][:40] in body
    inline_prefixes = [formset.formset.prefix for formset in response.context["inline_admin_formsets"]]
    assert inline_prefixes == ["dimensions", "red_flags", "threads", "phases", "gut_checks", "note_prompts"]
    assert "Would I trust them to own LLM reliability on Day 1?" in body
    assert "Best thing they said (the moment you knew)" in body
    for formset in response.context["inline_admin_formsets"]:
        assert formset.has_change_permission is False
        assert formset.has_add_permission is False
        assert formset.has_delete_permission is False
    assert len(response.context["inline_admin_formsets"][0].formset.forms) == 8
    assert len(response.context["inline_admin_formsets"][1].formset.forms) == 8
    assert len(response.context["inline_admin_formsets"][2].formset.forms) == 7


@pytest.mark.django_db
def test_draft_change_page_is_editable(admin_client):
    draft = make_rubric(status="draft")
    response = admin_client.get(change_url(draft))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is True
    assert 'name="_save"' in response.content.decode()
    assert "cannot be changed" not in response.content.decode()


@pytest.mark.django_db
def test_add_page_renders(admin_client):
    assert admin_client.get(reverse("admin:scorecards_rubric_add")).status_code == 200


# --- editing --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_draft_is_edited_through_its_change_form(admin_client):
    draft = make_rubric(status="draft")
    data = draft_post_data(draft, **{"name": "Guide rubric (tightened)", "dimensions-0-anchor_5": "New anchor"})
    response = admin_client.post(change_url(draft), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    draft.refresh_from_db()
    assert draft.name == "Guide rubric (tightened)"
    assert draft.dimensions.get(order=0).anchor_5 == "New anchor"


@pytest.mark.django_db
def test_editing_a_published_rubric_is_refused_with_the_message(admin_client):
    published = make_rubric(status="draft")
    data = draft_post_data(published, **{"name": "Sneaky rename", "dimensions-0-anchor_5": "Sneaky anchor"})
    published.status = "published"
    published.save()

    response = admin_client.post(change_url(published), data, follow=True)

    assert response.redirect_chain == [(change_url(published), 302)]
    assert messages_of(response) == [
        f"{published} is published and cannot be changed; use “New version from this” to edit a draft copy."
    ]
    published.refresh_from_db()
    assert published.name == "Guide rubric"
    assert published.dimensions.get(order=0).anchor_5 == "Systems Thinking: exceptional"


@pytest.mark.django_db
def test_a_draft_published_while_its_form_was_open_is_refused_and_rolled_back(admin_client, monkeypatch):
    # given a form opened on a draft, and the rubric published by someone else just before the save
    draft = make_rubric(status="draft")
    data = draft_post_data(draft, **{"name": "Late edit", "dimensions-0-anchor_5": "Late anchor"})
    real_save_model = RubricAdmin.save_model

    def published_meanwhile(self, request, obj, form, change):
        Rubric.objects.filter(pk=obj.pk).update(status="published")
        real_save_model(self, request, obj, form, change)

    monkeypatch.setattr(RubricAdmin, "save_model", published_meanwhile)
    # when
    response = admin_client.post(change_url(draft), data, follow=True)
    # then the model's RubricNotEditable message is shown, and the whole save was rolled back
    assert response.redirect_chain == [(change_url(draft), 302)]
    [message] = messages_of(response)
    assert message.startswith("Guide rubric v1 (published) is published and cannot be changed (name)")
    draft.refresh_from_db()
    assert (draft.name, draft.status) == ("Guide rubric", "draft")
    assert draft.dimensions.get(order=0).anchor_5 == "Systems Thinking: exceptional"


@pytest.mark.django_db
def test_published_and_retired_rubrics_cannot_be_deleted_in_admin(admin_client):
    published = make_rubric()
    response = admin_client.post(reverse("admin:scorecards_rubric_delete", args=[published.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Rubric.objects.filter(pk=published.pk).exists()


# --- lifecycle actions ----------------------------------------------------------------------------


def run_action(client, action: str, *rubrics: Rubric):
    return client.post(
        reverse("admin:scorecards_rubric_changelist"),
        {"action": action, "_selected_action": [str(r.pk) for r in rubrics]},
        follow=True,
    )


@pytest.mark.django_db
def test_publish_action_publishes_a_draft(admin_client):
    draft = make_rubric(status="draft")
    response = run_action(admin_client, "publish", draft)
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == "published"
    assert draft.published_at is not None
    assert messages_of(response) == [f'Published <a href="{change_url(draft)}">{draft}</a>.']


@pytest.mark.django_db
def test_publish_action_refuses_a_published_rubric_with_a_message(admin_client):
    published = make_rubric()
    response = run_action(admin_client, "publish", published)
    assert messages_of(response) == [f"{published} is published; only a draft can be published."]


@pytest.mark.django_db
def test_new_version_action_copies_every_part_into_a_draft(admin_client, guide_rubric):
    response = run_action(admin_client, "new_version", guide_rubric)
    assert response.status_code == 200
    copy = Rubric.objects.get(name=guide_rubric.name, version=2)
    assert copy.status == "draft"
    assert copy.based_on == guide_rubric
    assert messages_of(response) == [f'Created draft <a href="{change_url(copy)}">{copy}</a>.']
    assert copy.dimensions.count() == 8 and copy.red_flags.count() == 8 and copy.threads.count() == 7
    assert copy.phases.count() == guide_rubric.phases.count()
    # and the draft is editable while the original stays frozen
    Dimension.objects.filter(rubric=copy, key="systems_thinking").get().delete()
    assert guide_rubric.dimensions.filter(key="systems_thinking").exists()


@pytest.mark.django_db
def test_retire_action_retires_published_and_refuses_drafts(admin_client):
    published = make_rubric()
    draft = make_rubric(status="draft", name="Draft one")
    response = run_action(admin_client, "retire", published, draft)
    published.refresh_from_db()
    draft.refresh_from_db()
    assert published.status == "retired" and published.retired_at is not None
    assert draft.status == "draft"
    assert messages_of(response) == [
        f"{draft} is draft; only a published version can be retired (a draft can simply be deleted).",
        f'Retired <a href="{change_url(published)}">{published}</a>.',
    ]


@pytest.mark.django_db
def test_lifecycle_buttons_on_the_change_page(admin_client):
    draft = make_rubric(status="draft")
    page = admin_client.get(change_url(draft)).content.decode()
    assert reverse("admin:scorecards_rubric_publish", args=[draft.pk]) in page
    assert reverse("admin:scorecards_rubric_retire", args=[draft.pk]) not in page

    response = admin_client.post(reverse("admin:scorecards_rubric_publish", args=[draft.pk]), follow=True)
    draft.refresh_from_db()
    assert draft.status == "published"
    assert messages_of(response) == [f"Published {draft}."]

    response = admin_client.post(reverse("admin:scorecards_rubric_new_version", args=[draft.pk]), follow=True)
    copy = Rubric.objects.get(based_on=draft)
    assert response.redirect_chain[-1][0] == change_url(copy)
    assert messages_of(response) == [f"Created {copy}: edit it, then publish it."]

    response = admin_client.post(reverse("admin:scorecards_rubric_retire", args=[copy.pk]), follow=True)
    assert messages_of(response) == [
        f"{copy} is draft; only a published version can be retired (a draft can simply be deleted)."
    ]
    assert admin_client.get(reverse("admin:scorecards_rubric_retire", args=[draft.pk])).status_code == 405


@pytest.mark.django_db
def test_lifecycle_views_need_staff(client, interviewer, rubric):
    client.force_login(interviewer, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(reverse("admin:scorecards_rubric_retire", args=[rubric.pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    rubric.refresh_from_db()
    assert rubric.status == "published"


# --- notes and scorecards: read-only evidence ------------------------------------------------------


@pytest.fixture
def scored_interview(rubric):
    interview = InterviewFactory(rubric=rubric)
    NoteFactory(interview=interview)
    make_scorecard(interview, vote="yes", red_flags=("buzzword_soup",))
    return interview


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["note", "scorecard"])
def test_notes_and_scorecards_are_visible_but_read_only(admin_client, scored_interview, model):
    obj = getattr(scored_interview, model)
    changelist = admin_client.get(reverse(f"admin:scorecards_{model}_changelist"))
    assert changelist.status_code == 200
    page = admin_client.get(reverse(f"admin:scorecards_{model}_change", args=[obj.pk]))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.get(reverse(f"admin:scorecards_{model}_add")).status_code == 403
    assert admin_client.post(reverse(f"admin:scorecards_{model}_change", args=[obj.pk]), {}).status_code == 403
    assert (
        admin_client.post(reverse(f"admin:scorecards_{model}_delete", args=[obj.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.django_db
def test_scorecard_page_shows_scores_red_flags_and_threads(admin_client, scored_interview):
    page = admin_client.get(reverse("admin:scorecards_scorecard_change", args=[scored_interview.scorecard.pk]))
    prefixes = [formset.formset.prefix for formset in page.context["inline_admin_formsets"]]
    assert prefixes == ["scores", "red_flags", "threads", "amendments"]
    assert len(page.context["inline_admin_formsets"][0].formset.forms) == 8
    assert "Heard buzzword_soup." in page.content.decode()
    assert all(not f.has_change_permission for f in page.context["inline_admin_formsets"])


@pytest.mark.django_db
def test_publishing_a_new_version_in_admin_says_what_it_retired_and_which_positions_moved(admin_client):
    v1 = make_rubric(name="Reliability")
    PositionFactory(title="SRE", rubric=v1)
    PositionFactory(title="Platform", rubric=v1)
    v2 = rubric_new_version(rubric=v1)

    response = admin_client.post(reverse("admin:scorecards_rubric_publish", args=[v2.pk]), follow=True)

    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == ("retired", "published")
    assert messages_of(response) == [
        f"Published {v2}. Retired {v1}, which it replaces. Moved 2 positions to it: Platform, SRE. "
        "Interviews already scheduled keep the version they pinned."
    ]
    assert set(Position.objects.values_list("rubric_id", flat=True)) == {v2.pk}

    # the list action says the same, after the link
    v3 = rubric_new_version(rubric=v2)
    response = run_action(admin_client, "publish", v3)
    v3.refresh_from_db()
    assert messages_of(response) == [
        f'Published <a href="{change_url(v3)}">{v3}</a>. Retired {Rubric.objects.get(pk=v2.pk)}, which it replaces. '
        "Moved 2 positions to it: Platform, SRE. Interviews already scheduled keep the version they pinned."
    ]


@pytest.mark.django_db
def test_a_drafts_gut_check_and_note_questions_are_ordered_inline_rows_not_json(admin_client, guide_rubric):
    draft = rubric_new_version(rubric=guide_rubric)
    page = admin_client.get(change_url(draft)).content.decode()
    assert 'name="gut_check_questions"' not in page and 'name="note_questions"' not in page
    assert 'name="gut_checks-0-text"' in page and 'name="note_prompts-0-text"' in page
    first, second, third = draft.gut_checks.order_by("order")
    data = draft_post_data(draft)
    # Move the last question first, reword it, and add a fourth; word the note's "biggest concern" anew.
    data["gut_checks-2-order"] = "0"
    data["gut_checks-0-order"] = "1"
    data["gut_checks-1-order"] = "2"
    data["gut_checks-2-text"] = "Would they hit the month-one goals?"
    data.update(inline_management("gut_checks", 4, 3))
    data.update(
        {"gut_checks-3-order": "3", "gut_checks-3-key": "raise_the_bar", "gut_checks-3-text": "Raises the bar?"}
    )
    data["note_prompts-1-text"] = "What worries you most?"
    response = admin_client.post(change_url(draft), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors

    draft.refresh_from_db()
    assert list(draft.gut_check_questions.items()) == [
        ("month_one_success", "Would they hit the month-one goals?"),
        ("work_with", first.text),
        ("trust_day_one", second.text),
        ("raise_the_bar", "Raises the bar?"),
    ]
    assert draft.note_questions["biggest_concern"] == "What worries you most?"
    assert third.pk in draft.gut_checks.values_list("pk", flat=True)
    # The published version it came from is untouched.
    assert list(guide_rubric.gut_check_questions) == ["work_with", "trust_day_one", "month_one_success"]
