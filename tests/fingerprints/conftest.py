"""Synthetic fingers shared by the extraction and matcher tests.

Growing a master takes about half a second, so three are grown once per
session; each gives two impressions (two captures of the same finger).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from interop.fingerprints.extraction import extract
from interop.fingerprints.synth import impression as take_impression
from interop.fingerprints.synth import master_fingerprint
from interop.fingerprints.template import Template

FINGER_SEEDS = (11, 12, 13)
IMPRESSIONS = (0, 1)

FingerKey = tuple[int, int]  # (finger index, impression seed)


@pytest.fixture(scope="session")
def finger_images() -> dict[FingerKey, npt.NDArray[np.uint8]]:
    """(finger, impression) -> 500-ppi uint8 image (400 x 304)."""
    images = {}
    for f, seed in enumerate(FINGER_SEEDS):
        master = master_fingerprint(seed)
        for k in IMPRESSIONS:
            images[(f, k)] = take_impression(master, k)
    return images


@pytest.fixture(scope="session")
def finger_templates(
    finger_images: dict[FingerKey, npt.NDArray[np.uint8]],
) -> dict[FingerKey, Template]:
    """(finger, impression) -> template extracted with the default parameters."""
    return {key: extract(image) for key, image in finger_images.items()}
