"""A typed wrapper around :func:`numba.njit` so that mypy --strict keeps signatures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba

__all__ = ["jit"]

F = TypeVar("F", bound=Callable[..., Any])


def jit(*, parallel: bool = False) -> Callable[[F], F]:
    """Compile a kernel with Numba in nopython mode, cached on disk.

    Parameters
    ----------
    parallel
        Let Numba run ``numba.prange`` loops on several threads.

    Returns
    -------
    Callable
        A decorator that returns the compiled function with the original signature
        (as far as the type checker is concerned).
    """
    return cast(Callable[[F], F], numba.njit(cache=True, parallel=parallel, fastmath=False))
