"""Every tuned number of the comparison engine, with its unit in its name.

The defaults are the bit-based Minutia Cylinder-Code of Cappelli, Ferrara and
Maltoni (TPAMI 2010, Table 2 and Section 5) with the LSS-R global score, plus
the consolidation step described in :mod:`interop.fingerprints.matcher.comparison`.
One deviation from the paper's table: N_S = 12 cells per side instead of 16,
which on FVC2002 DB1-4_B gives the same error rates (mean EER 1.72% against
1.73%) with 11 instead of 20 words per cylinder, about 10% faster comparisons
and 25% smaller prepared templates (``benchmarks/compare_throughput.py``).
Lengths are pixels at 500 ppi; templates at another resolution are rescaled
by :func:`~interop.fingerprints.matcher.prepare`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class MatcherParameters:
    """Parameters of cylinder construction, local similarity and global score.

    Changing any field changes the prepared templates: compare only templates
    prepared with equal parameters.
    """

    # --- Cylinders (paper Section 3) ------------------------------------
    #: Lengths below are in pixels at this resolution.
    resolution_ppi: int = 500
    #: R, radius of the cylinder base.
    cylinder_radius_px: float = 70.0
    #: N_S, cells along each side of the cylinder base square (paper: 16).
    spatial_cells_per_side: int = 12
    #: N_D, cells along the direction axis (covering 2π).
    direction_cells: int = 6
    #: σ_S, spatial spread of a neighbour's contribution.
    spatial_sigma_px: float = 28.0 / 3.0
    #: σ_D, directional spread of a neighbour's contribution.
    direction_sigma_rad: float = 2.0 * math.pi / 9.0
    #: μ_Ψ, a cell's bit is set when the summed contribution reaches this.
    #: (The paper's τ_Ψ belongs to the real-valued sigmoid Ψ; the bit-based
    #: cylinders use the step function Ψ_B, so it has no role here.)
    contribution_threshold: float = 1.0 / 100.0
    #: Neighbours farther than this many σ_S from a cell centre are ignored.
    neighbourhood_sigmas: float = 3.0
    #: Ω, margin around the convex hull of the minutiae inside which cells are valid.
    hull_margin_px: float = 50.0
    #: min_VC as a fraction of the cells whose centre lies within R.
    min_valid_cell_ratio: float = 0.75
    #: min_M, other minutiae needed within R + 3σ_S for a cylinder to be valid.
    min_neighbour_minutiae: int = 2

    # --- Local similarity (paper Section 4) -----------------------------
    #: δ_θ, cylinders of minutiae whose directions differ more are not compared.
    max_direction_difference_rad: float = math.pi / 2.0
    #: min_ME, cells valid in both cylinders needed (as a fraction of the cells
    #: within R) for two cylinders to be matchable.
    min_matchable_cell_ratio: float = 0.60

    # --- Global score, LSS-R (paper Section 5) --------------------------
    #: n_P = min + round(Z(min(n_A, n_B); μ_P, τ_P) * (max - min)).
    min_paired_minutiae: int = 4
    max_paired_minutiae: int = 12
    paired_sigmoid_mu_minutiae: float = 20.0
    paired_sigmoid_tau_per_minutia: float = 2.0 / 5.0
    #: n_rel and w_R of the relaxation.
    relaxation_iterations: int = 5
    relaxation_weight: float = 0.5
    #: ρ, compatibility of two pairs: product of three sigmoids Z(d; μ, τ) of
    #: the differences in distance, relative direction and radial angle.
    compatibility_distance_mu_px: float = 5.0
    compatibility_distance_tau_per_px: float = -8.0 / 5.0
    compatibility_direction_mu_rad: float = math.pi / 12.0
    compatibility_direction_tau_per_rad: float = -30.0
    compatibility_radial_mu_rad: float = math.pi / 12.0
    compatibility_radial_tau_per_rad: float = -30.0

    # --- Consolidation (not in the paper) -------------------------------
    #: The final score is LSS-R^(1-w) * (m^2 / (n_A n_B))^w, m the most
    #: minutiae paired one-to-one under the rigid alignment given by one of
    #: the ``consolidation_anchors`` best relaxed pairs (w = 0: plain LSS-R).
    consolidation_weight: float = 0.3
    consolidation_anchors: int = 3
    mate_max_distance_px: float = 12.0
    mate_max_angle_rad: float = 0.3
    #: Overlap normalisation: n_A, n_B count only the minutiae within this
    #: distance of a minutia of the other (aligned) template...
    overlap_distance_px: float = 15.0
    #: ... but at least this many.
    min_overlap_minutiae: float = 15.0

    def __post_init__(self) -> None:
        positive = {
            "resolution_ppi": self.resolution_ppi,
            "cylinder_radius_px": self.cylinder_radius_px,
            "spatial_cells_per_side": self.spatial_cells_per_side,
            "direction_cells": self.direction_cells,
            "spatial_sigma_px": self.spatial_sigma_px,
            "direction_sigma_rad": self.direction_sigma_rad,
            "contribution_threshold": self.contribution_threshold,
            "neighbourhood_sigmas": self.neighbourhood_sigmas,
            "min_paired_minutiae": self.min_paired_minutiae,
        }
        for name, value in positive.items():
            if not value > 0:
                raise ValueError(f"{name} must be positive, got {value!r}")
        if self.max_paired_minutiae < self.min_paired_minutiae:
            raise ValueError(
                "max_paired_minutiae must be >= min_paired_minutiae, got "
                f"{self.max_paired_minutiae!r} < {self.min_paired_minutiae!r}"
            )
        for name in ("min_valid_cell_ratio", "min_matchable_cell_ratio", "consolidation_weight"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value!r}")
        for name in (
            "hull_margin_px",
            "relaxation_iterations",
            "min_neighbour_minutiae",
            "max_direction_difference_rad",
            "consolidation_anchors",
            "mate_max_distance_px",
            "mate_max_angle_rad",
            "overlap_distance_px",
            "min_overlap_minutiae",
        ):
            value = getattr(self, name)
            if not value >= 0:
                raise ValueError(f"{name} must be >= 0, got {value!r}")
        if not 0.0 <= self.relaxation_weight <= 1.0:
            raise ValueError(f"relaxation_weight must be in [0, 1], got {self.relaxation_weight!r}")


DEFAULT_PARAMETERS = MatcherParameters()
"""The parameters :func:`~interop.fingerprints.matcher.prepare` uses by default."""
