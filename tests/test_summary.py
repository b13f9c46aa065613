"""The region summary (pure) on the demo and on hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alcance.io import load_demo
from alcance.pipeline import summarize_region
from alcance.summary import summarize_schools, summarize_terrain


def test_demo_summary_matches_the_data_readme() -> None:
    with load_demo() as region:
        summary = summarize_region(region)
    s = summary.schools
    # shared/data/chile-petorca/README.md: 19 schools on the DEM, 18 functioning (14 rural),
    # 2,090 students.
    assert s.n_schools == 19
    assert s.n_operational == 18
    assert s.n_rural == 14
    assert s.students_operational == 2090
    assert s.by_admin_area == {"CABILDO": 7, "LOS ANDES": 1, "PETORCA": 10}
    t = summary.terrain
    assert t is not None
    # demo/README.md: 250 … 4,393 m, no voids, box lon -71.0 … -70.3, lat -32.5 … -32.0.
    assert t.elevation_min_m == 250.0
    assert t.elevation_max_m == 4393.0
    assert t.void_fraction == 0.0
    assert abs(t.west_deg + 71.0) < 1e-3
    assert abs(t.north_deg + 32.0) < 1e-3
    assert 60 < t.width_km < 70
    assert 50 < t.height_km < 60
    # the README's school at 2,833 m (RBD 42161) is the highest
    assert t.school_elevation_max_m is not None
    assert 2700 < t.school_elevation_max_m < 2900
    w = summary.towers
    assert w is not None
    assert (w.n_rows, w.n_sites, w.n_sites_on_terrain) == (21, 14, 11)
    assert [o.site_id for o in w.off_terrain] == ["13026", "13028", "19775"]
    assert all(o.longitude_deg < -71.0 for o in w.off_terrain)
    assert w.sites_by_operator_technology["ENTEL PCS"] == {"GSM": 4}
    data = summary.to_dict()
    assert data["towers"]["off_terrain"][0]["action"].startswith("kept in the register")


def test_unknowns_are_not_guessed() -> None:
    frame = pd.DataFrame(
        {
            "students": pd.array([None, None], dtype="Int64"),
            "is_operational": pd.array([None, None], dtype="boolean"),
            "rural": pd.array([None, True], dtype="boolean"),
            "admin_area": pd.array([None, "X"], dtype="string"),
        }
    )
    s = summarize_schools(frame)
    assert s.students_total is None
    assert s.n_operational is None
    assert s.n_students_unknown == 2
    assert s.rural_share == 1.0
    assert s.n_rural_known == 1


def test_terrain_statistics_skip_voids() -> None:
    z = np.array([[100.0, 200.0], [300.0, 9999.0]], dtype=np.float32)
    void = np.array([[False, False], [False, True]])
    t = summarize_terrain(
        elevation_m=z, void=void, bounds_deg=(0.0, 0.0, 1.0, 1.0), resolution_m=90.0
    )
    assert t.elevation_max_m == 300.0
    assert t.void_fraction == 0.25
    # 1° of longitude at the equator ≈ 111.3 km; 1° of latitude near 0.5° ≈ 110.6 km
    assert abs(t.width_km - 111.3) < 0.2
    assert abs(t.height_km - 110.6) < 0.2
