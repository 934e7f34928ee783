"""The build stages, in order. Each is registered with a name and a one-line description
(shown as progress) and is a function `(checked, results, progress) -> (result, diagnostics)`
where `results` holds the earlier stages' results by name. Heavy imports stay inside the
stage functions so `hubc check` and `hubc --help` never load the solvers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs


@attrs.frozen
class Stage:
    name: str
    description: str
    run: Callable[..., tuple[Any, list]]


def _elaborate(checked, results, progress):
    from hubc.design.summary import summarise

    return summarise(checked.spec), []


BUILD_STAGES: tuple[Stage, ...] = (
    Stage("summary", "derive campus loads", _elaborate),
)
