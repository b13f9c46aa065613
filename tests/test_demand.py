"""School demand policies, checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from alcance.demand import POLICIES, DemandSettings, school_demand_mbps
from alcance.errors import InputError

STUDENTS = [2.0, 50.0, 500.0, float("nan")]


def test_floor_policy_gives_floor_to_everyone() -> None:
    got = school_demand_mbps(STUDENTS, DemandSettings(policy="floor", floor_mbps=20.0))
    np.testing.assert_allclose(got, [20.0, 20.0, 20.0, 20.0])


def test_per_student_policy_by_hand() -> None:
    s = DemandSettings(
        policy="per_student", kbps_per_student=1000.0, concurrency=0.2, per_student_min_mbps=1.0
    )
    # 2 x 1000 x 0.2 / 1000 = 0.4 -> min 1; 50 -> 10; 500 -> 100; unknown -> floor 20
    np.testing.assert_allclose(school_demand_mbps(STUDENTS, s), [1.0, 10.0, 100.0, 20.0])


def test_max_policy_by_hand() -> None:
    s = DemandSettings(policy="max", kbps_per_student=1000.0, concurrency=0.2, floor_mbps=20.0)
    np.testing.assert_allclose(school_demand_mbps(STUDENTS, s), [20.0, 20.0, 100.0, 20.0])


def test_unknown_enrolment_from_nullable_series_and_shape_kept() -> None:
    students = pd.Series([100, pd.NA, 0], dtype="Int64")
    s = DemandSettings(policy="per_student", floor_mbps=15.0, per_student_min_mbps=2.0)
    np.testing.assert_allclose(school_demand_mbps(students, s), [20.0, 15.0, 2.0])
    grid = school_demand_mbps(np.array([[10.0, 20.0], [30.0, 40.0]]), s)
    assert grid.shape == (2, 2)
    assert school_demand_mbps(None, s).shape == ()


@pytest.mark.parametrize("bad", [[-1.0], [10.0, "many"], [1e7]])
def test_bad_students_rejected_naming_field(bad: list[object]) -> None:
    with pytest.raises(InputError) as info:
        school_demand_mbps(bad, DemandSettings())  # type: ignore[arg-type]
    assert info.value.field == "students"


def test_settings_validation_and_metadata() -> None:
    with pytest.raises(ValidationError):
        DemandSettings(policy="average")
    with pytest.raises(ValidationError):
        DemandSettings(concurrency=1.5)
    with pytest.raises(ValidationError):
        DemandSettings(floor_mbps=0.0)
    assert set(POLICIES) == {"floor", "per_student", "max"}
    for name, field in DemandSettings.model_fields.items():
        extra = field.json_schema_extra
        assert isinstance(extra, dict), name
        assert extra.get("unit"), name
        assert extra.get("source"), name
        assert field.description, name
