"""django-simple-history's `HistoricalRecords`, with each model's history manager class built once.

simple_history's `HistoryDescriptor` builds a new manager class (`Manager.from_queryset`, which walks every
member of the queryset class) on each `Model.history` access, and recording a change accesses it once or twice:
0.3 ms each time, about a twentieth of a scorecard save's CPU. The class it builds is the same every time, so
here it is built once per model; what `Model.history` and `instance.history` return is otherwise unchanged.
"""

from __future__ import annotations

from typing import Any

from simple_history import models as simple_history
from simple_history.manager import HistoryDescriptor


class _HistoryDescriptor(HistoryDescriptor):
    def __init__(self, model: Any, manager: Any, queryset: Any) -> None:
        super().__init__(model, manager=manager, queryset=queryset)
        self.manager_with_queryset = manager.from_queryset(queryset)

    def __get__(self, instance: Any, owner: Any) -> Any:
        return self.manager_with_queryset(self.model, instance)


class HistoricalRecords(simple_history.HistoricalRecords):
    """Use as simple_history's: `history = HistoricalRecords()`."""

    def finalize(self, sender: Any, **kwargs: Any) -> None:
        before = sender.__dict__.get(self.manager_name)
        super().finalize(sender, **kwargs)
        made = sender.__dict__.get(self.manager_name)
        if made is not before and type(made) is HistoryDescriptor:
            setattr(
                sender,
                self.manager_name,
                _HistoryDescriptor(made.model, manager=made.manager_class, queryset=made.queryset_class),
            )
