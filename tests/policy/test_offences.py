"""The NCIC offence table in the policy layer, its lookup, and the population's old path."""

from __future__ import annotations

import re

import pytest

import interop.population
import interop.population.model
import interop.population.offences
from interop.policy import (
    OFFENCES,
    Disposition,
    InvalidFactError,
    MatchLevel,
    Offence,
    PriorityLevel,
    UnknownOffenceError,
    conviction_level,
    match_level,
    offence,
)


def test_table_invariants() -> None:
    for code, entry in OFFENCES.items():
        assert re.fullmatch(r"[0-9]{4}", code) and entry.code == code
        assert entry.aggravated_felony == (entry.level_1 and entry.felony)
        if entry.lesser is not None:
            assert entry.lesser in OFFENCES
            assert not OFFENCES[entry.lesser].felony, code
            assert entry.felony, code


def test_felony_is_more_than_one_year() -> None:
    assert OFFENCES["0911"].max_sentence_months is None and OFFENCES["0911"].felony  # life
    assert OFFENCES["2599"].felony  # 60 months
    assert not OFFENCES["5404"].felony  # 12 months: not more than one year
    assert not OFFENCES["0399"].felony  # illegal entry, 6 months


def test_lookup() -> None:
    assert offence("1206") is OFFENCES["1206"]
    assert offence("1206").aggravated_felony


@pytest.mark.parametrize("code", ["0000", "9999", "1200"])
def test_unknown_code_is_a_typed_error(code: str) -> None:
    with pytest.raises(UnknownOffenceError) as caught:
        offence(code)
    assert caught.value.code == code
    assert code in str(caught.value)
    assert isinstance(caught.value, LookupError) and isinstance(caught.value, ValueError)


@pytest.mark.parametrize("code", ["120", "12066", "12a6", "", "١٢٠٦", 1206, None])
def test_malformed_code_is_rejected(code: object) -> None:
    with pytest.raises(InvalidFactError):
        offence(code)  # type: ignore[arg-type]


def test_population_re_exports_the_same_objects() -> None:
    """The old import paths keep working and name the very same objects."""
    assert interop.population.offences.OFFENCES is OFFENCES
    assert interop.population.offences.Offence is Offence
    assert interop.population.offences.conviction_level is conviction_level
    assert interop.population.offences.match_level is match_level
    assert interop.population.model.PriorityLevel is PriorityLevel
    assert interop.population.model.MatchLevel is MatchLevel
    assert interop.population.model.Disposition is Disposition
    assert interop.population.PriorityLevel is PriorityLevel
    assert interop.population.OFFENCES is OFFENCES
