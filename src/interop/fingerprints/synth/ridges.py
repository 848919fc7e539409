"""The master ridge pattern: finger silhouette, period map, ridge growth.

Ridges are *grown* as in SFinGe (Cappelli, Maio & Maltoni 2000; Maltoni et
al., *Handbook of Fingerprint Recognition*, 3rd ed., section 7.3): starting
from a few random seed spots, the image is repeatedly filtered, each pixel
with the even-symmetric Gabor filter tuned to its own orientation and
period, and soft-clipped. Ridges spread from every seed along the
orientation field; where two growing fronts meet out of phase, ridges end
or fork, which is where the natural minutiae come from.

The filter bank has a few orientations x periods; each pixel blends the
responses of its two nearest orientation bins and two nearest period bins
(bilinear weights), so the grown ridges carry no seams between bins.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from interop.fingerprints.synth._noise import smooth_field
from interop.fingerprints.synth.parameters import MasterParameters


def finger_silhouette(
    shape: tuple[int, int],
    centre_xy: tuple[float, float],
    half_width_px: float,
    half_height_px: float,
    *,
    bottom_exponent: float,
) -> npt.NDArray[np.bool_]:
    """Fingertip outline: a half ellipse on top of a squarer super-ellipse.

    Parameters
    ----------
    shape : (H, W)
        Mask shape in pixels.
    centre_xy : (float, float)
        Centre ``(x, y)`` in pixels.
    half_width_px, half_height_px : float
        Semi-axes in pixels.
    bottom_exponent : float, keyword-only
        Super-ellipse exponent below the centre (2 would be an ellipse).

    Returns
    -------
    (H, W) bool ndarray
        True on the fingertip.
    """
    h, w = shape
    dx = np.abs(np.arange(w, dtype=np.float64)[None, :] - centre_xy[0]) / half_width_px
    dy = (np.arange(h, dtype=np.float64)[:, None] - centre_xy[1]) / half_height_px
    exponent = np.where(dy < 0, 2.0, bottom_exponent)
    mask: npt.NDArray[np.bool_] = dx**exponent + np.abs(dy) ** exponent <= 1.0
    return mask


def period_map(
    shape: tuple[int, int],
    mask: npt.NDArray[np.bool_],
    rng: np.random.Generator,
    params: MasterParameters,
) -> npt.NDArray[np.float32]:
    """Smoothly varying ridge period, slightly longer towards the bottom.

    Parameters
    ----------
    shape : (H, W)
    mask : (H, W) bool ndarray
        The fingertip (:func:`finger_silhouette`); the vertical trend runs
        from its top row to its bottom row.
    rng : numpy.random.Generator
    params : MasterParameters
        ``period_*`` fields.

    Returns
    -------
    (H, W) float32 ndarray
        Ridge period in pixels at 500 ppi, within ``params.period_limits_px``.
    """
    p = params
    rows = np.flatnonzero(mask.any(axis=1))
    top, bottom = (rows[0], rows[-1]) if rows.size else (0, shape[0] - 1)
    ys = np.arange(shape[0], dtype=np.float32)[:, None]
    trend = p.period_increase_px * (np.clip((ys - top) / max(bottom - top, 1), 0, 1) - 0.5)
    base = float(rng.uniform(*p.period_px))
    wobble = p.period_variation_sd_px * smooth_field(shape, p.period_variation_scale_px, rng)
    period = base + trend + wobble
    return np.clip(period, *p.period_limits_px).astype(np.float32)


@functools.lru_cache(maxsize=128)
def growth_kernel(
    theta_rad: float, period_px: float, sigma_along_px: float, sigma_across_px: float
) -> npt.NDArray[np.float32]:
    """Even-symmetric, zero-mean Gabor kernel with unit gain on matched ridges.

    ``theta_rad`` is the ridge orientation in image coordinates. The kernel
    is scaled so that filtering a unit-amplitude cosine of this orientation
    and period returns the same cosine: a gain above one then makes ridges
    grow. Returns a square (K, K) float32 kernel, K = 2 * ceil(3 sigma) + 1.
    """
    radius = int(np.ceil(3 * max(sigma_along_px, sigma_across_px)))
    ys, xs = np.mgrid[-radius : radius + 1, -radius : radius + 1].astype(np.float64)
    along = xs * np.cos(theta_rad) + ys * np.sin(theta_rad)
    across = -xs * np.sin(theta_rad) + ys * np.cos(theta_rad)
    envelope = np.exp(-0.5 * (along**2 / sigma_along_px**2 + across**2 / sigma_across_px**2))
    wave = np.cos(2 * np.pi * across / period_px)
    kernel = envelope * wave
    kernel -= envelope * (kernel.sum() / envelope.sum())  # no response to flat areas
    kernel /= float((kernel * wave).sum())
    out: npt.NDArray[np.float32] = kernel.astype(np.float32)
    return out


@dataclass(frozen=True)
class _Piece:
    """A rectangle of pixels that use one filter of the bank, and their weights."""

    kernel: npt.NDArray[np.float32]
    rows: slice
    cols: slice
    weight: npt.NDArray[np.float32]  # over [rows, cols]


def _bilinear(
    values: npt.NDArray[np.float32], n: int, *, cyclic: bool
) -> list[tuple[npt.NDArray[np.intp], npt.NDArray[np.float32]]]:
    """Two (bin index, weight) maps interpolating ``values`` (in bin units)."""
    lower = np.floor(values)
    frac = (values - lower).astype(np.float32)
    i0 = lower.astype(np.intp)
    i1 = i0 + 1
    if cyclic:
        i0, i1 = i0 % n, i1 % n
    else:
        i0, i1 = np.clip(i0, 0, n - 1), np.clip(i1, 0, n - 1)
    return [(i0, 1 - frac), (i1, frac)]


def _share(
    maps: list[tuple[npt.NDArray[np.intp], npt.NDArray[np.float32]]], i: int
) -> npt.NDArray[np.float32]:
    """Weight of bin ``i`` at every pixel, from :func:`_bilinear`'s maps."""
    out = np.zeros(maps[0][1].shape, dtype=np.float32)
    for index, weight in maps:
        out += np.where(index == i, weight, np.float32(0))
    return out


