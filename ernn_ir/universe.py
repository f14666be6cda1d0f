"""Makes the ernn dialect, passes and targets visible to the stock `xdsl-opt`.

Registered through the `xdsl.universe` entry point in pyproject.toml.
"""

from xdsl.universe import Universe

from ernn_ir.registry import all_dialects, all_passes, all_targets

ERNN_UNIVERSE = Universe(
    all_dialects=all_dialects(),
    all_passes=all_passes(),
    all_targets=all_targets(),
)
