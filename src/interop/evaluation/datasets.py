"""Where the outside benchmark data sets live.

They are never copied into the repository: ``INTEROP_DATA`` names their
folder; without it, ``../shared/data`` beside the checkout is used.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "INTEROP_DATA"


def shared_data_dir() -> Path:
    """Folder of the outside data sets (``fvc2002/``, ``ansi-nist/``, ...).

    ``$INTEROP_DATA`` if set, else ``shared/data`` beside the checkout this
    package was installed from (editable install), else beside the current
    directory's parent.
    """
    if ENV_VAR in os.environ:
        return Path(os.environ[ENV_VAR])
    for parent in Path(__file__).resolve().parents:
        if (parent / "pyproject.toml").is_file():
            return parent.parent / "shared" / "data"
    return Path.cwd().parent / "shared" / "data"
