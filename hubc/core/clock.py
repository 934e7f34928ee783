"""The build's "today": the day of the build, or the date `HUBC_TODAY` pins (tests and
reproducible CI pin it, so waiver expiry and order-by dates do not follow the wall clock)."""

from __future__ import annotations

import datetime
import os


def today() -> datetime.date:
    pinned = os.environ.get("HUBC_TODAY")
    return datetime.date.fromisoformat(pinned) if pinned else datetime.date.today()
