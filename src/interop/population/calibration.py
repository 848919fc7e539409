"""Every number that shapes the synthetic population, with where it comes from.

One frozen :class:`Calibration` holds the whole model; :data:`CALIBRATION` is
the default, fitted so that a generated scenario reproduces ICE's published
Secure Communities statistics (``docs/domain.md``). Each value carries a tag
in the comment beside it:

* **[D]** a published figure quoted in ``docs/domain.md`` (ICE's
  IDENT/IAFIS Interoperability Statistics, the deployment record, the
  Illinois figures, the Warren Institute study);
* **[E]** an external public figure (US Census 2010, ACS 2010, FBI UCR 2009,
  DHS and Pew estimates), rounded, quoted from memory: not verified in this
  project and not part of the calibration targets;
* **[F]** fitted: chosen so that the scenario reproduces the [D] figures
  named beside it (the checks are ``tests/population/test_calibration.py``);
* **[A]** a modelling assumption with no published figure behind it.

Calibration targets (all [D], checked by the tests against the published
numbers, never against the values in this module), with what is fitted to them:

========================================  ==========================================
Published figure                          Fitted by
========================================  ==========================================
7,225,393 submissions, Oct 2008-Mar 2011  booking rate, activation order
477,035 matches to Feb 2011 (~6.6-7.0%    IDENT coverage, arrest multipliers,
of submissions)                           foreign-born weight of the activation order
71,197 of them Level 1 (14.9%)            felony conviction rate
ICE custody to Feb 2011: non-criminal     custody rates, pre-trial transfer share
52,603, Level 2 24,884, Level 3 49,019;
197,302 in all to Mar 2011
Removed to Jun 2010: 46,929, 26% non-     removal rates
criminal, 21% Level 1; to Mar 2011:
101,741, 72,445 convicted; to Mar 2012:
~183,000, 74% convicted
Illinois, 24 Nov 2009-31 Dec 2010:        Illinois block (volume, foreign-born share),
~100,000 screened, 6,355 matches,         Illinois enforcement factors
1,430 charged, >430 removed
~3,600 US citizens arrested through the   citizen custody rate
program (Warren Institute, Oct 2011)
Activated jurisdictions: 14 (Oct 2008)    deployment milestones (interpolated)
... 1,595 (Oct 2011), all (Jan 2013)
========================================  ==========================================

Per-status tuples are in the order of :class:`interop.population.model.Status`;
write them with :func:`by_status`. Per-level tuples are in the order Level 1,
Level 2, Level 3, non-criminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

__all__ = [
    "CALIBRATION",
    "STATES",
    "ActivationBlock",
    "AnchorCounty",
    "ArrestModel",
    "Calibration",
    "DeploymentModel",
    "DispositionModel",
    "GeographyModel",
    "IdentModel",
    "Milestone",
    "NameModel",
    "OffenceModel",
    "OutcomeModel",
    "PopulationModel",
    "StateEnforcement",
    "StateFigures",
    "by_level",
    "by_status",
]


def by_status(
    *,
    us_born: float,
    naturalised: float,
    permanent_resident: float,
    visa_holder: float,
    overstay: float,
    without_inspection: float,
    previously_removed: float,
) -> tuple[float, ...]:
    """A per-status tuple, in :class:`~interop.population.model.Status` order."""
    return (
        us_born,
        naturalised,
        permanent_resident,
        visa_holder,
        overstay,
        without_inspection,
        previously_removed,
    )


def by_level(
    *, level_1: float, level_2: float, level_3: float, non_criminal: float
) -> tuple[float, ...]:
    """A per-level tuple: Level 1, Level 2, Level 3, non-criminal."""
    return (level_1, level_2, level_3, non_criminal)


# --------------------------------------------------------------------------- geography


@dataclass(frozen=True, slots=True)
class StateFigures:
    """One state (or DC): residents, foreign-born share, county-equivalents.

    Attributes
    ----------
    code, name : str
        USPS code and name.
    population : int
        Residents, 2010 census [E].
    foreign_born_share : float
        Share born abroad, ACS 2010, rounded [E].
    counties : int
        Counties (or parishes, boroughs) [E].
    independent_cities : int
        Independent cities outside any county [E].
    county_kind : str
        What the state calls its counties.
    """

    code: str
    name: str
    population: int
    foreign_born_share: float
    counties: int
    independent_cities: int = 0
    county_kind: str = "county"


# [E] US Census 2010 (population), ACS 2010 (foreign-born share), Census county list.
STATES = (
    StateFigures("AL", "Alabama", 4_779_736, 0.035, 67),
    StateFigures("AK", "Alaska", 710_231, 0.069, 29, county_kind="borough"),
    StateFigures("AZ", "Arizona", 6_392_017, 0.134, 15),
    StateFigures("AR", "Arkansas", 2_915_918, 0.045, 75),
    StateFigures("CA", "California", 37_253_956, 0.272, 58),
    StateFigures("CO", "Colorado", 5_029_196, 0.098, 64),
    StateFigures("CT", "Connecticut", 3_574_097, 0.136, 8),
    StateFigures("DE", "Delaware", 897_934, 0.080, 3),
    StateFigures("DC", "District of Columbia", 601_723, 0.135, 1, county_kind="district"),
    StateFigures("FL", "Florida", 18_801_310, 0.194, 67),
    StateFigures("GA", "Georgia", 9_687_653, 0.097, 159),
    StateFigures("HI", "Hawaii", 1_360_301, 0.177, 5),
    StateFigures("ID", "Idaho", 1_567_582, 0.055, 44),
    StateFigures("IL", "Illinois", 12_830_632, 0.137, 102),
    StateFigures("IN", "Indiana", 6_483_802, 0.046, 92),
    StateFigures("IA", "Iowa", 3_046_355, 0.046, 99),
    StateFigures("KS", "Kansas", 2_853_118, 0.065, 105),
    StateFigures("KY", "Kentucky", 4_339_367, 0.032, 120),
    StateFigures("LA", "Louisiana", 4_533_372, 0.038, 64, county_kind="parish"),
    StateFigures("ME", "Maine", 1_328_361, 0.034, 16),
    StateFigures("MD", "Maryland", 5_773_552, 0.139, 23, independent_cities=1),
    StateFigures("MA", "Massachusetts", 6_547_629, 0.150, 14),
    StateFigures("MI", "Michigan", 9_883_640, 0.060, 83),
    StateFigures("MN", "Minnesota", 5_303_925, 0.071, 87),
    StateFigures("MS", "Mississippi", 2_967_297, 0.021, 82),
    StateFigures("MO", "Missouri", 5_988_927, 0.039, 114, independent_cities=1),
    StateFigures("MT", "Montana", 989_415, 0.019, 56),
    StateFigures("NE", "Nebraska", 1_826_341, 0.061, 93),
    StateFigures("NV", "Nevada", 2_700_551, 0.188, 16, independent_cities=1),
    StateFigures("NH", "New Hampshire", 1_316_470, 0.053, 10),
    StateFigures("NJ", "New Jersey", 8_791_894, 0.210, 21),
    StateFigures("NM", "New Mexico", 2_059_179, 0.099, 33),
    StateFigures("NY", "New York", 19_378_102, 0.222, 62),
    StateFigures("NC", "North Carolina", 9_535_483, 0.075, 100),
    StateFigures("ND", "North Dakota", 672_591, 0.025, 53),
    StateFigures("OH", "Ohio", 11_536_504, 0.041, 88),
    StateFigures("OK", "Oklahoma", 3_751_351, 0.055, 77),
    StateFigures("OR", "Oregon", 3_831_074, 0.098, 36),
    StateFigures("PA", "Pennsylvania", 12_702_379, 0.058, 67),
    StateFigures("RI", "Rhode Island", 1_052_567, 0.128, 5),
    StateFigures("SC", "South Carolina", 4_625_364, 0.047, 46),
    StateFigures("SD", "South Dakota", 814_180, 0.027, 66),
    StateFigures("TN", "Tennessee", 6_346_105, 0.045, 95),
    StateFigures("TX", "Texas", 25_145_561, 0.164, 254),
    StateFigures("UT", "Utah", 2_763_885, 0.080, 29),
    StateFigures("VT", "Vermont", 625_741, 0.044, 14),
    StateFigures("VA", "Virginia", 8_001_024, 0.114, 95, independent_cities=38),
    StateFigures("WA", "Washington", 6_724_540, 0.131, 39),
    StateFigures("WV", "West Virginia", 1_852_994, 0.012, 55),
    StateFigures("WI", "Wisconsin", 5_686_986, 0.045, 72),
    StateFigures("WY", "Wyoming", 563_626, 0.028, 23),
)


@dataclass(frozen=True, slots=True)
class AnchorCounty:
    """A real county the story needs by name (the others are synthetic)."""

    state: str
    name: str
    population: int  # [E] 2010 census
    foreign_born_share: float  # [E] ACS 2010, rounded


@dataclass(frozen=True, slots=True)
class GeographyModel:
    """How states are divided into synthetic counties."""

    states: tuple[StateFigures, ...] = STATES
    anchors: tuple[AnchorCounty, ...] = (
        # [D] the first jurisdiction activated (Oct 2008)
        AnchorCounty("TX", "Harris County", 4_092_459, 0.26),
        # [D] the Illinois county not activated in Nov 2009
        AnchorCounty("IL", "Cook County", 5_194_675, 0.21),
    )
    county_size_sigma: float = 1.4
    """[A] log-normal spread of county populations within a state."""
    county_foreign_sigma: float = 0.6
    """[A] log-normal spread of the foreign-born share across a state's counties."""
    county_foreign_size_elasticity: float = 0.25
    """[A] a county's foreign-born share grows as population ** this (cities draw migrants)."""
    border_counties: tuple[tuple[str, int], ...] = (("CA", 2), ("AZ", 4), ("NM", 3), ("TX", 14))
    """[E] counties on the Mexican border, by state (23 in all)."""
    border_foreign_factor: float = 1.8
    """[A] foreign-born share of a border county relative to its state's."""
    max_foreign_share: float = 0.6
    """[A] cap on a county's foreign-born share."""
    seed: int = 20081027
    """[A] seed of the synthetic geography (the same map for every population seed)."""