def _filter_bank(
    theta: npt.NDArray[np.float32],
    period: npt.NDArray[np.float32],
    support: npt.NDArray[np.bool_],
    params: MasterParameters,
) -> list[_Piece]:
    """Where the ``support`` pixels use which (orientation, period) filter."""
    p = params
    n_o = p.gabor_orientations
    periods = np.asarray(p.gabor_periods_px, dtype=np.float32)
    n_p = periods.size
    o_maps = _bilinear(theta / np.float32(np.pi / n_o), n_o, cyclic=True)
    p_pos = np.interp(period, periods, np.arange(n_p)).astype(np.float32)
    p_maps = _bilinear(p_pos, n_p, cyclic=False)

    pieces: list[_Piece] = []
    for o in range(n_o):
        w_o = _share(o_maps, o) * support
        if not w_o.any():
            continue
        for q in range(n_p):
            w = w_o * _share(p_maps, q)
            if not w.any():
                continue
            kernel = growth_kernel(
                o * np.pi / n_o, float(periods[q]), p.gabor_sigma_along_px, p.gabor_sigma_across_px
            )
            # one rectangle per horizontal band: the pixels of a bin form
            # wedges and spirals whose single bounding box would be most of
            # the image
            for top in range(0, w.shape[0], p.growth_band_px):
                band = w[top : top + p.growth_band_px]
                rows = np.flatnonzero(band.any(axis=1))
                if rows.size == 0:
                    continue
                cols = np.flatnonzero(band.any(axis=0))
                rs = slice(top + rows[0], top + rows[-1] + 1)
                cs = slice(cols[0], cols[-1] + 1)
                pieces.append(_Piece(kernel, rs, cs, np.ascontiguousarray(w[rs, cs])))
    return pieces


def _contextual_filter(
    image: npt.NDArray[np.float32], bank: list[_Piece]
) -> npt.NDArray[np.float32]:
    """Each pixel filtered by its own blend of the bank's filters."""
    out = np.zeros_like(image)
    h, w = image.shape
    for b in bank:
        r = b.kernel.shape[0] // 2
        r0, r1 = max(b.rows.start - r, 0), min(b.rows.stop + r, h)
        c0, c1 = max(b.cols.start - r, 0), min(b.cols.stop + r, w)
        response = cv2.filter2D(
            image[r0:r1, c0:c1], cv2.CV_32F, b.kernel, borderType=cv2.BORDER_CONSTANT
        )
        inner = response[b.rows.start - r0 : b.rows.stop - r0, b.cols.start - c0 : b.cols.stop - c0]
        out[b.rows, b.cols] += b.weight * inner
    return out


