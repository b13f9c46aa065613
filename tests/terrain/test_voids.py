"""Harmonic void filling: reproduces planes, obeys the maximum principle."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.typing import NDArray
from scipy import ndimage

from alcance.errors import InputError
from alcance.terrain import fill_voids

FOUR = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=bool)


def assert_within_neighbour_range(
    filled: NDArray[np.floating], values: NDArray[np.floating], void: NDArray[np.bool_]
) -> None:
    """Each filled void region lies within [min, max] of the valid pixels bordering it.

    Regions (4-connected) with no valid neighbour must stay NaN.
    """
    labels, count = ndimage.label(void, structure=FOUR)
    low = np.full(count + 1, np.inf)
    high = np.full(count + 1, -np.inf)
    rows, cols = void.shape
    for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        here = (slice(max(0, -dr), rows - max(0, dr)), slice(max(0, -dc), cols - max(0, dc)))
        there = (slice(max(0, dr), rows - max(0, -dr)), slice(max(0, dc), cols - max(0, -dc)))
        edge = void[here] & ~void[there]
        np.minimum.at(low, labels[here][edge], values[there][edge].astype(np.float64))
        np.maximum.at(high, labels[here][edge], values[there][edge].astype(np.float64))
    index = np.arange(1, count + 1)
    has_ring = np.isfinite(low[1:])
    filled64 = np.asarray(filled, dtype=np.float64)
    lowest = np.asarray(ndimage.minimum(filled64, labels, index))
    highest = np.asarray(ndimage.maximum(filled64, labels, index))
    tolerance = 1e-3  # float32 storage of values in the thousands of metres
    assert (lowest[has_ring] >= low[1:][has_ring] - tolerance).all()
    assert (highest[has_ring] <= high[1:][has_ring] + tolerance).all()
    orphan = np.isin(labels, index[~has_ring])
    assert np.isnan(filled64[orphan]).all()


def test_a_plane_is_reproduced_exactly_inside_the_grid() -> None:
    """A plane is harmonic, so interior voids are recovered exactly."""
    rows, cols = np.indices((40, 50))
    plane = 250.0 + 1.5 * cols - 0.75 * rows
    void = np.zeros(plane.shape, dtype=bool)
    void[10:20, 5:30] = True  # a block
    void[30, 40] = True  # a single pixel
    edge = np.zeros(plane.shape, dtype=bool)
    edge[0:3, 45:50] = True  # touching the corner: no-flux border, not a plane any more
    broken = np.where(void | edge, -32768.0, plane)
    filled = fill_voids(broken, void | edge)
    np.testing.assert_allclose(filled[~edge], plane[~edge], atol=1e-8)
    assert_within_neighbour_range(filled, plane, void | edge)


def test_regions_without_valid_neighbours_stay_nan_and_domain_is_respected() -> None:
    values = np.arange(36, dtype=np.float64).reshape(6, 6)
    domain = np.ones((6, 6), dtype=bool)
    domain[:, 3:] = False  # right half is not covered by any tile
    void = np.zeros((6, 6), dtype=bool)
    void[2, 2] = True
    filled = fill_voids(values, void, domain=domain)
    assert np.isnan(filled[:, 3:]).all()
    # value = 6 row + col; neighbours in the domain: (1,2)=8, (3,2)=20, (2,1)=13; (2,3) is
    # outside the domain.
    assert filled[2, 2] == pytest.approx((8 + 20 + 13) / 3)
    all_void = fill_voids(values, np.ones((6, 6), dtype=bool))
    assert np.isnan(all_void).all()


@settings(max_examples=50, deadline=None)
@given(
    values=hnp.arrays(np.float64, (12, 15), elements=st.floats(-500.0, 6000.0)),
    void=hnp.arrays(np.bool_, (12, 15)),
)
def test_maximum_principle(values: NDArray[np.float64], void: NDArray[np.bool_]) -> None:
    filled = fill_voids(values, void)
    np.testing.assert_array_equal(filled[~void], values[~void])
    assert_within_neighbour_range(filled, values, void)


def test_shape_mismatch_raises_input_error() -> None:
    with pytest.raises(InputError, match="shapes"):
        fill_voids(np.zeros((3, 3)), np.zeros((3, 4), dtype=bool))
