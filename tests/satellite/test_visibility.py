"""GEO line-of-sight classes."""

from __future__ import annotations

import numpy as np

from alcance.satellite.visibility import GEO_STATUSES, classify_geo_line_of_sight


def test_classes() -> None:
    status = classify_geo_line_of_sight(
        satellite_elevation_deg=[40.0, 40.0, 5.0, 40.0, 40.0, 40.0],
        horizon_elevation_deg=[10.0, 45.0, 1.0, 12.0, 50.0, np.nan],
        min_elevation_deg=10.0,
        horizon_complete=[True, True, True, False, False, False],
        on_terrain=[True, True, True, True, True, False],
    )
    assert list(status) == ["clear", "blocked", "too low", "unverified", "blocked", "no terrain"]
    assert set(status) <= set(GEO_STATUSES)
