"""Score calibration (placeholder, to be fitted)."""

from __future__ import annotations

MAX_SCORE = 100.0


def calibrate(raw: float) -> float:
    return 100.0 * raw
