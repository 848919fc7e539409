"""Jurisdictions, State Identification Bureaus and the activation schedule.

Every state (and DC) is divided into its real number of county-equivalents;
their populations, foreign-born shares and names are synthetic (log-normal
around the state's figures), except the anchor counties the story needs
(Harris County, Texas; Cook County, Illinois). ORIs follow the real scheme
for sheriffs' offices: state code, the county's 3-digit number in
alphabetical order, ``"0000"`` (``"TX1010000"``).

The activation schedule interpolates the published cumulative counts of
activated jurisdictions and states (:class:`~interop.population.calibration.DeploymentModel`):
Harris County first, then, state by state, the jurisdictions with the most
residents and the largest foreign-born shares first; Illinois' 26 counties
on 24 Nov 2009 and no more there until ICE terminated the MOAs; every
jurisdiction by January 2013.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from interop.population.calibration import CALIBRATION, ActivationBlock, Calibration
from interop.population.model import Jurisdiction, JurisdictionKind, StateBureau

__all__ = ["STATE_TIME_ZONES", "Geography", "build_geography"]

STATE_TIME_ZONES = MappingProxyType(
    {
        "AL": "America/Chicago",
        "AK": "America/Anchorage",
        "AZ": "America/Phoenix",
        "AR": "America/Chicago",
        "CA": "America/Los_Angeles",
        "CO": "America/Denver",
        "CT": "America/New_York",
        "DE": "America/New_York",
        "DC": "America/New_York",
        "FL": "America/New_York",
        "GA": "America/New_York",
        "HI": "Pacific/Honolulu",
        "ID": "America/Boise",
        "IL": "America/Chicago",
        "IN": "America/Indiana/Indianapolis",
        "IA": "America/Chicago",
        "KS": "America/Chicago",
        "KY": "America/New_York",
        "LA": "America/Chicago",
        "ME": "America/New_York",
        "MD": "America/New_York",
        "MA": "America/New_York",
        "MI": "America/Detroit",
        "MN": "America/Chicago",
        "MS": "America/Chicago",
        "MO": "America/Chicago",
        "MT": "America/Denver",
        "NE": "America/Chicago",
        "NV": "America/Los_Angeles",
        "NH": "America/New_York",
        "NJ": "America/New_York",
        "NM": "America/Denver",
        "NY": "America/New_York",
        "NC": "America/New_York",
        "ND": "America/Chicago",
        "OH": "America/New_York",
        "OK": "America/Chicago",
        "OR": "America/Los_Angeles",
        "PA": "America/New_York",
        "RI": "America/New_York",
        "SC": "America/New_York",
        "SD": "America/Chicago",
        "TN": "America/Chicago",
        "TX": "America/Chicago",
        "UT": "America/Denver",
        "VT": "America/New_York",
        "VA": "America/New_York",
        "WA": "America/Los_Angeles",
        "WV": "America/New_York",
        "WI": "America/Chicago",
        "WY": "America/Denver",
    }
)
"""IANA time zone of each state's jurisdictions, by USPS code: the zone most
of the state's residents live in (the synthetic counties are not placed on a
map, so a state's counties in a second zone, such as west Texas or the
Florida panhandle, get the state's). Detainer deadlines and release times
are computed in it (:func:`interop.policy.clock.detainer_expires_at`)."""

_PREFIXES = tuple(
    " ".join(
        (
            "Ash Bell Birch Black Boone Bridge Brook Cedar Clay Clear Cold Deer Eagle East Elk Elm",
            "Fair Fox Glen Gold Grand Green Hart High Hill Iron Lake Laurel Lime Maple Marsh Mill",
            "New North Oak Pine Pleasant Red River Rock Rose Salt Sand Silver South Spring Stone",
            "Sugar Summer Sweet West White Willow Wind Wolf",
        )
    ).split()
)
_SUFFIXES = tuple(
    " ".join(
        ("ville field ford land mont ridge ton vale", "wood view brook dale port wick burg haven")
    ).split()
)


@dataclass(frozen=True)
class Geography:
    """The jurisdictions of the United States and their activation schedule.

    Attributes
    ----------
    jurisdictions : tuple of Jurisdiction
        Sorted by ORI.
    bureaus : tuple of StateBureau
        One per state and DC, sorted by state code.
    state_codes : tuple of str
        State codes in :attr:`state_index` order.
    state_index : (J,) int16 ndarray
        State of each jurisdiction (index into :attr:`state_codes`).
    population : (J,) float64 ndarray
    foreign_born_share : (J,) float64 ndarray
    activated_on : (J,) int64 ndarray
        Activation day of each jurisdiction, proleptic Gregorian ordinal.
    """

    jurisdictions: tuple[Jurisdiction, ...]
    bureaus: tuple[StateBureau, ...]
    state_codes: tuple[str, ...]
    state_index: npt.NDArray[np.int16]
    population: npt.NDArray[np.float64]
    foreign_born_share: npt.NDArray[np.float64]
    activated_on: npt.NDArray[np.int64]

    @property
    def oris(self) -> tuple[str, ...]:
        """ORI of each jurisdiction, in array order."""
        return tuple(j.ori for j in self.jurisdictions)

    def activated_count(self, on: date) -> int:
        """Jurisdictions activated by day ``on`` (inclusive)."""
        return int(np.count_nonzero(self.activated_on <= on.toordinal()))

    def activated_states(self, on: date) -> int:
        """States (and DC) with at least one jurisdiction activated by day ``on``."""
        active = self.activated_on <= on.toordinal()
        return len(set(self.state_index[active].tolist()))


@dataclass
class _County:
    state: int
    name: str
    kind: JurisdictionKind
    population: float
    foreign: float
    number: int = 0
    activated: int = 0


def _state_counties(calibration: Calibration, rng: np.random.Generator) -> list[_County]:
    geo = calibration.geography
    border = dict(geo.border_counties)
    counties: list[_County] = []
    for s, st in enumerate(geo.states):
        n = st.counties + st.independent_cities
        anchors = [a for a in geo.anchors if a.state == st.code]
        kinds = [JurisdictionKind(st.county_kind)] * st.counties + [
            JurisdictionKind.INDEPENDENT_CITY
        ] * st.independent_cities
        names = [
            f"{_PREFIXES[i // len(_SUFFIXES)]}{_SUFFIXES[i % len(_SUFFIXES)]}"
            for i in rng.permutation(len(_PREFIXES) * len(_SUFFIXES))[:n]
        ]
        label = {
            JurisdictionKind.COUNTY: " County",
            JurisdictionKind.PARISH: " Parish",
            JurisdictionKind.BOROUGH: " Borough",
            JurisdictionKind.INDEPENDENT_CITY: " City",
            JurisdictionKind.DISTRICT: "",
        }
        names = [nm + label[k] for nm, k in zip(names, kinds, strict=True)]
        if kinds[0] is JurisdictionKind.DISTRICT:
            names[0] = st.name
        weights = rng.lognormal(0.0, geo.county_size_sigma, n)
        relative_size = (weights / weights.mean()) ** geo.county_foreign_size_elasticity
        foreign = (
            st.foreign_born_share * relative_size * rng.lognormal(0.0, geo.county_foreign_sigma, n)
        )
        if st.code in border:
            foreign[rng.choice(n, border[st.code], replace=False)] *= geo.border_foreign_factor
        fixed = np.zeros(n, dtype=bool)
        pop = np.zeros(n)
        free_people = float(st.population)
        for i, anchor in enumerate(anchors):
            names[i] = anchor.name
            pop[i] = anchor.population
            foreign[i] = anchor.foreign_born_share
            fixed[i] = True
            free_people -= anchor.population
        pop[~fixed] = weights[~fixed] / weights[~fixed].sum() * free_people
        # Rescale the free counties so the state's foreign-born total is right.
        target = st.foreign_born_share * st.population - float(np.sum(pop[fixed] * foreign[fixed]))
        for _ in range(20):
            foreign[~fixed] *= target / float(np.sum(pop[~fixed] * foreign[~fixed]))
            np.clip(foreign, 0.002, geo.max_foreign_share, out=foreign)
        for i in range(n):
            counties.append(_County(s, names[i], kinds[i], float(pop[i]), float(foreign[i])))
    return counties


def _daily(points: list[tuple[int, float]], days: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    xs = np.array([p[0] for p in points], dtype=np.float64)
    ys = np.array([p[1] for p in points], dtype=np.float64)
    return np.interp(days.astype(np.float64), xs, ys)


def _block_counties(
    block: ActivationBlock, counties: list[_County], state: int, calibration: Calibration
) -> list[int]:
    """The block's counties, chosen to match its published volume.

    The state's counties (but the excluded) are ranked by population; of
    every run of ``jurisdictions`` consecutive ones, the one whose expected
    bookings come closest to the published figure is taken. Their
    foreign-born share is then set to the block's, and the state's other
    synthetic counties are rescaled to keep the state's total.
    """
    candidates = sorted(
        (i for i, c in enumerate(counties) if c.state == state and c.name not in block.excluded),
        key=lambda i: -counties[i].population,
    )
    years = (block.screened_through.toordinal() - block.on.toordinal() + 1) / 365.25
    rate = calibration.arrests.bookings_per_resident_year
    volume = np.array([counties[i].population * rate * years for i in candidates])
    n = block.jurisdictions
    sums = np.convolve(volume, np.ones(n), mode="valid")
    best = int(np.argmin(np.abs(sums - block.screened)))
    members = candidates[best : best + n]

    anchors = {a.name for a in calibration.geography.anchors if a.state == block.state}
    st = calibration.geography.states[state]
    others = [
        i
        for i, c in enumerate(counties)
        if c.state == state and i not in members and c.name not in anchors
    ]
    fixed = [i for i, c in enumerate(counties) if c.state == state and i not in others]
    for i in members:
        counties[i].foreign = block.foreign_born_share
    target = st.foreign_born_share * st.population - sum(
        counties[i].population * counties[i].foreign for i in fixed
    )
    current = sum(counties[i].population * counties[i].foreign for i in others)
    for i in others:
        counties[i].foreign = min(
            max(counties[i].foreign * target / current, 0.002),
            calibration.geography.max_foreign_share,
        )
    return members


def _schedule(calibration: Calibration, counties: list[_County], rng: np.random.Generator) -> None:
    dep = calibration.deployment
    geo = calibration.geography
    codes = [s.code for s in geo.states]
    n_states = len(codes)
    total = len(counties)
    first_state, first_name, first_day = dep.first
    first_day_o = first_day.toordinal()
    end_o = dep.nationwide_on.toordinal()
    days = np.arange(first_day_o, end_o + 1, dtype=np.int64)

    blocks: dict[int, tuple[ActivationBlock, list[int]]] = {}
    for block in dep.blocks:
        s = codes.index(block.state)
        members = _block_counties(block, counties, s, calibration)
        blocks[s] = (block, members)
        for i in members:
            counties[i].activated = block.on.toordinal()
    pop = np.array([c.population for c in counties])
    foreign = np.array([c.foreign for c in counties])
    score = (
        dep.priority_population * np.log(pop)
        + dep.priority_foreign * np.log(foreign / (1.0 - foreign))
        + dep.priority_noise * rng.standard_normal(total)
    )

    in_block = {i for _, members in blocks.values() for i in members}

    # Jurisdictions (outside blocks) activated by each day, and the slot days.
    # The published counts include the blocks: take them out before interpolating.
    points = [(first_day_o, 1.0)]
    points += [(m.on.toordinal(), float(m.jurisdictions)) for m in dep.milestones]
    points.append((end_o, float(total)))
    points = [
        (day, count - sum(len(m) for b, m in blocks.values() if b.on.toordinal() <= day))
        for day, count in points
    ]
    cumulative = np.maximum.accumulate(np.maximum(_daily(points, days), 1.0))
    cumulative[-1] = total - len(in_block)
    slots = days[np.searchsorted(cumulative, np.arange(1, total - len(in_block) + 1) - 1e-9)]

    # States entering on each day; block states at their block's day.
    spoints = [(first_day_o, 1.0)]
    spoints += [(m.on.toordinal(), float(m.states)) for m in dep.milestones if m.states]
    spoints.append((end_o, float(n_states)))
    entering = days[np.searchsorted(_daily(spoints, days), np.arange(1, n_states + 1) - 1e-9)]
    state_best = np.full(n_states, -np.inf)
    for i, c in enumerate(counties):
        state_best[c.state] = max(state_best[c.state], score[i])
    first_s = codes.index(first_state)
    order = [first_s] + [int(s) for s in np.argsort(-state_best) if s != first_s]
    entry_days = sorted(int(d) for d in entering)
    entry: dict[int, int] = {}
    for s in blocks:
        day = blocks[s][0].on.toordinal()
        entry_days.remove(min(entry_days, key=lambda d: abs(d - day)))
        entry[s] = day
    for s, day in zip((s for s in order if s not in blocks), entry_days, strict=True):
        entry[s] = day

    by_state: dict[int, list[int]] = {s: [] for s in range(n_states)}
    for i, c in enumerate(counties):
        if i not in in_block:
            by_state[c.state].append(i)
    # Events: a state's counties become eligible on its entry day (block states: on resuming).
    events = sorted(
        (
            blocks[s][0].resumes_on.toordinal() if s in blocks else entry[s],
            s,
        )
        for s in range(n_states)
    )
    first_i = next(i for i, c in enumerate(counties) if c.state == first_s and c.name == first_name)
    heap: list[tuple[float, int]] = []
    pending: list[int] = []  # states entered with nothing activated yet
    activated_states = {s for s in blocks}
    e = 0
    for k, slot in enumerate(int(x) for x in slots):
        while e < len(events) and events[e][0] <= slot:
            s = events[e][1]
            for i in by_state[s]:
                heapq.heappush(heap, (-score[i], i))
            if s not in activated_states:
                pending.append(s)
            e += 1
        if k == 0:
            chosen = first_i
        elif pending:
            s = pending.pop(0)
            chosen = max(
                (i for i in by_state[s] if not counties[i].activated), key=lambda i: score[i]
            )
        else:
            chosen = -1
            while heap:
                _, i = heapq.heappop(heap)
                if not counties[i].activated:
                    chosen = i
                    break
            if chosen < 0:  # nothing eligible yet: take the best county anywhere
                chosen = max(
                    (i for i in range(total) if not counties[i].activated and i not in in_block),
                    key=lambda i: score[i],
                )
        counties[chosen].activated = slot
        activated_states.add(counties[chosen].state)
        if counties[chosen].state in pending:
            pending.remove(counties[chosen].state)


def _bureaus(calibration: Calibration, counties: list[_County]) -> tuple[StateBureau, ...]:
    dep = calibration.deployment
    signed = dict(dep.moa_signed)
    terminated = dict(dep.moa_terminated)
    bureaus = []
    for s, st in enumerate(calibration.geography.states):
        first = date.fromordinal(min(c.activated for c in counties if c.state == s))
        signed_on = signed.get(st.code, first)
        if signed_on > dep.all_moas_terminated_on:
            signed_on_or_none: date | None = None
            ended: date | None = None
        else:
            signed_on_or_none = signed_on
            ended = terminated.get(st.code, dep.all_moas_terminated_on)
        bureaus.append(
            StateBureau(
                st.code,
                f"{st.name} State Identification Bureau",
                f"{st.code}SIB0000",
                signed_on_or_none,
                ended,
            )
        )
    return tuple(sorted(bureaus, key=lambda b: b.state))


@lru_cache(maxsize=4)
def build_geography(calibration: Calibration = CALIBRATION) -> Geography:
    """The jurisdictions and activation schedule of a calibration (deterministic).

    Parameters
    ----------
    calibration : Calibration
        Its ``geography.seed`` fixes the synthetic map, so every population
        generated with one calibration shares the same jurisdictions and ORIs.

    Returns
    -------
    Geography
    """
    rng = np.random.Generator(np.random.PCG64(calibration.geography.seed))
    counties = _state_counties(calibration, rng)
    _schedule(calibration, counties, rng)
    states = calibration.geography.states
    # County numbers: alphabetical within the state, as in real ORIs.
    for s in range(len(states)):
        members = sorted((c for c in counties if c.state == s), key=lambda c: c.name)
        for number, c in enumerate(members, start=1):
            c.number = number
    rate = calibration.arrests.bookings_per_resident_year
    counties.sort(key=lambda c: (states[c.state].code, c.number))
    jurisdictions = tuple(
        Jurisdiction(
            ori=f"{states[c.state].code}{c.number:03d}0000",
            name=c.name,
            kind=c.kind,
            state=states[c.state].code,
            population=round(c.population),
            foreign_born_share=round(c.foreign, 4),
            annual_bookings=round(c.population * rate),
            activated_on=date.fromordinal(c.activated),
        )
        for c in counties
    )
    chosen = counties
    return Geography(
        jurisdictions=jurisdictions,
        bureaus=_bureaus(calibration, counties),
        state_codes=tuple(s.code for s in states),
        state_index=np.array([c.state for c in chosen], dtype=np.int16),
        population=np.array([c.population for c in chosen]),
        foreign_born_share=np.array([c.foreign for c in chosen]),
        activated_on=np.array([c.activated for c in chosen], dtype=np.int64),
    )
