"""The matcher alone: the FVC protocol on the commercial ISO templates of FVC2002.

Each FVC2002 image ``NNN_K.tif`` comes with ``NNN_K.iso``, an ISO/IEC
19794-2:2005 record made by a commercial extractor. Its coordinates are in
a 300 × 400 frame whatever the image's size (found by overlaying them on
the images), so they are mapped back to the image, and to 500 ppi. Running
the FVC protocol (BENCHMARKS.md §1) on them with our matcher separates the
matcher's share of the error from the extractor's.

Usage::

    .venv/bin/python benchmarks/iso_templates_verify.py [DATA_DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from interop.evaluation.datasets import shared_data_dir
from interop.evaluation.fvc import find_databases, resolution_for
from interop.evaluation.metrics import verification_metrics
from interop.fingerprints.codecs import decode_template
from interop.fingerprints.matcher import PreparedTemplate, compare, prepare
from interop.fingerprints.template import Template

ISO_FRAME = (300, 400)
"""Width and height, px, of the frame the FVC2002 ISO templates are drawn in."""


def image_frame_template(iso: Path, ppi: float) -> Template:
    """The template of ``iso`` in its image's pixel frame, at 500 ppi."""
    t = decode_template(iso.read_bytes())
    with Image.open(iso.with_suffix(".tif")) as im:
        width, height = im.size
    scale = 500.0 / ppi
    m = t.minutiae.copy()
    m["x"] *= width / ISO_FRAME[0] * scale
    m["y"] *= height / ISO_FRAME[1] * scale
    return dataclasses.replace(
        t,
        minutiae=m,
        width=round(width * scale),
        height=round(height * scale),
        resolution_ppi=500,
    )


def main(argv: list[str] | None = None) -> int:
    default = shared_data_dir()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", type=Path, default=default / "fvc2002")
    args = ap.parse_args(argv)
    eers = []
    for folder in find_databases(args.data):
        ppi = resolution_for(folder)
        prepared: dict[str, PreparedTemplate] = {
            iso.stem: prepare(image_frame_template(iso, ppi))
            for iso in sorted(folder.glob("*.iso"))
        }
        genuine, impostor, first = [], [], []
        for a, b in itertools.combinations(sorted(prepared), 2):
            score = compare(prepared[a], prepared[b])
            if a.split("_")[0] == b.split("_")[0]:
                genuine.append(score)
            else:
                impostor.append(score)
                if a.endswith("_1") and b.endswith("_1"):
                    first.append(score)
        m = verification_metrics(np.array(genuine), np.array(impostor), np.array(first))
        eers.append(m.eer)
        print(
            f"{folder.name}: EER {100 * m.eer:.2f}%, FMR100 {100 * m.fmr100:.2f}%, "
            f"FMR1000 {100 * m.fmr1000:.2f}% ({len(genuine)} genuine, {len(impostor)} impostor)"
        )
    print(f"mean EER {100 * float(np.mean(eers)):.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
