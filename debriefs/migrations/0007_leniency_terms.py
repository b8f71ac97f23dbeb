"""The stored leniency terms (`LeniencyTerm`: each loop's part of each interviewer's leniency), and their backfill for
every existing loop: the submitted scorecards of counting, not cancelled interviews, each loop's terms computed by
the same pure function the debrief's write uses (`debriefs.calibration.loop_terms`), a few hundred loops at a time."""

from collections import defaultdict

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Count, Sum

from debriefs.calibration import loop_terms

CHUNK = 500  # loops per read and insert


def backfill(apps, schema_editor):
    Loop = apps.get_model("interviewloop", "Loop")
    Scorecard = apps.get_model("scorecards", "Scorecard")
    LeniencyTerm = apps.get_model("debriefs", "LeniencyTerm")
    loop_ids = list(Loop.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(loop_ids), CHUNK):
        chunk = loop_ids[start : start + CHUNK]
        rows = (
            Scorecard.objects.filter(
                status="submitted",
                interview__counts_toward_decision=True,
                interview__cancelled_at__isnull=True,
                interview__loop_id__gte=chunk[0],
                interview__loop_id__lte=chunk[-1],
            )
            .values_list("interview__loop_id", "interview__interviewer_id")
            .annotate(total=Sum("scores__score"), scored=Count("scores__score"))
            .order_by("interview__loop_id", "interview__interviewer_id")
        )
        by_loop = defaultdict(list)
        for loop_id, interviewer_id, total, scored in rows:
            by_loop[loop_id].append((interviewer_id, total / scored if scored else None))
        LeniencyTerm.objects.bulk_create(
            LeniencyTerm(loop_id=loop_id, interviewer_id=interviewer_id, difference=term.difference, n=term.n)
            for loop_id, cards in by_loop.items()
            for interviewer_id, term in loop_terms(cards).items()
            if term.n
        )


class Migration(migrations.Migration):

    dependencies = [
        ('debriefs', '0006_reminder_channel_and_slack_users'),
        ('interviewloop', '0008_rounds'),
        ('scorecards', '0005_scorecard_questions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='LeniencyTerm',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('difference', models.FloatField(help_text="Sum over their compared scorecards in the loop of (their mean - the others' mean).")),
                ('n', models.PositiveSmallIntegerField(help_text='Their scorecards in the loop that had another to compare with.')),
                ('interviewer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('loop', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='leniency_terms', to='interviewloop.loop')),
            ],
            options={
                'indexes': [models.Index(fields=['interviewer', 'n', 'difference'], name='leniency_by_interviewer_idx')],
                'constraints': [models.UniqueConstraint(fields=('loop', 'interviewer'), name='one_leniency_term_per_loop_interviewer')],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