# -------------------------------------------------------------------------- deployment


@dataclass(frozen=True, slots=True)
class Milestone:
    """Cumulative activations published for a day: jurisdictions and states."""

    on: date
    jurisdictions: int
    states: int | None = None


@dataclass(frozen=True, slots=True)
class ActivationBlock:
    """A state's jurisdictions activated together, then a pause.

    Attributes
    ----------
    state : str
    on : date
        Day the block was activated.
    jurisdictions : int
        Jurisdictions in the block.
    excluded : tuple of str
        Counties (anchor names) never in the block.
    screened : int
        Published fingerprint submissions of the block over
        ``on`` .. ``screened_through``; the block's counties are chosen to match.
    screened_through : date
    resumes_on : date
        Day the state's other jurisdictions may be activated.
    foreign_born_share : float
        Foreign-born share the block's counties are chosen near ([F]: its
        published match rate).
    """

    state: str
    on: date
    jurisdictions: int
    excluded: tuple[str, ...]
    screened: int
    screened_through: date
    resumes_on: date
    foreign_born_share: float


@dataclass(frozen=True, slots=True)
class DeploymentModel:
    """Secure Communities' activation schedule, jurisdiction by jurisdiction."""

    first: tuple[str, str, date] = ("TX", "Harris County", date(2008, 10, 27))
    """[D] Harris County, Texas, first (October 2008; the day is [A])."""
    milestones: tuple[Milestone, ...] = (
        Milestone(date(2008, 10, 31), 14),  # [D] 14 (Oct 2008)
        Milestone(date(2009, 11, 30), 95, 11),  # [D] ~95 in 11 states (Nov 2009)
        Milestone(date(2010, 9, 30), 658, 32),  # [D] 658 in 32 states (Sep 2010)
        Milestone(date(2011, 3, 31), 1_123, 40),  # [D] 1,123 in 40 states (Mar 2011)
        Milestone(date(2011, 5, 31), 1_300, 42),  # [D] ~1,300 in 42 states (May 2011)
        Milestone(date(2011, 8, 31), 1_508, 43),  # [D] 1,508 in 43 states (Aug 2011)
        Milestone(date(2011, 10, 31), 1_595),  # [D] 1,595 (Oct 2011)
    )
    nationwide_on: date = date(2013, 1, 22)
    """[D] nationwide (Jan 2013; the day is [E])."""
    blocks: tuple[ActivationBlock, ...] = (
        # [D] Illinois: 26 counties (not Cook) on 24 Nov 2009, ~100,000 screened to
        # 31 Dec 2010, expansion suspended, MOA terminated 4 May 2011; all MOAs
        # terminated by ICE on 5 Aug 2011 (the day the rest may follow: [A]).
        ActivationBlock(
            "IL",
            date(2009, 11, 24),
            26,
            ("Cook County",),
            100_000,
            date(2010, 12, 31),
            date(2011, 8, 5),
            foreign_born_share=0.178,  # [F] 6,355 matches of ~100,000 screened
        ),
    )
    moa_signed: tuple[tuple[str, date], ...] = (
        ("CA", date(2009, 1, 15)),  # [D] California Jan 2009 (day [A])
        ("IL", date(2009, 11, 2)),  # [D] Illinois Nov 2009 (day [A])
    )
    """MOAs with a published date; other states sign on their first activation [A]."""
    moa_terminated: tuple[tuple[str, date], ...] = (("IL", date(2011, 5, 4)),)  # [D]
    """MOAs terminated by the state itself (ICE's termination of all is
    :attr:`all_moas_terminated_on`)."""
    all_moas_terminated_on: date = date(2011, 8, 5)  # [D]
    opt_outs: tuple[tuple[str, date, str], ...] = (
        ("NY", date(2011, 6, 1), "Governor of New York"),  # [D] suspended (day [E])
        ("MA", date(2011, 6, 3), "Governor of Massachusetts"),  # [D] declined to sign (day [E])
    )
    """Opt-out requests (state, day, who) of states that did not terminate an MOA
    of their own: New York suspended its participation and Massachusetts declined
    to sign. Illinois's opt-out is its termination (:attr:`moa_terminated`)."""
    priority_population: float = 0.5
    """[F] weight of log(population) in the activation order (submissions to Mar 2011)."""
    priority_foreign: float = 1.0
    """[F] weight of logit(foreign-born share) in the activation order (match rate)."""
    priority_noise: float = 1.0
    """[A] spread of the unexplained part of the activation order."""


