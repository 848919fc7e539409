"""Gallery of synthetic fingerprints: docs/img/synth-gallery.png.

Top row: one impression of a finger of each pattern class. Bottom row: five
impressions of one finger (placement, distortion, contact, skin and noise
differ). Deterministic.

Usage::

    .venv/bin/python benchmarks/synth_gallery.py [OUT.png]
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from interop.fingerprints.synth import PatternClass, impression, master_fingerprint

OUT = Path(__file__).resolve().parents[1] / "docs/img/synth-gallery.png"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else OUT
    classes = list(PatternClass)
    fig, axes = plt.subplots(2, len(classes), figsize=(2.2 * len(classes), 6.2))
    for k, cls in enumerate(classes):
        master = master_fingerprint(100 + k, pattern=cls)
        axes[0, k].imshow(impression(master, 0), cmap="gray", vmin=0, vmax=255)
        axes[0, k].set_title(cls.value.replace("_", " "), fontsize=9)
    finger = master_fingerprint(200, pattern=PatternClass.WHORL)
    for k in range(len(classes)):
        axes[1, k].imshow(impression(finger, k + 1), cmap="gray", vmin=0, vmax=255)
        axes[1, k].set_title(f"same finger, impression {k + 1}", fontsize=8)
    for ax in axes.ravel():
        ax.set_axis_off()
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