def grow_ridges(
    theta: npt.NDArray[np.float32],
    period: npt.NDArray[np.float32],
    mask: npt.NDArray[np.bool_],
    rng: np.random.Generator,
    params: MasterParameters,
) -> tuple[npt.NDArray[np.float32], int]:
    """Grow a ridge pattern by iterative contextual Gabor filtering.

    Parameters
    ----------
    theta : (H, W) float32 ndarray
        Ridge orientation, radians in ``[0, pi)``, image coordinates.
    period : (H, W) float32 ndarray
        Ridge period, pixels.
    mask : (H, W) bool ndarray
        The fingertip; growth runs until it is filled.
    rng : numpy.random.Generator
        Places the seed spots.
    params : MasterParameters
        ``gabor_*``, ``growth_gain``, ``seed_*``, ``max_iterations``,
        ``fill_fraction``, ``fill_window_px``, ``saturation_level``.

    Returns
    -------
    ridges : (H, W) float32 ndarray
        In ``[-1, 1]``: about +1 on ridges, -1 in valleys, 0 off the finger.
    iterations : int
        Filtering rounds run.
    """
    p = params
    radius = int(np.ceil(3 * max(p.gabor_sigma_along_px, p.gabor_sigma_across_px)))
    support = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=radius) > 0
    bank = _filter_bank(theta, period, support, p)
    image = np.zeros(theta.shape, dtype=np.float32)
    ys, xs = np.nonzero(mask)
    n_seeds = round(float(rng.uniform(*p.seed_count)))
    picks = rng.choice(ys.size, size=min(n_seeds, ys.size), replace=False)
    for k in picks:
        cv2.circle(
            image,
            (int(xs[k]), int(ys[k])),
            p.seed_radius_px,
            float(rng.choice((-1.0, 1.0))),
            thickness=-1,
        )
    supp = support.astype(np.float32)
    window = np.ones((p.fill_window_px, p.fill_window_px), np.uint8)
    target = p.fill_fraction * max(int(mask.sum()), 1)
    iterations, settle = 0, p.settle_iterations
    while iterations < p.max_iterations and settle > 0:
        iterations += 1
        image = np.clip(p.growth_gain * _contextual_filter(image, bank), -1.0, 1.0) * supp
        # a pixel has grown once ridge or valley saturates within a small window
        # (the ridge/valley transitions themselves never saturate)
        grown = cv2.dilate(np.abs(image), window)[mask] >= p.saturation_level
        if int(grown.sum()) >= target:
            settle -= 1
    return image, iterations


def interrupt_ridges(
    ridges: npt.NDArray[np.float32],
    theta: npt.NDArray[np.float32],
    period: npt.NDArray[np.float32],
    mask: npt.NDArray[np.bool_],
    rng: np.random.Generator,
    params: MasterParameters,
) -> npt.NDArray[np.float32]:
    """Cut short breaks into grown ridges.

    Each break is a straight cut along the local orientation, centred on a
    random ridge pixel, ``ridge_break_length_periods`` local periods long
    and ``ridge_break_width_periods`` wide, with softened edges; it turns
    the ridge into valley, leaving two ridge endings that face each other.

    Parameters
    ----------
    ridges : (H, W) float32 ndarray
        Grown pattern in ``[-1, 1]`` (:func:`grow_ridges`); not modified.
    theta, period : (H, W) float32 ndarray
        Ridge orientation (radians) and period (pixels).
    mask : (H, W) bool ndarray
        The fingertip; breaks are centred inside it.
    rng : numpy.random.Generator
    params : MasterParameters
        ``ridge_break*`` fields.

    Returns
    -------
    (H, W) float32 ndarray
        The pattern with its breaks, in ``[-1, 1]``.
    """
    p = params
    ys, xs = np.nonzero(mask & (ridges > 0.7))
    n = min(round(float(rng.uniform(*p.ridge_breaks))), ys.size)
    if n == 0:
        return ridges
    picks = rng.choice(ys.size, size=n, replace=False)
    lengths = rng.uniform(*p.ridge_break_length_periods, size=n)
    cut = np.zeros(ridges.shape, dtype=np.float32)
    scale = 4  # cv2 fixed-point coordinates (2 fractional bits)
    for k, length in zip(picks, lengths, strict=True):
        y, x = int(ys[k]), int(xs[k])
        t, half = float(theta[y, x]), 0.5 * float(length) * float(period[y, x])
        dx, dy = half * np.cos(t), half * np.sin(t)
        cv2.line(
            cut,
            (round(scale * (x - dx)), round(scale * (y - dy))),
            (round(scale * (x + dx)), round(scale * (y + dy))),
            1.0,
            thickness=max(1, round(p.ridge_break_width_periods * float(period[y, x]))),
            lineType=cv2.LINE_AA,
            shift=2,
        )
    soft = cv2.GaussianBlur(cut, (0, 0), 1.0)
    out: npt.NDArray[np.float32] = np.asarray(ridges * (1 - soft) - soft, dtype=np.float32)
    return out
