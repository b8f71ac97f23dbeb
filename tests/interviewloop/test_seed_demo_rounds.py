"""`make run`'s loop of every round: five rounds on four rubric templates, focus split, questions from both banks,
submitted scorecards; one debrief shows rubric groups, coverage gaps and the bar raiser. Idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from debriefs.selectors import debrief_document as loop_debrief
from interviewloop.management.commands.seed_demo import DEMO_ROUNDS, ROUNDS_POSITION
from interviewloop.models import Interview, Loop
from scorecards.models import Scorecard
from tests.factories import make_question, make_rubric

pytestmark = pytest.mark.django_db


@pytest.fixture
def templates():
    """Stand-ins for fixtures/rubric_templates.json: the keys the demo asks for, each a published rubric with
    dimension keys of its own (as the fourteen principles are)."""
    made = {}
    for key in {r[1] for r in DEMO_ROUNDS}:
        rubric = make_rubric(name=key.replace("_", " ").title(), key=key, status="draft")
        for dimension in rubric.dimensions.all():
            dimension.key = f"{key}_{dimension.key}"
            dimension.save()
        rubric.status = "published"
        rubric.save()
        made[key] = rubric
    return made


@pytest.fixture
def banks():
    return [
        make_question(bank=bank, key=f"q{n}", title=f"{bank} {n}")
        for bank in ("handbook", "llm_bank")
        for n in range(5)
    ]


def test_without_the_templates_the_demo_says_how_to_load_them(capsys):
    call_command("seed_demo")
    assert "loaddata rubric_templates" in capsys.readouterr().out
    assert not Loop.objects.filter(position__title=ROUNDS_POSITION).exists()


def test_the_demo_loop_of_every_round_shows_groups_gaps_and_the_bar_raiser(capsys, templates, banks):
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent

    loop = Loop.objects.get(position__title=ROUNDS_POSITION)
    interviews = list(Interview.objects.filter(loop=loop).order_by("scheduled_start"))
    assert [i.round.title for i in interviews] == [title for title, *_ in DEMO_ROUNDS]
    assert len({i.rubric_id for i in interviews}) == 4
    assert [i.bar_raiser for i in interviews] == [False, False, False, False, True]
    principles = [set(i.focus) for i in interviews if i.rubric.key == "leadership_principles"]
    assert len(principles) == 2 and not principles[0] & principles[1]  # the principles split across two
    asked = [pk for i in interviews for pk in i.questions]
    assert len(asked) == len(set(asked)) == 10  # from both banks, none twice
    assert {q.bank.key for q in banks if q.pk in asked} == {"handbook", "llm_bank"}
    assert Scorecard.objects.filter(interview__loop=loop, status="submitted").count() == 5

    debrief = loop_debrief(loop.pk)
    assert len(debrief["rubrics"]) == 4
    assert debrief["coverage"]["gaps"]  # the dimensions nobody had in focus nor scored
    assert [vote["bar_raiser"] for vote in debrief["votes"]] == [False, False, False, False, True]
    assert debrief["decision"] == "hire"
    assert f"/loops/{loop.pk}/" in capsys.readouterr().out


def test_the_demo_runs_on_the_shipped_rubric_templates(banks):
    call_command("loaddata", "rubric_templates", verbosity=0)
    call_command("seed_demo")

    loop = Loop.objects.get(position__title=ROUNDS_POSITION)
    keys = list(loop.interviews.order_by("scheduled_start").values_list("rubric__key", flat=True))
    assert keys == [key for _, key, *_ in DEMO_ROUNDS]
    assert Scorecard.objects.filter(interview__loop=loop, status="submitted").count() == len(DEMO_ROUNDS)
    debrief = loop_debrief(loop.pk)
    assert [rubric["key"] for rubric in debrief["rubrics"]] == list(dict.fromkeys(keys))
    # five of the fourteen principles nobody had in focus (3 + 3 + the bar raiser's 3 were): named as gaps
    principles = {
        row["key"] for row in debrief["coverage"]["dimensions"] if row["rubric"] == debrief["rubrics"][2]["id"]
    }
    assert len(principles) == 14
    assert len(principles & set(debrief["coverage"]["gaps"])) == 5
