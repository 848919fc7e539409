"""Minutiae extraction: a fingerprint image in, a :class:`Template` out.

The whole algorithm, one named stage per module::

    normalize -> orientation_field -> foreground_mask -> ridge_period
      -> gabor_enhance -> ridge_skeleton -> detect_minutiae -> quality

Every intermediate result is offered to the current transparency sink
(:mod:`interop.fingerprints.transparency`).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt

from interop.fingerprints.errors import ExtractionError, FailureToEnrol
from interop.fingerprints.extraction.enhancement import gabor_enhance
from interop.fingerprints.extraction.frequency import ridge_period
from interop.fingerprints.extraction.minutiae import ENDING, detect_minutiae, ridge_skeleton
from interop.fingerprints.extraction.normalization import normalize_with_contrast
from interop.fingerprints.extraction.orientation import orientation_field
from interop.fingerprints.extraction.parameters import DEFAULT_PARAMETERS, ExtractionParameters
from interop.fingerprints.extraction.quality import image_quality, quality_map
from interop.fingerprints.extraction.segmentation import foreground_mask, inner_mask
from interop.fingerprints.template import MinutiaType, Template
from interop.fingerprints.transparency import emit

__all__ = ["DEFAULT_PARAMETERS", "ExtractionParameters", "extract"]

MAX_SIDE_PX = 2048
"""Largest image side accepted by :func:`extract` (about 10 cm at 500 ppi)."""


def extract(
    pixels: npt.NDArray[np.uint8], *, params: ExtractionParameters = DEFAULT_PARAMETERS
) -> Template:
    """Extract a minutiae template from a 500-ppi fingerprint image.

    Parameters
    ----------
    pixels : (H, W) uint8 ndarray
        Grey-level fingerprint at 500 ppi, ridges dark (as from
        :func:`interop.fingerprints.image.load_fingerprint`).
    params : ExtractionParameters, keyword-only
        Tuned constants.

    Returns
    -------
    Template
        Minutiae in pixels at 500 ppi with ISO angle convention, per-minutia
        quality 1..100, and the image quality 0..100.

    Raises
    ------
    ExtractionError
        If ``pixels`` is not a 2-D uint8 array of sensible size.
    FailureToEnrol
        If the foreground is too small or too few minutiae survive.
    """
    if not isinstance(pixels, np.ndarray) or pixels.ndim != 2 or pixels.dtype != np.uint8:
        raise ExtractionError("pixels must be a 2-D uint8 array")
    h, w = pixels.shape
    if min(h, w) < 64 or max(h, w) > MAX_SIDE_PX:
        raise ExtractionError(f"image size {w}x{h} outside 64..{MAX_SIDE_PX} px")
    p = params

    image, contrast = normalize_with_contrast(pixels, sigma_px=p.contrast_sigma_px)
    emit("normalized", image)
    emit("contrast", contrast)
    theta, coherence = orientation_field(
        image,
        gradient_sigma_px=p.gradient_sigma_px,
        window_sigma_px=p.orientation_sigma_px,
        smoothing_sigma_px=p.orientation_smoothing_sigma_px,
    )
    emit("orientation", theta)
    emit("coherence", coherence)
    mask = foreground_mask(
        contrast,
        coherence,
        contrast_ratio=p.foreground_contrast_ratio,
        coherence_min=p.foreground_coherence_min,
        smoothing_px=p.mask_smoothing_px,
    )
    emit("mask", mask)
    area = int(mask.sum())
    if area < p.min_foreground_px:
        raise FailureToEnrol("foreground_too_small", f"{area} px < {p.min_foreground_px} px")
    period = ridge_period(
        image,
        mask,
        step_px=p.block_px,
        window_px=p.frequency_window_px,
        min_period_px=p.min_period_px,
        max_period_px=p.max_period_px,
        smoothing_sigma_blocks=p.frequency_smoothing_sigma_blocks,
    )
    emit("period", period)

    def enhance(orientation: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        return gabor_enhance(
            image,
            orientation,
            period,
            mask,
            n_orientations=p.gabor_orientations,
            periods_px=p.gabor_periods_px,
            sigma_along_px=p.gabor_sigma_along_px,
            sigma_across_px=p.gabor_sigma_across_px,
        )

    enhanced = enhance(theta)
    for _ in range(p.refinement_passes):
        # Re-estimate the orientation on the enhanced image, whose ridges
        # are continuous where the raw image's were broken into pores and
        # specks, then filter the original image again with it.
        theta, _coherence = orientation_field(
            enhanced,
            gradient_sigma_px=p.gradient_sigma_px,
            window_sigma_px=p.refinement_orientation_sigma_px,
            smoothing_sigma_px=p.refinement_smoothing_sigma_px,
        )
        enhanced = enhance(theta)
    emit("enhanced", enhanced)
    skeleton = ridge_skeleton(enhanced, mask)
    emit("skeleton", skeleton)
    cand = detect_minutiae(
        skeleton,
        mask,
        inner_mask(mask, margin_px=p.border_margin_px),
        theta,
        trace_px=p.direction_trace_px,
        spur_max_px=p.spur_max_px,
        bridge_max_px=p.bridge_max_px,
        island_max_px=p.island_max_px,
        break_max_px=p.break_max_px,
        break_max_angle_rad=p.break_max_angle_rad,
        cluster_radius_px=p.cluster_radius_px,
    )
    q = quality_map(coherence, contrast, mask)
    emit("quality_map", q)
    if len(cand) < p.min_minutiae:
        raise FailureToEnrol("too_few_minutiae", f"{len(cand)} < {p.min_minutiae}")
    mq = np.clip(np.rint(100 * q[cand.y, cand.x]), 1, 100).astype(np.uint8)
    order = np.argsort(-mq.astype(np.int64), kind="stable")[: p.max_minutiae]
    order.sort()
    cand = cand.take(order)
    mq = mq[order]
    # image coordinates (clockwise as seen) -> ISO convention (counter-clockwise)
    angle = np.mod(-cand.angle, 2 * np.pi)
    types = np.where(cand.kind == ENDING, MinutiaType.ENDING, MinutiaType.BIFURCATION)
    template = Template.from_arrays(
        cand.x,
        cand.y,
        angle,
        type=types,
        quality=mq,
        width=w,
        height=h,
        resolution_ppi=500,
    )
    # from_arrays' ``quality`` is per minutia; the image's score is set here
    return dataclasses.replace(template, quality=image_quality(q, mask, len(cand)))
