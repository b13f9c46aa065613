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
import numpy as np
import pandas as pd
import rasterio
from affine import Affine
from numpy.typing import NDArray

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
        # mkstemp creates the file 0600: give the output the permissions a normally
        # created file would have (0666 less the umask), as the other writers do.
        umask = os.umask(0)
        os.umask(umask)
        if tmp.exists():
            os.chmod(tmp, 0o666 & ~umask)
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
    return write_geopackage_layers(target, {layer: frame})


def write_geopackage_layers(target: str | Path, layers: dict[str, gpd.GeoDataFrame]) -> Path:
    """Write several layers into one GeoPackage atomically (all or nothing)."""
    with atomic_path(target) as tmp:
        for layer, frame in layers.items():
            _gpkg_safe(frame).to_file(tmp, layer=layer, driver="GPKG")
    return Path(target)


def _gpkg_safe(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = frame.copy()
    for col in out.columns:
        if col == out.geometry.name:
            continue
        dtype = out[col].dtype
        if isinstance(dtype, pd.BooleanDtype):
            out[col] = out[col].astype("Int8")
        elif isinstance(dtype, pd.StringDtype) or pd.api.types.is_object_dtype(dtype):
            out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out


def write_cog(
    target: str | Path,
    bands: dict[str, NDArray[np.floating]],
    *,
    transform: Affine,
    crs: str = "EPSG:4326",
    tags: dict[str, str] | None = None,
) -> Path:
    """Write float32 bands as one Cloud-Optimised GeoTIFF (tiled, overviews, DEFLATE),
    atomically; each band's name becomes its description, NaN is the nodata value."""
    names = list(bands)
    if not names:
        raise ValueError("write_cog needs at least one band")
    stack = np.stack([np.asarray(bands[n], dtype=np.float32) for n in names])
    _, rows, cols = stack.shape
    with (
        atomic_path(target) as tmp,
        rasterio.open(
            tmp,
            "w",
            driver="COG",
            width=cols,
            height=rows,
            count=len(names),
            dtype="float32",
            crs=crs,
            transform=transform,
            nodata=float("nan"),
            compress="DEFLATE",
            predictor=3,
            overview_resampling="nearest",
        ) as dst,
    ):
        dst.write(stack)
        for i, name in enumerate(names, start=1):
            dst.set_band_description(i, name)
        if tags:
            dst.update_tags(**tags)
    return Path(target)
