"""Stages 6-8: skeleton, crossing numbers, minutiae, directions, false-minutiae rules.

Unit tests work on hand-drawn skeletons in image coordinates (angles
clockwise as seen, as :func:`detect_minutiae` returns them); the pipeline
tests at the end check the ISO convention of the finished template.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import numpy.typing as npt
import pytest

from interop.fingerprints.errors import FailureToEnrol
from interop.fingerprints.extraction import ExtractionParameters, extract
from interop.fingerprints.extraction._skeleton_kernels import NEIGHBOUR_DX, NEIGHBOUR_DY
from interop.fingerprints.extraction.minutiae import (
    BIFURCATION,
    ENDING,
    MinutiaeCandidates,
    crossing_number_lut,
    crossing_numbers,
    detect_minutiae,
    ridge_skeleton,
)
from interop.fingerprints.extraction.normalization import normalize
from interop.fingerprints.extraction.parameters import DEFAULT_PARAMETERS as P
from interop.fingerprints.template import MinutiaType
from tests.fingerprints.patterns import (
    direction_error,
    gap_ends,
    parallel_ridges,
    sinusoid,
    to_uint8,
)

# --- crossing numbers -----------------------------------------------------------


def test_crossing_number_table() -> None:
    lut = crossing_number_lut()
    assert lut.shape == (256,) and lut.dtype == np.uint8
    assert lut[0] == 0 and lut[255] == 0
    for k in range(8):
        assert lut[1 << k] == 1  # one neighbour: ridge ending
        assert lut[(1 << k) | (1 << ((k + 1) % 8))] == 1  # two touching: still an ending
        assert lut[(1 << k) | (1 << ((k + 4) % 8))] == 2  # opposite: ridge continues
    assert lut[0b00010101] == 3  # E, N, W: a T junction
    assert lut[0b01010101] == 4  # a crossing


def test_crossing_number_table_is_rotation_and_complement_invariant() -> None:
    lut = crossing_number_lut()
    for code in range(256):
        rotated = ((code << 1) | (code >> 7)) & 0xFF
        assert lut[rotated] == lut[code]
        assert lut[code ^ 0xFF] == lut[code]
        assert lut[code] == bin(code ^ rotated).count("1") // 2


def test_neighbour_order_is_counter_clockwise_as_seen() -> None:
    """E, NE, N, NW, W, SW, S, SE with y down."""
    assert list(zip(NEIGHBOUR_DY.tolist(), NEIGHBOUR_DX.tolist(), strict=True)) == [
        (0, 1),
        (-1, 1),
        (-1, 0),
        (-1, -1),
        (0, -1),
        (1, -1),
        (1, 0),
        (1, 1),
    ]


def test_crossing_numbers_of_a_line_and_a_junction() -> None:
    sk = np.zeros((20, 30), dtype=bool)
    sk[10, 3:25] = True  # a line
    sk[3:10, 14] = True  # a branch joining it from above
    cn = crossing_numbers(sk)
    assert cn.dtype == np.uint8 and cn.shape == sk.shape
    assert not cn[~sk].any()
    assert cn[10, 3] == 1 and cn[10, 24] == 1 and cn[3, 14] == 1
    assert cn[10, 14] == 3
    ends = {(int(y), int(x)) for y, x in zip(*np.nonzero(cn == 1), strict=True)}
    assert ends == {(10, 3), (10, 24), (3, 14)}
    assert set(np.unique(cn[sk]).tolist()) == {1, 2, 3}


# --- skeleton -------------------------------------------------------------------


def test_skeleton_of_vertical_ridges_is_one_line_per_ridge() -> None:
    period = 10
    grey = sinusoid(96, 120, 0.0, period)  # sin is -1, dark ridges, at x = 7.5, 17.5, ...
    enhanced = normalize(to_uint8(grey), sigma_px=7.0)
    mask = np.ones(enhanced.shape, dtype=bool)
    sk = ridge_skeleton(enhanced, mask)
    assert sk.dtype == np.bool_ and sk.shape == enhanced.shape
    ridge_centres = np.arange(period * 0.75, 120, period)
    for row in sk[15:-15]:
        cols = np.flatnonzero(row[5:-5]) + 5
        expected = ridge_centres[(ridge_centres > 5) & (ridge_centres < 115)]
        assert cols.size == expected.size
        assert np.abs(cols - expected).max() <= 1.0


def test_skeleton_stays_inside_the_mask() -> None:
    enhanced = normalize(to_uint8(sinusoid(96, 96, 0.5, 9.0)), sigma_px=7.0)
    mask = np.zeros(enhanced.shape, dtype=bool)
    mask[20:70, 10:60] = True
    sk = ridge_skeleton(enhanced, mask)
    assert sk[mask].any() and not sk[~mask].any()
    assert not ridge_skeleton(enhanced, np.zeros_like(mask)).any()


def test_skeleton_ignores_specks() -> None:
    enhanced = np.ones((40, 40), dtype=np.float32)
    enhanced[20, 20] = -1.0  # a single dark pixel
    assert not ridge_skeleton(enhanced, np.ones((40, 40), dtype=bool)).any()


# --- detection on hand-drawn skeletons -------------------------------------------


def detect(
    sk: npt.NDArray[np.bool_],
    theta_rad: float,
    inner: npt.NDArray[np.bool_] | None = None,
) -> MinutiaeCandidates:
    """Minutiae of ``sk`` with a uniform orientation field and default rules."""
    mask = np.ones(sk.shape, dtype=bool)
    return detect_minutiae(
        sk,
        mask,
        mask if inner is None else inner,
        np.full(sk.shape, theta_rad, dtype=np.float32),
        trace_px=P.direction_trace_px,
        spur_max_px=P.spur_max_px,
        bridge_max_px=P.bridge_max_px,
        island_max_px=P.island_max_px,
        break_max_px=P.break_max_px,
        break_max_angle_rad=P.break_max_angle_rad,
        cluster_radius_px=P.cluster_radius_px,
    )


def as_set(c: MinutiaeCandidates) -> set[tuple[int, int, int, int]]:
    """{(y, x, kind, angle in whole degrees)}"""
    return {
        (int(y), int(x), int(k), round(math.degrees(a)) % 360)
        for y, x, k, a in zip(c.y, c.x, c.kind, c.angle, strict=True)
    }


def test_a_straight_ridge_has_two_endings_pointing_into_it() -> None:
    sk = np.zeros((80, 120), dtype=bool)
    sk[40, 20:100] = True
    c = detect(sk, 0.0)
    assert c.y.dtype == np.int64 and c.x.dtype == np.int64 and c.kind.dtype == np.uint8
    assert as_set(c) == {(40, 20, ENDING, 0), (40, 99, ENDING, 180)}


def test_ending_directions_in_image_coordinates() -> None:
    """A diagonal ridge going down-right as seen: 45° (clockwise) from its upper end."""
    sk = np.zeros((100, 100), dtype=bool)
    for i in range(50):
        sk[20 + i, 20 + i] = True
    assert as_set(detect(sk, math.pi / 4)) == {(20, 20, ENDING, 45), (69, 69, ENDING, 225)}


def test_short_isolated_ridges_are_removed() -> None:
    sk = np.zeros((60, 60), dtype=bool)
    sk[30, 20 : 20 + P.island_max_px - 4] = True
    assert len(detect(sk, 0.0)) == 0


def test_spurs_are_removed() -> None:
    sk = np.zeros((80, 120), dtype=bool)
    sk[40, 10:110] = True
    sk[40 - P.spur_max_px + 6 : 40, 60] = True  # a short twig above the ridge
    assert as_set(detect(sk, 0.0)) == {(40, 10, ENDING, 0), (40, 109, ENDING, 180)}


def test_a_long_branch_is_a_bifurcation() -> None:
    sk = np.zeros((80, 120), dtype=bool)
    sk[50, 10:110] = True
    sk[10:50, 60] = True
    c = detect(sk, 0.0)
    kinds = sorted(c.kind.tolist())
    assert kinds == [ENDING, ENDING, ENDING, BIFURCATION]
    assert (50, 60) in set(zip(c.y.tolist(), c.x.tolist(), strict=True))


def test_broken_ridges_are_joined() -> None:
    """Two collinear pieces across a short gap: only the outer endings remain."""
    sk = np.zeros((80, 120), dtype=bool)
    sk[40, 10:55] = True
    sk[40, 55 + int(P.break_max_px) // 2 : 110] = True
    assert as_set(detect(sk, 0.0)) == {(40, 10, ENDING, 0), (40, 109, ENDING, 180)}


def test_ridges_ending_side_by_side_are_not_joined() -> None:
    """Endings far enough apart in the same direction are two real endings."""
    sk = np.zeros((80, 120), dtype=bool)
    sk[30, 10:70] = True
    sk[50, 30:110] = True
    assert as_set(detect(sk, 0.0)) == {
        (30, 10, ENDING, 0),
        (30, 69, ENDING, 180),
        (50, 30, ENDING, 0),
        (50, 109, ENDING, 180),
    }


def test_clustered_minutiae_are_removed() -> None:
    """Two endings closer than the cluster radius are both dropped."""
    sk = np.zeros((80, 120), dtype=bool)
    sk[40, 10:70] = True
    sk[45, 35:70] = True  # ends 5 px from the other ridge's end
    assert as_set(detect(sk, 0.0)) == {(40, 10, ENDING, 0), (45, 35, ENDING, 0)}


def test_minutiae_outside_the_inner_mask_are_dropped() -> None:
    sk = np.zeros((80, 120), dtype=bool)
    sk[40, 10:110] = True
    inner = np.zeros(sk.shape, dtype=bool)
    inner[:, 60:] = True
    assert as_set(detect(sk, 0.0, inner)) == {(40, 109, ENDING, 180)}


def test_empty_skeleton_has_no_minutiae() -> None:
    c = detect(np.zeros((40, 40), dtype=bool), 0.0)
    assert len(c) == 0 and c.angle.shape == (0,)


def y_fork(stair: bool) -> npt.NDArray[np.bool_]:
    """A stem coming down to a fork at (y=30, x=40); two branches go on downwards.

    ``stair``: the left branch leaves the fork sideways (W) and then turns
    down, a staircase corner that thinning produces often.
    """
    sk = np.zeros((80, 80), dtype=bool)
    sk[2:31, 40] = True  # stem, from the fork upwards
    if stair:
        sk[30, 39] = True
        sk[31:78, 39] = True
        sk[30, 41] = sk[30, 42] = True
        for i in range(1, 8):
            sk[30 + i, 42 + i] = True
        sk[38:78, 49] = True
    else:
        for i in range(1, 6):
            sk[30 + i, 40 - i] = True
            sk[30 + i, 40 + i] = True
        sk[36:78, 35] = True
        sk[36:78, 45] = True
    return sk


def test_bifurcation_points_into_the_valley_between_its_branches() -> None:
    """The enclosed valley runs down from the fork: 90° in image coordinates."""
    c = detect(y_fork(stair=False), math.pi / 2)
    assert (30, 40, BIFURCATION, 90) in as_set(c)
    assert (2, 40, ENDING, 90) in as_set(c)  # the stem's end points down, into the stem


def test_bifurcation_direction_with_a_staircase_branch() -> None:
    c = detect(y_fork(stair=True), math.pi / 2)
    assert (30, 40, BIFURCATION, 90) in as_set(c)


# --- the ISO convention, end to end -------------------------------------------------

SIZE = 288
PERIOD = 10.0
GAPS = [(-8, -40.0, 10.0), (-3, -20.0, 40.0), (3, -60.0, -5.0), (8, 0.0, 50.0)]
# The convention tests below must not hinge on how the Gabor stage is tuned: a
# filter reaching across a whole erased ridge (3 σ >= 1 period) keeps the gaps
# open. Whether the defaults do is tested separately at the end.
WIDE_GABOR = dataclasses.replace(P, gabor_sigma_across_px=4.0)


def match_gap_ends(
    alpha_deg: float, invert: bool, params: ExtractionParameters = WIDE_GABOR
) -> list[tuple[float, float, int]]:
    """Extract the gapped-ridge image; per expected minutia: (distance px, angle error °, type)."""
    alpha = math.radians(alpha_deg)
    template = extract(parallel_ridges(SIZE, alpha, PERIOD, GAPS, invert=invert), params=params)
    m = template.minutiae
    assert len(template) == 2 * len(GAPS)  # nothing spurious on clean ridges
    found = []
    used = set()
    for x, y, angle in gap_ends(SIZE, alpha, PERIOD, GAPS):
        i = int(np.argmin(np.hypot(m["x"] - x, m["y"] - y)))
        used.add(i)
        found.append(
            (
                float(np.hypot(m["x"][i] - x, m["y"][i] - y)),
                float(np.degrees(direction_error(m["angle"][i], angle))),
                int(m["type"][i]),
            )
        )
    assert len(used) == len(found)  # one minutia per expected one
    return found


@pytest.mark.parametrize("alpha_deg", [0, 30, 60, 100, 145, 170])
def test_ridge_endings_point_into_the_ridge_counter_clockwise(alpha_deg: float) -> None:
    """Ridges along ISO angle α (counter-clockwise as seen); each gap makes two endings.

    The ending where the ridge continues in direction α has angle α; the one
    where it continues the other way, α + 180°. A clockwise convention would
    give -α and fail for every α other than 0.
    """
    for distance, angle_error, kind in match_gap_ends(alpha_deg, invert=False):
        assert kind == MinutiaType.ENDING
        assert distance < 12
        assert angle_error < 10


@pytest.mark.parametrize("alpha_deg", [0, 30, 60, 145])
def test_bifurcations_point_along_the_enclosed_valley(alpha_deg: float) -> None:
    """Inverted, each erased ridge is a valley between two ridges that fork at its ends.

    A bifurcation points along that valley away from the fork, the same way
    as the ridge ending it is the dual of.
    """
    for distance, angle_error, kind in match_gap_ends(alpha_deg, invert=True):
        assert kind == MinutiaType.BIFURCATION
        assert distance < 20  # the fork forms where the merged ridge is thin enough
        assert angle_error < 10


@pytest.mark.xfail(
    strict=True,
    raises=FailureToEnrol,
    reason="KNOWN LIMITATION of the default Gabor width across the ridges (2 px, chosen "
    "because it halves the FVC2002 error rates against 4 px): the kernel does not reach "
    "across a valley 1.5 periods wide; its ~0 response there binarises as ridge and fills "
    "the gap, so no minutia is found (sigma_across >= 3 finds all 8)",
)
@pytest.mark.parametrize("invert", [False, True], ids=["endings", "bifurcations"])
def test_default_parameters_find_the_minutiae_of_a_ridge_gap(invert: bool) -> None:
    for distance, angle_error, _ in match_gap_ends(30, invert=invert, params=P):
        assert distance < 20 and angle_error < 10
