"""The synthetic population against the program's published figures, over seeds.

Generates ``--seeds`` scenarios of ``--people`` people (and, for Illinois, a
population living in the 26 counties activated on 24 Nov 2009) and prints,
for each figure the calibration in ``src/interop/population/calibration.py``
is fitted to, the mean, standard deviation and range over the seeds beside
the published value (``../shared/docs/domain.md``). The tolerances of
``tests/population/`` are about three of these standard deviations.

Usage::

    .venv/bin/python benchmarks/population_calibration.py [--people 3000000]
        [--illinois-people 400000] [--seeds 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date

import numpy as np

from interop.population.scenario import Scenario

PUBLISHED = {
    "submissions to Mar 2011": "7,225,393",
    "match rate to Mar 2011": "~0.066-0.070",
    "matches to Feb 2011": "477,035",
    "Level 1 share of matches, Feb 2011": "0.149",
    "non-criminal share of non-L1 custody, Feb 2011": "0.416",
    "Level 2 share of non-L1 custody, Feb 2011": "0.197",
    "Level 3 share of non-L1 custody, Feb 2011": "0.387",
    "ICE custody to Mar 2011": "197,302",
    "removed to Jun 2010": "46,929",
    "non-criminal share of removals, Jun 2010": "0.262",
    "Level 1 share of removals, Jun 2010": "0.209",
    "removed to Mar 2011": "101,741",
    "non-criminal share of removals, Mar 2011": "0.288",
    "removed to Mar 2012": "~183,000",
    "non-criminal share of removals, Mar 2012": "~0.26",
    "US citizens in ICE custody to Oct 2011": "~3,600",
    "Illinois screened, 24 Nov 2009 - Dec 2010": "~100,000",
    "Illinois match rate (26 counties)": "0.0636",
    "Illinois charged per match": "0.225",
    "Illinois removed per match": ">= 0.068",
}


def measure(people: int, illinois_people: int, seed: int) -> dict[str, float]:
    """Every figure of :data:`PUBLISHED` for one seed."""
    sc = Scenario(people, seed)
    table = sc.booking_table()
    s = sc.scale
    mar11 = sc.statistics(date(2011, 3, 31), table=table)
    feb11 = sc.statistics(date(2011, 2, 28), table=table)
    jun10 = sc.statistics(date(2010, 6, 30), table=table)
    mar12 = sc.statistics(date(2012, 3, 31), table=table)
    oct11 = sc.statistics(date(2011, 10, 31), table=table)
    il = sc.statistics(date(2010, 12, 31), since=date(2009, 11, 24), states={"IL"}, table=table)
    custody = feb11.custody
    non_l1 = sum(custody[1:])
    counties = [
        j.ori for j in sc.jurisdictions if j.state == "IL" and j.activated_on == date(2009, 11, 24)
    ]
    il_only = Scenario(illinois_people, seed, residence=counties).statistics(
        date(2010, 12, 31), since=date(2009, 11, 24), states={"IL"}
    )
    values = [
        mar11.submissions * s,
        mar11.match_rate,
        feb11.matches * s,
        feb11.level_1_share_of_matches,
        custody[3] / non_l1,
        custody[1] / non_l1,
        custody[2] / non_l1,
        mar11.custody_total * s,
        jun10.removals_total * s,
        jun10.non_criminal_share_of_removals,
        jun10.level_1_share_of_removals,
        mar11.removals_total * s,
        mar11.non_criminal_share_of_removals,
        mar12.removals_total * s,
        mar12.non_criminal_share_of_removals,
        oct11.citizens_in_custody * s,
        il.submissions * s,
        il_only.match_rate,
        il_only.custody_total / il_only.matches,
        il_only.removals_total / il_only.matches,
    ]
    return dict(zip(PUBLISHED, (float(v) for v in values), strict=True))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=3_000_000)
    ap.add_argument("--illinois-people", type=int, default=400_000)
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args(argv)
    runs = []
    for seed in range(1, args.seeds + 1):
        t0 = time.perf_counter()
        runs.append(measure(args.people, args.illinois_people, seed))
        print(f"seed {seed}: {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    print(f"{'figure':48s} {'published':>12s} {'mean':>12s} {'sd':>10s} {'min':>12s} {'max':>12s}")
    for name, published in PUBLISHED.items():
        v = np.array([r[name] for r in runs])
        sd = v.std(ddof=1) if v.size > 1 else float("nan")
        print(
            f"{name:48s} {published:>12s} {v.mean():12.4g} {sd:10.3g} {v.min():12.4g} "
            f"{v.max():12.4g}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
