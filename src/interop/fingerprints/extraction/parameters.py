"""Every tuned number of minutiae extraction, in one place.

Lengths are pixels at 500 ppi (``_px``), angles radians (``_rad``),
frequencies cycles per pixel (``_cpp``). Values were chosen from the
literature's typical ridge geometry (ridge period 8-12 px at 500 ppi) and
checked on whole databases, never on individual images.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

FFT_SIZE_PX = 64
"""Side of the zero-padded transform of the ridge-period stage."""


@dataclass(frozen=True, slots=True)
class ExtractionParameters:
    """Parameters of :func:`interop.fingerprints.extraction.extract`."""

    # --- segmentation ---------------------------------------------------------
    block_px: int = 12
    """Grid step of the block-wise ridge-period map."""
    contrast_sigma_px: float = 7.0
    """Gaussian window of the local-contrast (standard deviation) map."""
    foreground_contrast_ratio: float = 0.25
    """A pixel is foreground when its local contrast exceeds this fraction of
    the image's robust maximum (95th percentile) contrast."""
    foreground_coherence_min: float = 0.15
    """... and its orientation coherence is at least this."""
    mask_smoothing_px: int = 12
    """Radius of the morphological opening/closing that cleans the mask."""
    border_margin_px: int = 12
    """Minutiae closer than this to the mask edge are dropped (edges make
    spurious endings)."""
    min_foreground_px: int = 12_000
    """Below this foreground area (about 5 x 5 mm) the image fails to enrol."""

    # --- orientation ------------------------------------------------------------
    gradient_sigma_px: float = 1.0
    """Pre-smoothing of the image before the Sobel gradient."""
    orientation_sigma_px: float = 7.0
    """Gaussian window integrating the gradient structure tensor."""
    orientation_smoothing_sigma_px: float = 10.0
    """Further smoothing of the doubled-angle orientation vector field."""

    # --- ridge frequency --------------------------------------------------------
    frequency_window_px: int = 32
    """Side of the square window whose spectrum gives the local ridge period."""
    min_period_px: float = 4.5
    max_period_px: float = 16.0
    frequency_smoothing_sigma_blocks: float = 2.0

    # --- enhancement ------------------------------------------------------------
    gabor_orientations: int = 16
    """Number of orientation bins of the Gabor filter bank."""
    gabor_periods_px: tuple[float, ...] = (7.0, 9.0, 11.5)
    """Ridge periods of the filter bank (each pixel uses the nearest)."""
    gabor_sigma_along_px: float = 5.0
    gabor_sigma_across_px: float = 2.0

    refinement_passes: int = 1
    """Times the orientation is re-estimated on the enhanced image and the
    image filtered again with it (0: a single Gabor pass)."""
    refinement_orientation_sigma_px: float = 5.0
    refinement_smoothing_sigma_px: float = 6.0
    """Structure-tensor window and extra smoothing for those re-estimates."""
    # --- minutiae ---------------------------------------------------------------
    direction_trace_px: int = 10
    """Ridge length traced from a minutia to measure its direction."""
    spur_max_px: int = 14
    """Ending-to-bifurcation branches shorter than this are spurs."""
    bridge_max_px: int = 12
    """Bifurcation-to-bifurcation links shorter than this are bridges."""
    break_max_px: float = 14.0
    """Two facing endings closer than this are a broken ridge."""
    break_max_angle_rad: float = 0.8
    """... when their directions are opposite within this angle."""
    island_max_px: int = 22
    """Ridges with two endings and shorter than this are dots or islands."""
    cluster_radius_px: float = 7.0
    """Minutiae closer than this to each other are both dropped."""
    min_minutiae: int = 6
    """Fewer surviving minutiae than this is a failure to enrol."""
    max_minutiae: int = 120
    """Keep at most this many minutiae (the highest-quality ones)."""

    def __post_init__(self) -> None:
        positive = (
            "block_px",
            "contrast_sigma_px",
            "mask_smoothing_px",
            "min_foreground_px",
            "gradient_sigma_px",
            "orientation_sigma_px",
            "orientation_smoothing_sigma_px",
            "frequency_window_px",
            "min_period_px",
            "max_period_px",
            "frequency_smoothing_sigma_blocks",
            "gabor_orientations",
            "gabor_sigma_along_px",
            "gabor_sigma_across_px",
            "refinement_orientation_sigma_px",
            "refinement_smoothing_sigma_px",
            "direction_trace_px",
            "min_minutiae",
        )
        for name in positive:
            value = getattr(self, name)
            if not value > 0:
                raise ValueError(f"{name} must be positive, got {value!r}")
        non_negative = (
            "border_margin_px",
            "refinement_passes",
            "spur_max_px",
            "bridge_max_px",
            "break_max_px",
            "break_max_angle_rad",
            "island_max_px",
            "cluster_radius_px",
        )
        for name in non_negative:
            value = getattr(self, name)
            if not value >= 0:
                raise ValueError(f"{name} must be >= 0, got {value!r}")
        for name in ("foreground_contrast_ratio", "foreground_coherence_min"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"{name} must be in [0, 1], got {value!r}")
        if self.frequency_window_px > FFT_SIZE_PX:
            raise ValueError(
                f"frequency_window_px must be <= {FFT_SIZE_PX} (the transform size), "
                f"got {self.frequency_window_px!r}"
            )
        if self.min_period_px >= self.max_period_px:
            raise ValueError("min_period_px must be below max_period_px")
        if not self.gabor_periods_px or not all(p > 0 for p in self.gabor_periods_px):
            raise ValueError("gabor_periods_px must be a non-empty tuple of positive periods")
        if self.max_minutiae < self.min_minutiae:
            raise ValueError("max_minutiae must be >= min_minutiae")

    def to_json(self) -> str:
        """Serialise to a JSON object string."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ExtractionParameters:
        """Inverse of :meth:`to_json`; unknown keys raise ``TypeError``."""
        data = json.loads(text)
        if "gabor_periods_px" in data:
            data["gabor_periods_px"] = tuple(data["gabor_periods_px"])
        return cls(**data)


DEFAULT_PARAMETERS = ExtractionParameters()
