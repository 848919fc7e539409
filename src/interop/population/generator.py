"""Vectorised generation of the population, one chunk of people at a time.

A chunk is a struct of NumPy arrays (people, their IDENT encounters, their
arrests); nothing is materialised as Python objects until asked for. Each
chunk draws from its own ``SeedSequence(seed, spawn_key=(chunk,))`` stream,
so the output depends on the seed and the calibration only, and any chunk
can be regenerated alone.

Steps of :func:`generate_chunk`, in order (each one a small function):

1. people: status, sex, age, residence, place of birth, entry, names;
2. IDENT encounters (by status, dated after IDENT could hold them);
3. arrests: a Poisson process per person, whose intensity is the national
   booking rate times the person's status, sex, age and a gamma-distributed
   propensity; charges, dispositions and sentences;
4. bookings: the arrests from the scenario's first day, with the ground
   truth of forwarding (activated jurisdiction) and of IDENT matching;
5. outcomes: the removal-outcome model on the matched bookings
   (:class:`~interop.population.calibration.OutcomeModel`), in Python, for
   the few people concerned; a removal ends the person's later arrests.

Dates are proleptic Gregorian ordinals (``date.toordinal()``) in int64
arrays; "no date" is :data:`NO_DATE`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from interop.population.calibration import Calibration
from interop.population.geography import Geography, build_geography
from interop.population.model import EncounterKind, Status
from interop.population.names import COUNTRY_GROUP
from interop.population.offences import OFFENCES

__all__ = ["CHUNK_SIZE", "NO_DATE", "Chunk", "Tables", "generate_chunk", "tables"]

CHUNK_SIZE = 25_000
"""People per chunk. Part of the determinism contract: changing it changes the output."""
NO_DATE = -1
"""Marks a missing date in the int64 date arrays."""

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]
I8 = npt.NDArray[np.int8]

DAYS_PER_YEAR = 365.2425
LIFE_MONTHS = 480  # a life sentence counts as 40 years
STATUSES = tuple(Status)
KINDS = tuple(EncounterKind)
A_FILE_KINDS = np.array(
    [
        k
        in (
            EncounterKind.BORDER_APPREHENSION,
            EncounterKind.REMOVAL,
            EncounterKind.PERMANENT_RESIDENCE,
            EncounterKind.NATURALISATION,
        )
        for k in KINDS
    ]
)
_US_BORN, _NATURALISED, _LPR, _VISA, _OVERSTAY, _EWI, _REMOVED = range(7)


@dataclass(frozen=True)
class Tables:
    """Arrays derived once from a calibration, a geography and a residence filter.

    Attributes
    ----------
    geography : Geography
    status_cdf : (7,) float64 ndarray
        Cumulative status shares, adjusted for the residence filter.
    residence_native_cdf, residence_foreign_cdf : (J,) float64 ndarray
        Cumulative probability of each jurisdiction as the home of a US-born
        or a foreign-born person (zero outside the residence filter).
    residents : float
        Real-world residents of the filtered jurisdictions.
    state_lo, state_hi : (S,) int64 ndarray
        Range of each state's jurisdictions in the geography's arrays.
    cumulative_population : (J,) float64 ndarray
    state_cdf : (S,) float64 ndarray
        Cumulative share of US residents by state (birth state of migrants).
    places : tuple of str
        Place-of-birth codes: ``"US-XX"`` for each state, then countries.
    place_group : (P,) int64 ndarray
        Name group of each place.
    country_cdfs : tuple of three (P,) float64 ndarrays
        Birth places of lawful migrants, overstays, entrants without inspection.
    arrest_base_per_day : float
        Arrest intensity of a person with multipliers 1, per day.
    offence_codes : tuple of str
    offence_cdf : (K,) float64 ndarray
    offence_felony, offence_aggravated, offence_level_1 : (K,) bool ndarray
    offence_lesser : (K,) int64 ndarray
        Index of the lesser offence; the offence itself if none.
    offence_max_days : (K,) float64 ndarray
    custody_factor, removal_factor : (S,) float64 ndarray
        Per-state enforcement factors.
    """

    geography: Geography
    status_cdf: F64
    residence_native_cdf: F64
    residence_foreign_cdf: F64
    residents: float
    state_lo: I64
    state_hi: I64
    cumulative_population: F64
    state_cdf: F64
    places: tuple[str, ...]
    place_group: I64
    country_cdfs: tuple[F64, F64, F64]
    arrest_base_per_day: float
    offence_codes: tuple[str, ...]
    offence_cdf: F64
    offence_felony: B
    offence_aggravated: B
    offence_level_1: B
    offence_lesser: I64
    offence_max_days: F64
    custody_factor: F64
    removal_factor: F64


def _cdf(weights: F64) -> F64:
    c = np.cumsum(weights, dtype=np.float64)
    return np.asarray(c / c[-1], dtype=np.float64)


def _draw(cdf: F64, u: F64) -> I64:
    """Inverse-CDF draw: index of each ``u`` in a cumulative distribution."""
    return np.minimum(np.searchsorted(cdf, u, side="right"), len(cdf) - 1).astype(np.int64)


def _mean_intensity(calibration: Calibration) -> float:
    """Mean of status x sex x age multipliers over residents (per resident-year)."""
    pop = calibration.population
    arr = calibration.arrests
    grid = np.arange(0.0, 100.0, 0.05) + 0.025
    intensity = np.zeros_like(grid)
    for lo, hi, w in arr.age_intensity:
        intensity[(grid >= lo) & (grid < hi)] = w

    def age_mean(bands: tuple[tuple[int, int, float], ...]) -> float:
        density = np.zeros_like(grid)
        for lo, hi, share in bands:
            density[(grid >= lo) & (grid < hi)] = share / (hi - lo)
        return float(np.sum(density * intensity) / np.sum(density))

    shares = np.array(pop.status_shares) / sum(pop.status_shares)
    total = 0.0
    for s in range(len(STATUSES)):
        male = pop.male_share[s]
        sex = male + (1.0 - male) * arr.female_multiplier
        ages = pop.age_native if s == _US_BORN else pop.age_foreign
        total += shares[s] * arr.status_multiplier[s] * sex * age_mean(ages)
    return total


@lru_cache(maxsize=8)
def tables(calibration: Calibration, residence: frozenset[str] | None = None) -> Tables:
    """Precomputed arrays for :func:`generate_chunk` (cached).

    Parameters
    ----------
    calibration : Calibration
    residence : frozenset of str, optional
        Restrict residence to these states (USPS codes) or jurisdictions
        (ORIs). The status mix follows the filtered jurisdictions'
        foreign-born shares; arrests may still happen elsewhere in the state.

    Raises
    ------
    ValueError
        If the filter names no known state or jurisdiction.
    """
    geo = build_geography(calibration)
    pop = calibration.population
    oris = geo.oris
    states = geo.state_codes
    inside = np.ones(len(oris), dtype=bool)
    if residence is not None:
        unknown = sorted(x for x in residence if x not in states and x not in set(oris))
        if unknown:
            raise ValueError(f"unknown states or ORIs in the residence filter: {unknown}")
        state_of = np.array(states)[geo.state_index]
        inside = np.isin(state_of, list(residence)) | np.isin(np.array(oris), list(residence))
    native_w = geo.population * (1.0 - geo.foreign_born_share)
    foreign_w = geo.population * geo.foreign_born_share
    shares = np.array(pop.status_shares, dtype=np.float64)
    kept_native = native_w[inside].sum() / native_w.sum()
    kept_foreign = foreign_w[inside].sum() / foreign_w.sum()
    shares = shares * np.where(np.arange(len(STATUSES)) == _US_BORN, kept_native, kept_foreign)

    n_states = len(states)
    # Jurisdictions are sorted by ORI, so each state's are contiguous.
    state_lo = np.array([np.flatnonzero(geo.state_index == s)[0] for s in range(n_states)])
    state_hi = np.array([np.flatnonzero(geo.state_index == s)[-1] + 1 for s in range(n_states)])
    if int(np.sum(state_hi - state_lo)) != len(oris):  # pragma: no cover
        raise AssertionError("jurisdictions must be grouped by state")
    state_pop = np.asarray(
        np.bincount(geo.state_index, weights=geo.population, minlength=n_states), dtype=np.float64
    )

    countries: list[str] = []
    for table in (pop.countries_lawful, pop.countries_overstay, pop.countries_without_inspection):
        countries += [c for c, _ in table if c not in countries]
    places = tuple(f"US-{s}" for s in states) + tuple(countries)
    cdfs = []
    for table in (pop.countries_lawful, pop.countries_overstay, pop.countries_without_inspection):
        w = np.zeros(len(places))
        for c, share in table:
            w[n_states + countries.index(c)] = share
        cdfs.append(_cdf(w))
    place_group = np.array(
        [0] * n_states + [COUNTRY_GROUP.get(c, 0) for c in countries], dtype=np.int64
    )

    codes = tuple(code for code, _ in calibration.offences.weights)
    offences = [OFFENCES[c] for c in codes]
    lesser = np.array(
        [codes.index(o.lesser) if o.lesser in codes else i for i, o in enumerate(offences)],
        dtype=np.int64,
    )
    max_days = np.array(
        [(o.max_sentence_months or LIFE_MONTHS) * DAYS_PER_YEAR / 12 for o in offences]
    )
    custody = np.ones(n_states)
    removal = np.ones(n_states)
    for st in calibration.outcomes.states:
        custody[states.index(st.state)] = st.custody_factor
        removal[states.index(st.state)] = st.removal_factor

    base = calibration.arrests.bookings_per_resident_year / _mean_intensity(calibration)
    return Tables(
        geography=geo,
        status_cdf=_cdf(shares),
        residence_native_cdf=_cdf(np.where(inside, native_w, 0.0)),
        residence_foreign_cdf=_cdf(np.where(inside, foreign_w, 0.0)),
        residents=float(geo.population[inside].sum()),
        state_lo=state_lo,
        state_hi=state_hi,
        cumulative_population=np.cumsum(geo.population),
        state_cdf=_cdf(state_pop),
        places=places,
        place_group=place_group,
        country_cdfs=(cdfs[0], cdfs[1], cdfs[2]),
        arrest_base_per_day=base / DAYS_PER_YEAR,
        offence_codes=codes,
        offence_cdf=_cdf(np.array([w for _, w in calibration.offences.weights])),
        offence_felony=np.array([o.felony for o in offences]),
        offence_aggravated=np.array([o.aggravated_felony for o in offences]),
        offence_level_1=np.array([o.level_1 for o in offences]),
        offence_lesser=lesser,
        offence_max_days=max_days,
        custody_factor=custody,
        removal_factor=removal,
    )


@dataclass
class Chunk:
    """People ``first .. first + size - 1`` as arrays (see the module docstring).

    Person arrays have shape ``(n,)``, encounter arrays ``(n, 4)`` (slots
    sorted by date, unused slots last with kind -1), arrest arrays ``(A,)``
    sorted by person then date, ``arrest_offsets`` ``(n + 1,)``. Levels are
    :class:`PriorityLevel` values (0: none); match levels 1 (Level 1),
    2 (Level 2/3), 0 (no match).
    """

    first: int
    status: I64
    male: B
    date_of_birth: I64
    residence: I64
    place: I64
    name_group: I64
    given_u: F64
    surname_u: F64
    entered: I64
    encounter_kind: I64
    encounter_on: I64
    has_a_number: B
    arrest_offsets: I64
    arrest_person: I64
    arrested_on: I64
    arrest_seconds: I64
    arrest_ori: I64
    charge: I64
    disposition: I8
    disposed_on: I64
    conviction: I64
    sentence_days: I64
    submitted: B
    in_ident: B
    matched: B
    match_level: I8
    level: I8
    custody_on: I64
    removed_on: I64

    @property
    def size(self) -> int:
        """People in the chunk."""
        return len(self.status)

    @property
    def ident_enrolled_on(self) -> I64:
        """First IDENT encounter of each person, ordinal; :data:`NO_DATE` if none."""
        first = self.encounter_on[:, 0]
        return np.where(self.encounter_kind[:, 0] >= 0, first, NO_DATE)


# Disposition codes in the arrays (order of model.Disposition).
CONVICTED, CONVICTED_LESSER, DISMISSED, PENDING = range(4)


def _people(
    t: Tables, c: Calibration, rng: np.random.Generator, n: int
) -> dict[str, npt.NDArray[Any]]:
    pop = c.population
    start = c.start.toordinal()
    status = _draw(t.status_cdf, rng.random(n))
    foreign = status != _US_BORN
    male = rng.random(n) < np.array(pop.male_share)[status]

    def ages(bands: tuple[tuple[int, int, float], ...], u: F64, v: F64) -> F64:
        lo = np.array([b[0] for b in bands], dtype=np.float64)
        hi = np.array([b[1] for b in bands], dtype=np.float64)
        band = _draw(_cdf(np.array([b[2] for b in bands])), u)
        return lo[band] + v * (hi - lo)[band]

    u, v = rng.random(n), rng.random(n)
    age = np.where(foreign, ages(pop.age_foreign, u, v), ages(pop.age_native, u, v))
    dob = start - 1 - (age * DAYS_PER_YEAR).astype(np.int64)

    u = rng.random(n)
    residence = np.where(
        foreign, _draw(t.residence_foreign_cdf, u), _draw(t.residence_native_cdf, u)
    )
    home_state = t.geography.state_index[residence].astype(np.int64)
    same = rng.random(n) < pop.born_in_state_share
    native_place = np.where(same, home_state, _draw(t.state_cdf, rng.random(n)))
    group = np.select(
        [np.isin(status, (_NATURALISED, _LPR, _VISA)), status == _OVERSTAY], [0, 1], default=2
    )
    u = rng.random(n)
    foreign_place = np.select(
        [group == 0, group == 1],
        [_draw(t.country_cdfs[0], u), _draw(t.country_cdfs[1], u)],
        default=_draw(t.country_cdfs[2], u),
    )
    place = np.where(foreign, foreign_place, native_place)

    names = c.names
    native_groups = _cdf(
        np.array(
            [
                1.0
                - names.us_born_hispanic
                - names.us_born_east_asian
                - names.us_born_south_asian
                - names.us_born_filipino,
                names.us_born_hispanic,
                names.us_born_east_asian,
                names.us_born_south_asian,
                names.us_born_filipino,
            ]
        )
    )
    name_group = np.where(foreign, t.place_group[place], _draw(native_groups, rng.random(n)))

    years = rng.exponential(1.0, n) * np.array(pop.years_in_us)[status]
    years = np.where(status == _NATURALISED, years + 5.0, years)
    entered = start - 1 - (years * DAYS_PER_YEAR).astype(np.int64)
    entered = np.where(foreign, np.maximum(entered, dob + 1), NO_DATE)
    # A re-entrant's removal was fingerprinted, so came after IDENT began.
    after_ident = c.ident.ident_start.toordinal() + 400
    entered = np.where(status == _REMOVED, np.maximum(entered, after_ident), entered)
    return {
        "status": status,
        "male": male,
        "date_of_birth": dob,
        "residence": residence,
        "place": place,
        "name_group": name_group,
        "given_u": rng.random(n),
        "surname_u": rng.random(n),
        "entered": entered,
    }


def _uniform_days(rng: np.random.Generator, lo: I64, hi: I64) -> I64:
    """A day uniformly in ``[lo, hi]`` (``hi`` raised to ``lo`` where below)."""
    hi = np.maximum(hi, lo)
    return lo + (rng.random(len(lo)) * (hi - lo + 1)).astype(np.int64)


def _encounters(
    c: Calibration, rng: np.random.Generator, status: I64, entered: I64
) -> tuple[I64, I64, B]:
    """IDENT encounters: kinds and days, ``(n, 4)`` slots sorted by day, and A-files."""
    ident = c.ident
    n = len(status)
    start = c.start.toordinal()
    ident_start = ident.ident_start.toordinal()
    visit = ident.us_visit_start.toordinal()
    covered = rng.random(n) < np.array(ident.coverage)[status]
    kind = np.full((n, 4), -1, dtype=np.int64)
    on = np.full((n, 4), NO_DATE, dtype=np.int64)
    five = int(5 * DAYS_PER_YEAR)

    def put(slot: int, mask: B, k: EncounterKind, days: I64) -> None:
        kind[mask, slot] = KINDS.index(k)
        on[mask, slot] = days[mask]

    full = np.full(n, start - 1, dtype=np.int64)
    # Citizens by birth: trusted-traveller enrolment, during the scenario.
    tt = ident.trusted_traveller_start.toordinal()
    put(
        0,
        covered & (status == _US_BORN),
        EncounterKind.TRUSTED_TRAVELLER,
        _uniform_days(rng, np.full(n, tt), np.full(n, c.end.toordinal())),
    )
    # Naturalised: permanent residence, then naturalisation 5+ years later.
    lo = np.maximum(entered + five, ident_start)
    nat = np.minimum(_uniform_days(rng, lo, full), full)
    m = covered & (status == _NATURALISED)
    put(1, m, EncounterKind.NATURALISATION, nat)
    pr = _uniform_days(rng, np.maximum(entered, ident_start), nat - five)
    put(0, m & (pr <= nat - five), EncounterKind.PERMANENT_RESIDENCE, pr)
    # Permanent residents.
    put(
        0,
        covered & (status == _LPR),
        EncounterKind.PERMANENT_RESIDENCE,
        _uniform_days(rng, np.maximum(entered, ident_start), full),
    )
    # Visa holders and overstays: a visa application before entry (or a later one).
    visa = entered - 14 - (rng.random(n) * 166).astype(np.int64)
    visa = np.where(visa < visit, _uniform_days(rng, np.full(n, visit), full), visa)
    put(0, covered & np.isin(status, (_VISA, _OVERSTAY)), EncounterKind.VISA_APPLICATION, visa)
    # Entrants without inspection: an apprehension (voluntary return) before entry.
    span = int(ident.apprehension_before_entry_years * DAYS_PER_YEAR)
    caught = entered - (rng.random(n) * span).astype(np.int64)
    caught = np.where(
        caught < ident_start, _uniform_days(rng, np.full(n, ident_start), full), caught
    )
    put(0, covered & (status == _EWI), EncounterKind.BORDER_APPREHENSION, caught)
    # Previously removed: apprehension, removal, re-entry.
    removal = entered - 1 - (rng.random(n) * 3 * DAYS_PER_YEAR).astype(np.int64)
    removal = np.maximum(removal, ident_start + 60)
    m = covered & (status == _REMOVED)
    put(1, m, EncounterKind.REMOVAL, removal)
    put(
        0, m, EncounterKind.BORDER_APPREHENSION, removal - 1 - (rng.random(n) * 60).astype(np.int64)
    )

    order = np.argsort(np.where(kind >= 0, on, np.iinfo(np.int64).max), axis=1, kind="stable")
    kind = np.take_along_axis(kind, order, axis=1)
    on = np.take_along_axis(on, order, axis=1)
    a_file = np.any((kind >= 0) & A_FILE_KINDS[np.maximum(kind, 0)], axis=1) | np.isin(
        status, (_NATURALISED, _LPR, _REMOVED)
    )
    return kind, on, a_file


def _arrests(
    t: Tables,
    c: Calibration,
    rng: np.random.Generator,
    people: dict[str, npt.NDArray[Any]],
) -> dict[str, npt.NDArray[Any]]:
    arr = c.arrests
    n = len(people["status"])
    end = c.end.toordinal()
    dob = people["date_of_birth"]
    propensity = rng.gamma(arr.heterogeneity_shape, 1.0 / arr.heterogeneity_shape, n)
    rate = (
        t.arrest_base_per_day
        * np.array(arr.status_multiplier)[people["status"]]
        * np.where(people["male"], 1.0, arr.female_multiplier)
        * propensity
    )
    t0 = np.maximum(dob + int(18 * DAYS_PER_YEAR), arr.history_start.toordinal())
    t0 = np.maximum(t0, people["entered"])
    lo = dob[:, None] + (np.array([b[0] for b in arr.age_intensity]) * DAYS_PER_YEAR).astype(
        np.int64
    )
    hi = dob[:, None] + (np.array([b[1] for b in arr.age_intensity]) * DAYS_PER_YEAR).astype(
        np.int64
    )
    begin = np.maximum(lo, t0[:, None])
    span = np.clip(np.minimum(hi, end + 1) - begin, 0, None)
    weight = span * np.array([b[2] for b in arr.age_intensity])
    count = rng.poisson(rate * weight.sum(axis=1))

    person = np.repeat(np.arange(n, dtype=np.int64), count)
    w = weight[person]
    cum = np.cumsum(w, axis=1)
    u = rng.random(len(person)) * cum[:, -1]
    band = np.minimum((cum < u[:, None]).sum(axis=1), w.shape[1] - 1)
    day = begin[person, band] + (rng.random(len(person)) * span[person, band]).astype(np.int64)
    order = np.lexsort((day, person))
    person, day = person[order], day[order]
    a = len(person)

    charge = _draw(t.offence_cdf, rng.random(a))
    felony = t.offence_felony[charge]
    d = c.dispositions
    u = rng.random(a)
    lesser = t.offence_lesser[charge]
    outcome = np.where(
        felony,
        np.select(
            [u < d.felony_convicted, u < d.felony_convicted + d.felony_convicted_lesser],
            [CONVICTED, CONVICTED_LESSER],
            default=DISMISSED,
        ),
        np.where(u < d.misdemeanour_convicted, CONVICTED, DISMISSED),
    )
    outcome = np.where((outcome == CONVICTED_LESSER) & (lesser == charge), CONVICTED, outcome)
    delay = rng.exponential(1.0, a) * np.where(
        felony, d.felony_delay_days, d.misdemeanour_delay_days
    )
    disposed = day + 1 + delay.astype(np.int64)
    pending = disposed > end
    outcome = np.where(pending, PENDING, outcome)
    disposed = np.where(pending, NO_DATE, disposed)
    convicted = (outcome == CONVICTED) | (outcome == CONVICTED_LESSER)
    conviction = np.where(outcome == CONVICTED_LESSER, lesser, charge)
    conviction = np.where(convicted, conviction, -1)
    cf = t.offence_felony[np.maximum(conviction, 0)]
    lo_f, hi_f = d.felony_sentence_fraction
    fraction = np.where(
        cf,
        lo_f + rng.random(a) * (hi_f - lo_f),
        np.where(rng.random(a) < d.misdemeanour_custody_share, rng.random(a) * 0.5, 0.0),
    )
    sentence = (fraction * t.offence_max_days[np.maximum(conviction, 0)]).astype(np.int64)
    sentence = np.where(convicted, sentence, -1)

    home = people["residence"][person]
    state = t.geography.state_index[home].astype(np.int64)
    target = (
        t.cumulative_population[t.state_lo[state]]
        - t.geography.population[t.state_lo[state]]
        + rng.random(a)
        * (
            t.cumulative_population[t.state_hi[state] - 1]
            - t.cumulative_population[t.state_lo[state]]
            + t.geography.population[t.state_lo[state]]
        )
    )
    elsewhere = np.clip(
        np.searchsorted(t.cumulative_population, target, side="right"),
        t.state_lo[state],
        t.state_hi[state] - 1,
    )
    ori = np.where(rng.random(a) < arr.local_share, home, elsewhere)
    return {
        "arrest_person": person,
        "arrested_on": day,
        "arrest_seconds": rng.integers(0, 86_400, a),
        "arrest_ori": ori.astype(np.int64),
        "charge": charge,
        "disposition": outcome.astype(np.int8),
        "disposed_on": disposed,
        "conviction": conviction,
        "sentence_days": sentence,
    }


def _level(felonies: int, misdemeanours: int, aggravated: bool) -> int:
    if aggravated or felonies >= 2:
        return 1
    if felonies == 1 or misdemeanours >= 3:
        return 2
    return 3 if misdemeanours else 4


def _level_on(convictions: list[tuple[int, bool, bool]], day: int) -> int:
    """Conviction level (1-4) from the convictions disposed of by ``day``."""
    felonies = misdemeanours = 0
    aggravated = False
    for disposed, felony, worst in convictions:
        if disposed <= day:
            felonies += felony
            misdemeanours += not felony
            aggravated = aggravated or worst
    return _level(felonies, misdemeanours, aggravated)


def _outcomes(
    t: Tables,
    c: Calibration,
    rng: np.random.Generator,
    status: I64,
    arrests: dict[str, npt.NDArray[Any]],
) -> tuple[dict[str, npt.NDArray[Any]], dict[int, int]]:
    """Match levels, ICE custody and removals; drops arrests after a removal."""
    o = c.outcomes
    a = len(arrests["arrested_on"])
    match_level = np.zeros(a, dtype=np.int8)
    level = np.zeros(a, dtype=np.int8)
    custody = np.full(a, NO_DATE, dtype=np.int64)
    removed = np.full(a, NO_DATE, dtype=np.int64)
    keep = np.ones(a, dtype=bool)
    removals: dict[int, int] = {}
    end = c.end.toordinal()

    person = arrests["arrest_person"]
    matched = np.flatnonzero(arrests["matched"])
    if len(matched):
        people = np.unique(person[matched])
        lo = np.searchsorted(person, people, side="left")
        hi = np.searchsorted(person, people, side="right")
        day = arrests["arrested_on"]
        disposed = arrests["disposed_on"]
        conviction = arrests["conviction"]
        charge = arrests["charge"]
        is_match = arrests["matched"]
        state = t.geography.state_index[arrests["arrest_ori"]]
        draws = iter(rng.random(5 * len(matched)).tolist())
        sentence = arrests["sentence_days"]
        for p, first, last in zip(people.tolist(), lo.tolist(), hi.tolist(), strict=True):
            s = int(status[p])
            convictions = [
                (int(disposed[i]), bool(t.offence_felony[conviction[i]]),
                 bool(t.offence_aggravated[conviction[i]]))
                for i in range(first, last)
                if conviction[i] >= 0
            ]  # fmt: skip
            gone = NO_DATE
            for i in range(first, last):
                if gone != NO_DATE and day[i] > gone:
                    keep[i] = False
                    continue
                if not is_match[i]:
                    continue
                d = int(day[i])
                u_path, u_delay, u_custody, u_removal, u_lag = (next(draws) for _ in range(5))
                match_level[i] = (
                    1 if (t.offence_level_1[charge[i]] or _level_on(convictions, d) == 1) else 2
                )
                # ICE takes custody when the jail releases the person: before the
                # case is disposed of (transfer), or after it and any sentence.
                if u_path < o.pretrial_transfer_share or disposed[i] == NO_DATE:
                    taken = d + 1 + int(-np.log1p(-u_delay) * o.pretrial_transfer_days)
                else:
                    served = max(int(sentence[i]), 0) * o.sentence_served_share
                    taken = max(int(disposed[i]) + int(served), d + 1)
                # ICE's statistics count a Level 1 charge as Level 1 (the rule
                # before mid-2010), otherwise the convictions on that day.
                lv = 1 if match_level[i] == 1 else _level_on(convictions, taken)
                level[i] = lv
                k = lv - 1
                if s in (_US_BORN, _NATURALISED):
                    p_custody = o.citizen_custody_rate
                elif (s == _LPR and not o.permanent_resident_removable[k]) or (
                    s == _VISA and not o.visa_holder_removable[k]
                ):
                    p_custody = 0.0
                else:
                    p_custody = o.custody_rate[k] * float(t.custody_factor[state[i]])
                if u_custody >= p_custody or taken > end:
                    continue
                custody[i] = taken
                if s in (_US_BORN, _NATURALISED):
                    continue
                if u_removal < o.removal_rate[k] * float(t.removal_factor[state[i]]):
                    out = taken + 1 + int(-np.log1p(-u_lag) * o.removal_delay_days)
                    if out <= end:
                        removed[i] = out
                        removals[p] = out
                        gone = taken
    arrests = dict(arrests)
    arrests.update(match_level=match_level, level=level, custody_on=custody, removed_on=removed)
    return {k: v[keep] for k, v in arrests.items()}, removals


def generate_chunk(
    calibration: Calibration,
    seed: int,
    chunk: int,
    size: int,
    residence: frozenset[str] | None = None,
) -> Chunk:
    """Generate people ``chunk * CHUNK_SIZE ..`` (``size`` of them) as arrays.

    Parameters
    ----------
    calibration : Calibration
    seed : int
        Seed of the population (>= 0).
    chunk : int
        Index of the chunk; its people are numbered from ``chunk * CHUNK_SIZE``.
    size : int
        People in the chunk (``CHUNK_SIZE`` but for the last chunk).
    residence : frozenset of str, optional
        See :func:`tables`.

    Returns
    -------
    Chunk
    """
    t = tables(calibration, residence)
    root = np.random.SeedSequence(seed, spawn_key=(chunk,))
    streams = [np.random.Generator(np.random.PCG64(s)) for s in root.spawn(4)]
    people = _people(t, calibration, streams[0], size)
    kind, on, a_file = _encounters(calibration, streams[1], people["status"], people["entered"])
    arrests = _arrests(t, calibration, streams[2], people)

    start = calibration.start.toordinal()
    person = arrests["arrest_person"]
    day = arrests["arrested_on"]
    first_ident = np.where(kind[:, 0] >= 0, on[:, 0], np.iinfo(np.int64).max)
    booked = day >= start
    arrests["submitted"] = booked & (t.geography.activated_on[arrests["arrest_ori"]] <= day)
    arrests["in_ident"] = first_ident[person] <= day
    arrests["matched"] = arrests["submitted"] & arrests["in_ident"]
    arrests, removals = _outcomes(t, calibration, streams[3], people["status"], arrests)

    # A removal during the scenario is an encounter (slot 3 is free for it) and opens an A-file.
    for p, out in removals.items():
        kind[p, 3] = KINDS.index(EncounterKind.REMOVAL)
        on[p, 3] = out
    a_file = a_file | np.isin(
        np.arange(size), arrests["arrest_person"][arrests["custody_on"] != NO_DATE]
    )
    offsets = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(arrests["arrest_person"], minlength=size), out=offsets[1:])
    return Chunk(
        first=chunk * CHUNK_SIZE,
        encounter_kind=kind,
        encounter_on=on,
        has_a_number=a_file,
        arrest_offsets=offsets,
        **people,
        **arrests,
    )