# -------------------------------------------------------------------------- population


@dataclass(frozen=True, slots=True)
class PopulationModel:
    """Who lives in the United States on 1 Oct 2008."""

    status_shares: tuple[float, ...] = by_status(
        us_born=0.859,  # [E] remainder (ACS 2010: 12.9% foreign-born, + undercount)
        naturalised=0.057,  # [E] 17.5 M naturalised (ACS 2010) / 309 M
        permanent_resident=0.041,  # [E] 12.6 M LPRs (DHS OIS, Jan 2010)
        visa_holder=0.006,  # [E] ~1.9 M temporary migrants (Pew)
        overstay=0.016,  # [E] ~40-45% of 11.2 M unauthorised (Pew 2011, 2006)
        without_inspection=0.018,  # [E] the rest of the unauthorised
        previously_removed=0.003,  # [A] re-entrants after a removal
    )
    """Shares of residents by status (normalised on use)."""
    male_share: tuple[float, ...] = by_status(
        us_born=0.49,  # [E] Census 2010
        naturalised=0.47,  # [E] ACS 2010
        permanent_resident=0.47,  # [E]
        visa_holder=0.55,  # [A]
        overstay=0.53,  # [A]
        without_inspection=0.58,  # [E] Pew: more men among the unauthorised
        previously_removed=0.90,  # [E] DHS: ~90% of removals are men
    )
    age_native: tuple[tuple[int, int, float], ...] = (
        # [E] Census 2010 age structure of the US-born, 5-year bands (lo, hi, share)
        (0, 5, 0.072), (5, 10, 0.072), (10, 15, 0.073), (15, 20, 0.076), (20, 25, 0.072),
        (25, 30, 0.066), (30, 35, 0.059), (35, 40, 0.058), (40, 45, 0.062), (45, 50, 0.070),
        (50, 55, 0.070), (55, 60, 0.063), (60, 65, 0.054), (65, 70, 0.040), (70, 75, 0.030),
        (75, 80, 0.024), (80, 85, 0.019), (85, 95, 0.019),
    )  # fmt: skip
    age_foreign: tuple[tuple[int, int, float], ...] = (
        # [E] ACS 2010 age structure of the foreign-born (working ages)
        (0, 5, 0.005), (5, 10, 0.012), (10, 15, 0.020), (15, 20, 0.030), (20, 25, 0.055),
        (25, 30, 0.085), (30, 35, 0.105), (35, 40, 0.110), (40, 45, 0.110), (45, 50, 0.100),
        (50, 55, 0.085), (55, 60, 0.070), (60, 65, 0.055), (65, 70, 0.040), (70, 75, 0.035),
        (75, 80, 0.030), (80, 85, 0.025), (85, 95, 0.018),
    )  # fmt: skip
    years_in_us: tuple[float, ...] = by_status(
        us_born=0.0,
        naturalised=15.0,  # [A] mean years since entry beyond the 5-year minimum
        permanent_resident=10.0,  # [A] mean years since entry
        visa_holder=3.0,  # [A]
        overstay=8.0,  # [A]
        without_inspection=9.0,  # [A]
        previously_removed=4.0,  # [A] mean years since the last re-entry
    )
    """Mean (exponential) years since the last entry."""
    born_in_state_share: float = 0.70
    """[E] share of the US-born living in their state of birth (Census ~ 2/3)."""
    countries_lawful: tuple[tuple[str, float], ...] = (
        # [E] ACS 2010 foreign-born by country of birth, rounded: naturalised, LPRs, visas
        ("MX", 0.20), ("IN", 0.06), ("PH", 0.06), ("CN", 0.06), ("VN", 0.04), ("KR", 0.035),
        ("CU", 0.035), ("DO", 0.03), ("SV", 0.025), ("CA", 0.025), ("GB", 0.025), ("JM", 0.02),
        ("DE", 0.02), ("CO", 0.02), ("HT", 0.02), ("PL", 0.015), ("RU", 0.015), ("PK", 0.01),
        ("IR", 0.01), ("BR", 0.01), ("NG", 0.01), ("PE", 0.012), ("EC", 0.012), ("GT", 0.012),
        ("HN", 0.008), ("JP", 0.012), ("TW", 0.012), ("IT", 0.012), ("UA", 0.01), ("GY", 0.008),
        ("TT", 0.007), ("BD", 0.006), ("ET", 0.006), ("EG", 0.005), ("FR", 0.005), ("NI", 0.008),
        ("VE", 0.006), ("GH", 0.005), ("KE", 0.004), ("IL", 0.004), ("IE", 0.004), ("GR", 0.004),
    )  # fmt: skip
    countries_overstay: tuple[tuple[str, float], ...] = (
        # [E] DHS OIS / Pew: overstays come from everywhere, Mexico first
        ("MX", 0.30), ("IN", 0.07), ("PH", 0.05), ("CN", 0.05), ("KR", 0.05), ("BR", 0.04),
        ("CO", 0.03), ("PE", 0.03), ("GT", 0.03), ("SV", 0.03), ("VE", 0.02), ("EC", 0.02),
        ("PL", 0.02), ("GB", 0.02), ("CA", 0.02), ("JM", 0.02), ("HT", 0.02), ("NG", 0.02),
        ("DO", 0.02), ("HN", 0.02), ("VN", 0.02), ("PK", 0.02), ("RU", 0.01), ("UA", 0.01),
        ("TT", 0.01), ("GH", 0.01), ("JP", 0.005), ("IE", 0.005),
    )  # fmt: skip
    countries_without_inspection: tuple[tuple[str, float], ...] = (
        # [E] DHS OIS unauthorised estimates 2010 (Mexico 62%, then Central America)
        ("MX", 0.72), ("GT", 0.08), ("SV", 0.08), ("HN", 0.06), ("EC", 0.015), ("BR", 0.01),
        ("DO", 0.01), ("NI", 0.01), ("CO", 0.01), ("CU", 0.005),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class NameModel:
    """Which name lists the US-born draw from (shares of the US-born)."""

    us_born_hispanic: float = 0.11  # [E] Census 2010: US-born Hispanics / US-born
    us_born_east_asian: float = 0.01  # [E]
    us_born_south_asian: float = 0.004  # [E]
    us_born_filipino: float = 0.003  # [E]


# ------------------------------------------------------------------------------ IDENT


@dataclass(frozen=True, slots=True)
class IdentModel:
    """Who has ten-prints in IDENT, and since when."""

    coverage: tuple[float, ...] = by_status(
        us_born=0.004,  # [A] trusted-traveller enrolment during the scenario
        naturalised=0.20,  # [F] match rate (older naturalisations predate IDENT)
        permanent_resident=0.30,  # [F] match rate (older LPRs predate IDENT)
        visa_holder=0.95,  # [A] biometric visas and US-VISIT since 2004
        overstay=0.60,  # [F] match rate (entries before 2004 left no prints)
        without_inspection=0.50,  # [F] match rate (share ever apprehended)
        previously_removed=1.0,  # [A] every removal is fingerprinted
    )
    """Share of each status with at least one IDENT encounter."""
    ident_start: date = date(1994, 1, 1)
    """[E] IDENT in use by the Border Patrol (approximate)."""
    us_visit_start: date = date(2004, 1, 5)
    """[E] US-VISIT began capturing visitors' prints at ports of entry."""
    trusted_traveller_start: date = date(2008, 6, 10)
    """[E] Global Entry pilot began (approximate)."""
    apprehension_before_entry_years: float = 2.0
    """[A] apprehensions fall within this many years before the (last) entry."""


# ---------------------------------------------------------------------------- arrests


@dataclass(frozen=True, slots=True)
class ArrestModel:
    """How often, when and where people are arrested and booked."""

    bookings_per_resident_year: float = 0.0275
    """[F] 7,225,393 submissions to Mar 2011 [D]. Below the FBI UCR 2009 arrest rate
    (13,687,241 arrests, 86.9% adults, / 307 M residents = 0.0387 [E]): not every
    arrest leads to a fingerprinted jail booking."""
    status_multiplier: tuple[float, ...] = by_status(
        us_born=1.0,
        naturalised=0.45,  # [A] immigrants are arrested less often than the US-born
        permanent_resident=0.55,  # [A]
        visa_holder=0.30,  # [A]
        overstay=0.65,  # [F] match rate
        without_inspection=1.15,  # [F] match rate, custody volume
        previously_removed=1.5,  # [F] custody volume (re-entrants with records)
    )
    """Arrest intensity relative to the US-born of the same age and sex."""
    female_multiplier: float = 0.34
    """[E] UCR 2009: 74.7% of arrestees male."""
    age_intensity: tuple[tuple[int, int, float], ...] = (
        # [E] UCR 2009 arrests per resident by age, relative (18-120 only: adults)
        (18, 21, 2.4), (21, 25, 2.2), (25, 30, 1.7), (30, 35, 1.35), (35, 40, 1.15),
        (40, 45, 1.0), (45, 50, 0.85), (50, 55, 0.55), (55, 60, 0.30), (60, 65, 0.15),
        (65, 120, 0.05),
    )  # fmt: skip
    heterogeneity_shape: float = 0.25
    """[A] gamma shape of individual arrest propensity (mean 1): most people are
    never arrested, a few many times; ~1/3 of adults get an arrest record [E]."""
    local_share: float = 0.85
    """[A] share of arrests in the county of residence (else elsewhere in the state)."""
    history_start: date = date(1975, 1, 1)
    """[A] earliest arrest kept in criminal histories."""


@dataclass(frozen=True, slots=True)
class OffenceModel:
    """Relative frequency of each NCIC arrest charge (percent of adult bookings).

    [E] FBI UCR 2009 arrests by offence (Crime in the United States, Table 29),
    split over codes by [A]; the UCR "all other offences" (27.5%) is split
    over warrants, violations, traffic and public order by [A].
    """

    weights: tuple[tuple[str, float], ...] = (
        ("0399", 0.30),
        ("0909", 0.02), ("0911", 0.05), ("0912", 0.04),  # murder 0.09%
        ("1005", 0.03), ("1006", 0.05), ("1008", 0.02),
        ("1103", 0.08), ("1199", 0.08),  # rape 0.16%
        ("1201", 0.20), ("1204", 0.30), ("1206", 0.30), ("1299", 0.13),  # robbery 0.93%
        ("1302", 0.70), ("1304", 0.80), ("1305", 1.58),  # aggravated assault 3.08%
        ("1313", 8.89), ("1316", 0.50), ("1601", 0.25),  # other assaults 9.64%
        ("2099", 0.09), ("2101", 0.01), ("2199", 0.01),
        ("2202", 1.00), ("2203", 0.70), ("2299", 0.49),  # burglary 2.19%
        ("2303", 6.50), ("2399", 3.25), ("2499", 0.60),  # larceny 9.75%, vehicle 0.60%
        ("2599", 0.63), ("2699", 1.54), ("2799", 0.13), ("2899", 0.77), ("2999", 1.98),
        ("3510", 0.30), ("3512", 0.90), ("3530", 0.60), ("3531", 0.05), ("3532", 2.00),
        ("3550", 0.30), ("3560", 0.50), ("3562", 5.20), ("3571", 0.36), ("3573", 0.70),
        ("3599", 0.84),
        ("3601", 0.25), ("3699", 0.31), ("3802", 0.30), ("3899", 0.54), ("3999", 0.08),
        ("4099", 0.52), ("4104", 2.00), ("4199", 2.17),
        ("4801", 2.00), ("4901", 0.10), ("5011", 1.50), ("5012", 4.00), ("5015", 4.00),
        ("5202", 0.70), ("5299", 0.52), ("5311", 4.79), ("5399", 4.34),
        ("5401", 0.30), ("5403", 1.00), ("5404", 9.50), ("5499", 6.00),
        ("5707", 2.50), ("7399", 7.00),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class DispositionModel:
    """How charges end in court."""

    felony_convicted: float = 0.51
    """[F] Level 1 share of matches (71,197 / 477,035); BJS felony defendants in large
    urban counties, 2009: about 2/3 convicted, most of a felony [E]."""
    felony_convicted_lesser: float = 0.17
    """[E] the rest of those convicted, of a misdemeanour."""
    misdemeanour_convicted: float = 0.55
    """[A] share of misdemeanour charges ending in a conviction."""
    felony_delay_days: float = 150.0
    """[A] mean days from arrest to disposition, felony charge."""
    misdemeanour_delay_days: float = 45.0
    """[A] mean days from arrest to disposition, misdemeanour charge."""
    felony_sentence_fraction: tuple[float, float] = (0.05, 0.5)
    """[A] custodial sentence as a uniform fraction of the maximum (life: 40 years)."""
    misdemeanour_custody_share: float = 0.5
    """[A] share of misdemeanour convictions with jail time (else fine or probation)."""


# ---------------------------------------------------------------------------- outcomes


@dataclass(frozen=True, slots=True)
class StateEnforcement:
    """A state's ICE field office, relative to the national custody and removal rates."""

    state: str
    custody_factor: float
    removal_factor: float


@dataclass(frozen=True, slots=True)
class OutcomeModel:
    """What ICE does after an IDENT match (the removal-outcome model).

    A matched person is taken into ICE custody when the jail releases them:
    with probability ``pretrial_transfer_share`` before the criminal case is
    disposed of (on the detainer, ``pretrial_transfer_days`` later on
    average), otherwise on the disposition day plus the time served. Their
    level is Level 1 if the match counted at Level 1 (ICE's "charged or
    convicted" rule), else their conviction level on that day. If removable (unauthorised
    statuses always; permanent residents and visa holders at the levels
    flagged below) ICE books them with probability ``custody_rate[level]``
    times the state's factor, and removes them with probability
    ``removal_rate[level]`` (times the state's factor),
    ``removal_delay_days`` later on average. Citizens are never removed,
    but ICE wrongly takes a few into custody.
    """

    custody_rate: tuple[float, ...] = by_level(
        level_1=1.0,  # [F] custody to Mar 2011 (Level 1 by difference)
        level_2=0.45,  # [F] L2 24,884 of non-L1 custody (to Feb 2011)
        level_3=0.60,  # [F] L3 49,019 of non-L1 custody
        non_criminal=0.60,  # [F] non-criminal 52,603 of non-L1 custody
    )
    removal_rate: tuple[float, ...] = by_level(
        level_1=0.45,  # [F] removals: 21% Level 1 (to Jun 2010)
        level_2=0.76,  # [F] removed to Mar 2011: 101,741, 72,445 convicted
        level_3=0.76,  # [F]
        non_criminal=0.53,  # [F] removals: 26% non-criminal (Jun 2010), 28.8% (Mar 2011)
    )
    pretrial_transfer_share: float = 0.6
    """[F] share transferred to ICE before disposition (non-criminal custody share)."""
    pretrial_transfer_days: float = 3.0
    """[A] mean days from booking to transfer (48-hour detainer, weekends)."""
    sentence_served_share: float = 0.5
    """[A] share of a custodial sentence served before release to ICE."""
    removal_delay_days: float = 60.0
    """[A] mean days in ICE custody before removal."""
    permanent_resident_removable: tuple[bool, ...] = (True, True, False, False)
    """[A] levels at which a permanent resident is removable (aggravated felonies, felonies)."""
    visa_holder_removable: tuple[bool, ...] = (True, True, True, False)
    """[A] levels at which a visa holder is removable (any conviction)."""
    citizen_custody_rate: float = 0.034
    """[F] ~3,600 US citizens arrested through the program (Warren Institute, Oct 2011) [D]."""
    states: tuple[StateEnforcement, ...] = (
        # [F] Illinois: 1,430 charged and >430 removed of 6,355 matches [D]
        StateEnforcement("IL", custody_factor=0.57, removal_factor=0.70),
    )


# ------------------------------------------------------------------------------ whole


@dataclass(frozen=True, slots=True)
class Calibration:
    """The whole model. Replace parts with :func:`dataclasses.replace`."""

    start: date = date(2008, 10, 1)
    """[D] first day of the scenario: the statistics are cumulative from Oct 2008."""
    end: date = date(2013, 12, 31)
    """[A] last day of the scenario (after nationwide activation, Jan 2013 [D])."""
    geography: GeographyModel = field(default_factory=GeographyModel)
    deployment: DeploymentModel = field(default_factory=DeploymentModel)
    population: PopulationModel = field(default_factory=PopulationModel)
    names: NameModel = field(default_factory=NameModel)
    ident: IdentModel = field(default_factory=IdentModel)
    arrests: ArrestModel = field(default_factory=ArrestModel)
    offences: OffenceModel = field(default_factory=OffenceModel)
    dispositions: DispositionModel = field(default_factory=DispositionModel)
    outcomes: OutcomeModel = field(default_factory=OutcomeModel)


CALIBRATION = Calibration()
"""The default calibration (fitted to the figures in ``docs/domain.md``)."""
