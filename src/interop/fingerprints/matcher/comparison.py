"""1:1 comparison of prepared templates: MCC local similarities, LSS-R global score.

Global score (Cappelli, Ferrara, Maltoni 2010, Section 5, "LSS-R"):

1. local similarity of every pair of valid cylinders whose minutiae differ
   in direction by at most δ_θ and share at least min_ME valid cells;
2. the n_R = min(n_A, n_B) pairs of highest local similarity;
3. n_rel rounds of relaxation, each pair's similarity pulled towards the
   similarities of the pairs geometrically compatible with it (ρ);
4. the score is the mean relaxed similarity of the n_P pairs whose
   similarity the relaxation raised most (the most "efficient" ones).
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt

from interop.fingerprints.matcher import _kernels as k
from interop.fingerprints.matcher.calibration import calibrate
from interop.fingerprints.matcher.cylinders import (
    PreparedTemplate,
    cell_offsets,
    prepare,
)
from interop.fingerprints.matcher.parameters import DEFAULT_PARAMETERS, MatcherParameters
from interop.fingerprints.template import Template


@functools.lru_cache(maxsize=16)
def _config(params: MatcherParameters) -> npt.NDArray[np.float64]:
    """The kernel's configuration vector for ``params`` (slots named in ``_kernels``)."""
    cfg = np.zeros(k.CONFIG_SIZE, dtype=np.float64)
    cfg[k.CFG_COS_MAX_DIRECTION_DIFFERENCE] = np.cos(params.max_direction_difference_rad)
    cfg[k.CFG_MIN_MATCHABLE_BITS] = (
        np.ceil(params.min_matchable_cell_ratio * cell_offsets(params).shape[0])
        * params.direction_cells
    )
    cfg[k.CFG_MIN_PAIRED] = params.min_paired_minutiae
    cfg[k.CFG_MAX_PAIRED] = params.max_paired_minutiae
    cfg[k.CFG_PAIRED_MU] = params.paired_sigmoid_mu_minutiae
    cfg[k.CFG_PAIRED_TAU] = params.paired_sigmoid_tau_per_minutia
    cfg[k.CFG_RELAXATION_ITERATIONS] = params.relaxation_iterations
    cfg[k.CFG_RELAXATION_WEIGHT] = params.relaxation_weight
    cfg[k.CFG_RHO_DISTANCE_MU] = params.compatibility_distance_mu_px
    cfg[k.CFG_RHO_DISTANCE_TAU] = params.compatibility_distance_tau_per_px
    cfg[k.CFG_RHO_DIRECTION_MU] = params.compatibility_direction_mu_rad
    cfg[k.CFG_RHO_DIRECTION_TAU] = params.compatibility_direction_tau_per_rad
    cfg[k.CFG_RHO_RADIAL_MU] = params.compatibility_radial_mu_rad
    cfg[k.CFG_RHO_RADIAL_TAU] = params.compatibility_radial_tau_per_rad
    cfg[k.CFG_CONSOLIDATION_ANCHORS] = params.consolidation_anchors
    cfg[k.CFG_MATE_DISTANCE] = params.mate_max_distance_px
    cfg[k.CFG_MATE_ANGLE] = params.mate_max_angle_rad
    cfg[k.CFG_CONSOLIDATION_WEIGHT] = params.consolidation_weight
    cfg[k.CFG_OVERLAP_DISTANCE] = params.overlap_distance_px
    cfg[k.CFG_MIN_OVERLAP_MINUTIAE] = params.min_overlap_minutiae
    cfg.setflags(write=False)
    return cfg


def similarity(a: PreparedTemplate, b: PreparedTemplate) -> float:
    """Uncalibrated similarity in [0, 1] (symmetric; see :func:`compare`)."""
    params = a.parameters
    if params is not b.parameters and params != b.parameters:
        raise ValueError("templates were prepared with different MatcherParameters")
    if b.order_key < a.order_key:
        a, b = b, a
    return float(
        k.lss_r_score(
            a.cylinders,
            a.geometry,
            a.distances,
            a.radial,
            a.hull,
            a.keys,
            a.geometry.shape[0],
            b.cylinders,
            b.geometry,
            b.distances,
            b.radial,
            b.hull,
            b.keys,
            b.geometry.shape[0],
            _config(params),
        )
    )


def compare(a: PreparedTemplate, b: PreparedTemplate) -> float:
    """Calibrated similarity of two prepared templates.

    The score is on the scale of :mod:`interop.fingerprints.matcher.calibration`:
    accepting scores ``>= t`` gives a false-match rate of about ``10**(-t/10)``
    (t = 20: FMR ≈ 1%, t = 30: ≈ 0.1%). It lies in ``[0, MAX_SCORE]`` and is
    exactly symmetric: ``compare(a, b) == compare(b, a)``.

    Raises
    ------
    ValueError
        If ``a`` and ``b`` were prepared with different parameters.
    """
    return calibrate(similarity(a, b))


def compare_templates(
    a: Template, b: Template, params: MatcherParameters = DEFAULT_PARAMETERS
) -> float:
    """:func:`compare` of two unprepared templates (prepares both each call)."""
    return compare(prepare(a, params), prepare(b, params))
