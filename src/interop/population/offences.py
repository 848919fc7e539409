"""NCIC offence codes and the ICE priority levels they lead to (re-exported).

The offence table and the classification are law, not population: they
live in :mod:`interop.policy.offences` and :mod:`interop.policy.priority`.
This module keeps the old import path working for the population's code
and its users. Arrest frequencies of the codes are calibration, in
:mod:`interop.population.calibration`.
"""

from __future__ import annotations

from interop.policy.offences import OFFENCES, Offence
from interop.policy.priority import conviction_level, match_level

__all__ = [
    "OFFENCES",
    "Offence",
    "conviction_level",
    "match_level",
]
