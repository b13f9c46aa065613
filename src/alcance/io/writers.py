"""Atomic writers: write to a temporary file beside the target, then rename."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

__all__ = ["atomic_path", "write_geopackage", "write_json"]


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; rename it onto ``target`` on success.

    The temporary name keeps the target's extension, so format drivers that look at
    it (GDAL's GeoPackage driver) are satisfied.

    On any exception the temporary file is removed and ``target`` is left untouched,
    so a reader never sees a half-written output.
    """
    final = Path(target)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{final.name}.", suffix=f".tmp{final.suffix}", dir=final.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_json(target: str | Path, data: Any) -> Path:
    """Write ``data`` as indented UTF-8 JSON, atomically; return the path."""
    with atomic_path(target) as tmp:
        tmp.write_text(
            json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8"
        )
    return Path(target)


def write_geopackage(target: str | Path, frame: gpd.GeoDataFrame, *, layer: str) -> Path:
    """Write one GeoPackage layer atomically; return the path.

    Nullable pandas dtypes become ones GDAL can store: booleans as 0/1/NULL integers,
    text as strings with NULL for missing.
    """
    out = frame.copy()
    for col in out.columns:
        if col == out.geometry.name:
            continue
        dtype = out[col].dtype
        if isinstance(dtype, pd.BooleanDtype):
            out[col] = out[col].astype("Int8")
        elif isinstance(dtype, pd.StringDtype) or pd.api.types.is_object_dtype(dtype):
            out[col] = out[col].astype(object).where(out[col].notna(), None)
    with atomic_path(target) as tmp:
        out.to_file(tmp, layer=layer, driver="GPKG")
    return Path(target)
