"""Every tuned number of fingerprint synthesis, in one place.

Lengths are pixels at 500 ppi (``_px``), angles radians (``_rad``), grey
levels 0..255 (``_grey``). A pair ``(low, high)`` is the range of a uniform
random draw; a ``_sd`` is the standard deviation of a normal draw. Values
follow SFinGe's published ranges where there are any (Cappelli, Maio &
Maltoni 2000-2004; Maltoni et al., *Handbook of Fingerprint Recognition*,
3rd ed., ch. 7) and otherwise typical 500-ppi live-scan images.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any

Range = tuple[float, float]


@dataclass(frozen=True, slots=True)
class MasterParameters:
    """Parameters of :func:`interop.fingerprints.synth.master_fingerprint`."""

    # --- canvas and finger shape ---------------------------------------------
    canvas_height_px: int = 432
    canvas_width_px: int = 336
    """The master covers the whole fingertip plus a margin; impressions crop it."""
    finger_half_width_px: Range = (128.0, 150.0)
    finger_half_height_px: Range = (180.0, 204.0)
    """Semi-axes of the fingertip silhouette (about 15 x 20 mm)."""
    finger_bottom_exponent: float = 3.5
    """Super-ellipse exponent of the silhouette's lower half (squarer than
    the round top, where the finger is cut by the crease)."""

    # --- singular points (offsets from the canvas centre, y down) ------------
    loop_core_dx_sd_px: float = 28.0
    loop_core_dy_px: Range = (-70.0, -20.0)
    loop_delta_below_core_px: Range = (80.0, 140.0)
    loop_delta_side_px: Range = (60.0, 120.0)
    """A loop's delta lies this far below and to one side of its core."""
    tented_core_dy_px: Range = (-50.0, 0.0)
    tented_delta_below_core_px: Range = (30.0, 60.0)
    tented_delta_dx_sd_px: float = 6.0
    whorl_centre_dy_px: Range = (-50.0, -10.0)
    whorl_core_separation_px: Range = (16.0, 44.0)
    whorl_core_tilt_rad: Range = (0.6, 2.5)
    """Direction of the core-to-core segment (pi/2: one above the other)."""
    whorl_delta_below_px: Range = (80.0, 130.0)
    whorl_delta_side_px: Range = (90.0, 130.0)
    arch_height_px: Range = (45.0, 85.0)
    """Height of the bump of a plain arch's ridges."""
    arch_width_px: Range = (55.0, 85.0)
    """Standard deviation of the arch bump's Gaussian profile."""
    arch_centre_dy_px: Range = (-40.0, 20.0)

    # --- orientation ----------------------------------------------------------
    background_rotation_sd_rad: float = 0.12
    """Whole-field rotation (the finger is never perfectly upright)."""
    correction_sd_rad: float = 0.15
    correction_scale_px: float = 60.0
    """Smooth random correction of the zero-pole field: its standard
    deviation and the Gaussian correlation length of the noise."""

    # --- ridge period -----------------------------------------------------------
    period_px: Range = (7.8, 10.4)
    """Mean ridge period of a finger (about 0.45 mm at 500 ppi)."""
    period_increase_px: float = 0.9
    """How much longer the period is at the bottom than at the top."""
    period_variation_sd_px: float = 0.35
    period_variation_scale_px: float = 45.0
    period_limits_px: Range = (7.2, 11.0)

    # --- ridge growth (iterative contextual Gabor filtering) -------------------
    gabor_orientations: int = 16
    """Orientation bins over [0, pi); each pixel blends its two nearest."""
    gabor_periods_px: tuple[float, ...] = (7.5, 9.0, 10.5)
    """Period bins; each pixel blends its two nearest."""
    gabor_sigma_along_px: float = 4.0
    gabor_sigma_across_px: float = 3.2
    growth_band_px: int = 48
    """Height of the bands the filtering is cut into (only pixels that use a
    filter are filtered with it, band by band; a speed setting)."""
    growth_gain: float = 2.5
    """Gain of the filter response before soft clipping (> 1 to grow)."""
    seed_count: Range = (150.0, 250.0)
    """Number of random starting points of the ridge growth."""
    seed_radius_px: int = 2
    max_iterations: int = 40
    fill_fraction: float = 0.99
    """Growth stops once this share of the finger has grown."""
    settle_iterations: int = 3
    """Rounds run after the finger has filled, so the last-grown patches
    (often where fronts met) settle into clean ridges."""
    saturation_level: float = 0.6
    fill_window_px: int = 5
    """A pixel has grown when |value| reaches ``saturation_level`` somewhere
    in the square window of this side centred on it."""

    # --- ridge interruptions ----------------------------------------------------
    ridge_breaks: Range = (30.0, 60.0)
    """Number of breaks cut into grown ridges. Growth alone leaves ridges
    unrealistically continuous, with minutiae only where ridges spread or
    merge, so the minutiae of different fingers of a class point the same
    ways at the same places (impostor scores too high: BENCHMARKS.md §2);
    a break adds two facing ridge endings anywhere on the finger."""
    ridge_break_length_periods: Range = (1.8, 4.0)
    """Length of a break in local ridge periods (shorter gaps are bridged
    by the extractor's ridge filters, as by an examiner's eye)."""
    ridge_break_width_periods: float = 0.7
    """Width of the cut across the ridge: wider than the ridge, narrower than
    the distance to the neighbouring ridges' edges."""

    def to_json(self) -> str:
        """Serialise to a JSON object string."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> MasterParameters:
        """Inverse of :meth:`to_json`; unknown keys raise ``TypeError``."""
        return cls(**_tuples(cls, json.loads(text)))


@dataclass(frozen=True, slots=True)
class ImpressionParameters:
    """Parameters of :func:`interop.fingerprints.synth.impression`."""

    height_px: int = 400
    width_px: int = 304
    """Output image size (a 500-ppi optical sensor, about 15 x 20 mm)."""

    # --- placement --------------------------------------------------------------
    max_translation_px: float = 30.0
    """Largest shift of the finger in x and in y."""
    max_rotation_rad: float = 0.26
    """Largest rotation of the finger (about 15 degrees)."""

    # --- contact region ---------------------------------------------------------
    contact_half_width_px: Range = (90.0, 135.0)
    contact_half_height_px: Range = (120.0, 180.0)
    contact_centre_sd_px: float = 20.0
    contact_edge_px: float = 20.0
    """Width of the fade between contact and no contact."""
    contact_roughness: float = 0.08
    """Relative random wobble of the contact outline."""

    # --- non-linear distortion (Cappelli, Maio & Maltoni 2001, in spirit) ------
    distortion_px: Range = (3.0, 10.0)
    """Typical displacement at the border of the contact region."""
    distortion_exponent: float = 2.0
    distortion_saturation: float = 1.5
    """The displacement grows as (relative distance from the contact centre)
    to this power, up to this relative distance (1 = contact border)."""
    distortion_scale_px: float = 50.0
    """Correlation length of the random displacement field."""

    # --- skin condition ------------------------------------------------------------
    ridge_profile_px: float = 1.5
    """Gaussian sigma rounding the master's square ridge profile, so that
    the binarisation level below sets the ridge width gradually."""
    ridge_threshold_sd: float = 0.2
    """Per-impression shift of the ridge binarisation level (dry/wet)."""
    ridge_threshold_variation_sd: float = 0.2
    ridge_threshold_variation_scale_px: float = 30.0
    """Smooth local variation of that level (uneven pressure)."""
    ridge_threshold_limit: float = 0.4
    """The level stays within +-this, so neither ridges nor valleys vanish."""
    morphology_probability: float = 0.4
    """Chance of a 3 x 3 erosion (dry) or dilation (wet) of the ridges."""
    erosion_share: float = 0.5
    """Of those, the share that are erosions."""
    ridge_blur_px: float = 0.9
    """Gaussian sigma softening the ridge/valley edge."""

    # --- grey levels and noise -------------------------------------------------------
    ridge_grey: Range = (40.0, 90.0)
    valley_grey: Range = (180.0, 230.0)
    background_grey: Range = (215.0, 245.0)
    noise_sd_grey: Range = (5.0, 16.0)
    blur_px: Range = (0.4, 0.9)
    """Gaussian sigma of the sensor's point spread."""

    def to_json(self) -> str:
        """Serialise to a JSON object string."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ImpressionParameters:
        """Inverse of :meth:`to_json`; unknown keys raise ``TypeError``."""
        return cls(**_tuples(cls, json.loads(text)))


def _tuples(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """JSON lists back to the tuples the dataclass fields hold."""
    names = {f.name for f in fields(cls)}
    return {k: tuple(v) if isinstance(v, list) and k in names else v for k, v in data.items()}


DEFAULT_MASTER_PARAMETERS = MasterParameters()
DEFAULT_IMPRESSION_PARAMETERS = ImpressionParameters()
