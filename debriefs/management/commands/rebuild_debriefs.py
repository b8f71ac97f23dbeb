"""`manage.py rebuild_debriefs [--missing]`: write every loop's stored debrief (or only the loops without one).

The services keep each debrief current as they write; this fills the documents of loops made before they existed,
or written straight to the database (the bench's seed). A loop without one also gets it on its first read.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from debriefs.services import debrief_documents_refresh
from interviewloop.models import Loop

BATCH = 200  # loops per transaction: each holds its loops' locks only while it rewrites them


class Command(BaseCommand):
    help = "Write the stored debrief of every loop (or, with --missing, of the loops without one)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--missing", action="store_true", help="only the loops without a stored debrief")

    def handle(self, *args: Any, missing: bool = False, **options: Any) -> None:
        loops = Loop.objects.order_by("pk")
        if missing:
            loops = loops.filter(debrief_document__isnull=True)
        loop_ids = list(loops.values_list("pk", flat=True))
        for start in range(0, len(loop_ids), BATCH):
            debrief_documents_refresh(loop_ids=loop_ids[start : start + BATCH])
        self.stdout.write(f"{len(loop_ids)} debrief(s) written.")
