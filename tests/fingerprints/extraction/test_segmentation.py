"""Stage 3: the foreground mask and its eroded interior."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from interop.fingerprints.extraction.normalization import local_contrast, normalize
from interop.fingerprints.extraction.orientation import orientation_field
from interop.fingerprints.extraction.parameters import DEFAULT_PARAMETERS as P
from interop.fingerprints.extraction.segmentation import foreground_mask, inner_mask
from tests.fingerprints.patterns import sinusoid, to_uint8


def mask_of(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """The foreground mask with the engine's default parameters."""
    _, coherence = orientation_field(
        normalize(image, sigma_px=P.contrast_sigma_px),
        gradient_sigma_px=P.gradient_sigma_px,
        window_sigma_px=P.orientation_sigma_px,
        smoothing_sigma_px=P.orientation_smoothing_sigma_px,
    )
    return foreground_mask(
        local_contrast(image, sigma_px=P.contrast_sigma_px),
        coherence,
        contrast_ratio=P.foreground_contrast_ratio,
        coherence_min=P.foreground_coherence_min,
        smoothing_px=P.mask_smoothing_px,
    )


def disc(shape: tuple[int, int], cx: float, cy: float, r: float) -> npt.NDArray[np.bool_]:
    y, x = np.mgrid[0 : shape[0], 0 : shape[1]]
    out: npt.NDArray[np.bool_] = (x - cx) ** 2 + (y - cy) ** 2 <= r * r
    return out


def iou(a: npt.NDArray[np.bool_], b: npt.NDArray[np.bool_]) -> float:
    return float((a & b).sum() / (a | b).sum())


@pytest.mark.parametrize("background", [0, 210, 255])
def test_finds_a_ridge_disc_on_a_flat_background(background: int) -> None:
    shape = (256, 288)
    truth = disc(shape, 150, 120, 85)
    grey = np.where(truth, sinusoid(*shape, 0.6, 9.0), float(background))
    mask = mask_of(to_uint8(grey))
    assert mask.dtype == np.bool_ and mask.shape == shape
    # all of the pattern, and no more than the reach of the contrast window
    # (2 σ, about 14 px) beyond its edge, where the step itself has contrast
    assert (truth & ~mask).sum() <= 0.01 * truth.sum()
    assert not (mask & ~disc(shape, 150, 120, 85 + 3 * P.contrast_sigma_px)).any()
    assert iou(mask, truth) > 0.65
    assert not mask[:20, :20].any() and not mask[-20:, -20:].any()


def test_keeps_only_the_largest_region() -> None:
    grey = np.full((200, 400), 220.0)
    ridges = sinusoid(200, 400, 0.0, 9.0)
    big = (slice(30, 170), slice(20, 180))
    small = (slice(60, 120), slice(300, 360))
    grey[big] = ridges[big]
    grey[small] = ridges[small]
    mask = mask_of(to_uint8(grey))
    assert mask[100, 100]
    assert not mask[:, 250:].any()


def test_fills_holes() -> None:
    """A flat scar in the middle of the print stays foreground."""
    grey = sinusoid(240, 240, 1.1, 9.0)
    grey[90:150, 90:150] = 128.0
    assert mask_of(to_uint8(grey))[90:150, 90:150].all()


def test_flat_image_has_no_foreground() -> None:
    assert not mask_of(np.full((200, 200), 180, dtype=np.uint8)).any()


def test_no_contrast_anywhere_gives_an_empty_mask() -> None:
    zeros = np.zeros((64, 64), dtype=np.float32)
    mask = foreground_mask(
        zeros, np.ones_like(zeros), contrast_ratio=0.25, coherence_min=0.05, smoothing_px=4
    )
    assert mask.shape == (64, 64) and not mask.any()


def test_incoherent_pixels_are_background() -> None:
    contrast = np.full((100, 100), 50, dtype=np.float32)
    coherence = np.zeros_like(contrast)
    coherence[:, :50] = 0.9
    mask = foreground_mask(
        contrast, coherence, contrast_ratio=0.25, coherence_min=0.2, smoothing_px=4
    )
    assert mask[:, :45].all() and not mask[:, 55:].any()


def test_inner_mask_keeps_away_from_edges_and_mask_border() -> None:
    margin = 12
    full = np.ones((100, 120), dtype=bool)
    inner = inner_mask(full, margin_px=margin)
    assert inner.dtype == np.bool_ and inner.shape == full.shape
    # the image's outermost pixels count as mask border
    assert not inner[: margin + 1].any() and not inner[-(margin + 1) :].any()
    assert not inner[:, : margin + 1].any() and not inner[:, -(margin + 1) :].any()
    assert inner[margin + 1 : -(margin + 1), margin + 1 : -(margin + 1)].all()


def test_inner_mask_is_an_erosion_of_the_mask() -> None:
    truth = disc((200, 200), 100, 100, 70)
    inner = inner_mask(truth, margin_px=10)
    assert not (inner & ~truth).any()
    assert iou(inner, disc((200, 200), 100, 100, 60)) > 0.95
    assert inner[100, 100] and not inner[100, 100 + 65]


def test_inner_mask_of_nothing_is_nothing() -> None:
    assert not inner_mask(np.zeros((50, 50), dtype=bool), margin_px=5).any()
