"""Radio propagation models, one module per model, each validated against official data.

* :mod:`alcance.propagation.itm` — ITS Irregular Terrain Model (Longley–Rice),
  point-to-point and area mode, batched with Numba (NTIA/itm v1.4).

Import the model module you need (``from alcance.propagation import itm``); this package
does not import them itself, so that importing it stays cheap.
"""

from __future__ import annotations

__all__: list[str] = []
