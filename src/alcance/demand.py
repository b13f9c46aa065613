"""Bandwidth each school needs, from its enrolment and a policy (pure, no I/O).

Policies (the one table below drives dispatch and the error message):

========== ===========================================================================
floor      every school needs ``floor_mbps`` (Giga: 20 Mbit/s per school)
per_student ``students × kbps_per_student × concurrency / 1000``, at least
           ``per_student_min_mbps``
max        the larger of ``floor`` and ``per_student``
========== ===========================================================================

A school whose enrolment is unknown (NaN, ``None``, ``pd.NA``) gets ``floor_mbps``
under every policy: the benchmark is the only figure that does not need the count.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
from numpy.typing import NDArray
from pydantic import Field

from alcance._settings import Section, meta
from alcance.errors import InputError

__all__ = ["POLICIES", "DemandSettings", "school_demand_mbps"]

#: Demand policies and what each one means.
POLICIES: dict[str, str] = {
    "floor": "floor_mbps for every school",
    "per_student": "students x kbps_per_student x concurrency, at least per_student_min_mbps",
    "max": "the larger of floor and per_student",
}

#: Enrolment per school: numbers, NaN / ``None`` / ``pd.NA`` for unknown.
Students: TypeAlias = npt.ArrayLike | pd.Series | Sequence[float | None] | None

#: Largest plausible enrolment of one school (as in alcance.io.schools).
_MAX_STUDENTS = 100_000


class DemandSettings(Section):
    """How much bandwidth a school needs (scenario section ``[demand]``)."""

    policy: Literal["floor", "per_student", "max"] = Field(
        "floor",
        description="floor: the same rate for every school; per_student: from enrolment; max: the larger",
        json_schema_extra=meta(
            "-", "Alcance default: the Giga per-school benchmark, comparable across programmes"
        ),
    )
    floor_mbps: float = Field(
        20.0,
        gt=0,
        le=100_000,
        description="Rate every school needs under 'floor' and 'max', and any school of unknown enrolment",
        json_schema_extra=meta(
            "Mbit/s",
            "UNICEF/ITU Giga school connectivity benchmark, 20 Mbps per school (also "
            "scenario.bandwidth_demand = 20 in unicef/giga-open-cost-model conf/countries/*.json)",
        ),
    )
    kbps_per_student: float = Field(
        1000.0,
        gt=0,
        le=1_000_000,
        description="Rate per student online at the same time",
        json_schema_extra=meta(
            "kbit/s",
            "US FCC E-rate Modernization Order (FCC 14-99, 2014) long-term goal of 1 Mbps per "
            "student for the school's external Internet connection (short-term 100 kbps), as "
            "tabulated by EducationSuperHighway 'K-12 Bandwidth Goals'; the FCC counts enrolled "
            "students, Alcance applies the rate to students online at once (× concurrency)",
        ),
    )
    concurrency: float = Field(
        0.2,
        gt=0,
        le=1,
        description="Share of enrolled students online at the same time at the busy hour",
        json_schema_extra=meta(
            "-",
            "Alcance assumption: shared devices and shift timetables in rural schools; 0.2 × "
            "1 Mbps = 200 kbps per enrolled student, between the FCC's short-term 100 kbps and "
            "long-term 1 Mbps per-enrolled-student targets",
        ),
    )
    per_student_min_mbps: float = Field(
        1.0,
        ge=0,
        le=100_000,
        description="Lowest rate the 'per_student' policy gives (very small schools)",
        json_schema_extra=meta(
            "Mbit/s", "Alcance service classes: below 1 Mbps a school counts as unserved"
        ),
    )


def _students(students: Students) -> NDArray[np.float64]:
    """Enrolment as float64 with NaN for unknown; InputError naming ``students``."""
    try:
        arr = pd.array(np.asarray(students, dtype=object).ravel(), dtype="Float64")
    except (TypeError, ValueError) as exc:
        msg = f"students must be numbers or missing, got {students!r}"
        raise InputError(msg, field="students") from exc
    shape = np.shape(np.asarray(students, dtype=object))
    out = np.asarray(arr.to_numpy(dtype=np.float64, na_value=np.nan)).reshape(shape)
    bad = ~np.isnan(out) & ~((out >= 0) & (out <= _MAX_STUDENTS))
    if np.any(bad):
        msg = f"students must be within [0, {_MAX_STUDENTS}], got {out[bad].flat[0]!r}"
        raise InputError(msg, field="students")
    return out


def school_demand_mbps(students: Students, settings: DemandSettings) -> NDArray[np.float64]:
    """Download rate each school needs (Mbit/s).

    Parameters
    ----------
    students
        Enrolled students per school (persons), ≥ 0; NaN / ``None`` / ``pd.NA`` =
        unknown.
    settings
        The ``[demand]`` section.

    Returns
    -------
    ndarray
        Mbit/s per school, same shape as ``students``. Unknown enrolment → ``floor_mbps``
        whatever the policy.

    Raises
    ------
    InputError
        For a negative, non-numeric or implausibly large enrolment (field
        ``students``).

    Notes
    -----
    ``per_student = max(N × kbps × c / 1000, min)``; ``max`` policy =
    ``max(floor, per_student)``.
    """
    n = _students(students)
    unknown = np.isnan(n)
    per_student = np.maximum(
        n * settings.kbps_per_student * settings.concurrency / 1000.0,
        settings.per_student_min_mbps,
    )
    if settings.policy == "floor":
        demand = np.full(n.shape, settings.floor_mbps)
    elif settings.policy == "per_student":
        demand = per_student
    else:
        demand = np.maximum(per_student, settings.floor_mbps)
    return np.where(unknown, settings.floor_mbps, demand)
