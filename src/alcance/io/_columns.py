"""The one table that maps source column names onto Alcance's standard names.

Every reader looks columns up here, so a new source layout is supported by adding its
names to one tuple. Names are compared after :func:`normalise_name` (lower case, accents
stripped, spaces/dashes/dots as underscores). The first alias present in a file wins,
except that an alias whose column is empty in every row is skipped.

Sources of the layouts:

* Giga / ITU FNS templates — ``points-of-interest`` (``poi_id, lat, lon, is_connected,
  connectivity_type, has_electricity, admin1..3``) and ``cell-sites`` (``ict_id, lat,
  lon, radio_type, eirp_dbm, antenna_height, azimuth_degrees, …``),
  FNS-Division/mobile-network-capacity-checker ``data_templates/``; Giga's school
  master schema (``school_id_giga, school_id_govt, school_name, latitude, longitude,
  education_level, school_area_type, num_students, electricity_availability,
  connectivity_govt, connectivity_type_govt, is_school_open``), as in
  unicef/giga-meter-backend.
* Chile MINEDUC *Directorio Oficial de Establecimientos* (``RBD, NOM_RBD, LATITUD,
  LONGITUD, MAT_TOTAL, RURAL_RBD, ESTADO_ESTAB, NOM_COM_RBD``) and its 2020 enrolment
  layer (``MAT_TOT``); the renamed copies in ``shared/data`` (``school_id, rbd, lat,
  lon, rural, students, status``).
* Peru MINEDU ESCALE *padrón* (``COD_MOD, CODLOCAL, CEN_EDU, NLAT_IE, NLONG_IE,
  TALUMNO, DAREACENSO, D_NIV_MOD, D_DIST, D_ESTADO``).
* OpenCelliD cell export (``radio, mcc, net, area, cell, unit, lon, lat, range,
  samples, changeable, created, updated, averageSignal``).
* Chile SUBTEL antenna registry as in ``shared/data/chile-petorca/towers_subtel.csv``
  (``element_id, site_id, operator, support_height_m, technology, freq_mhz``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping

__all__ = [
    "OPENCELLID_COLUMNS",
    "SCHOOL_COLUMNS",
    "TOWER_COLUMNS",
    "match_columns",
    "normalise_name",
]


def normalise_name(name: str) -> str:
    """Lower-case ``name``, strip accents and turn separators into underscores."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    text = text.strip().lower()
    for sep in (" ", "-", ".", "/"):
        text = text.replace(sep, "_")
    return text


# The alias tables are laid out as tables, one standard field per entry.
# fmt: off

#: Standard school field → aliases, most specific first.
SCHOOL_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "school_id": (
        "school_id", "id", "poi_id", "giga_id_school", "school_id_giga", "school_id_govt",
        "rbd", "cod_mod", "codlocal", "codigo_modular", "cod_local", "codigo", "code",
    ),
    "latitude_deg": ("latitude_deg", "lat", "latitude", "latitud", "nlat_ie", "lat_deg", "y"),
    "longitude_deg": (
        "longitude_deg", "lon", "lng", "long", "longitude", "longitud", "nlong_ie", "lon_deg",
        "x",
    ),
    "name": ("name", "school_name", "nombre", "nom_rbd", "cen_edu", "nombre_ie", "nom_ie"),
    "students": (
        "students", "num_students", "student_count", "enrollment", "mat_total", "mat_tot",
        "talumno", "alumnos", "matricula_total",
    ),
    "level": (
        "level", "education_level", "school_level", "nivel", "d_niv_mod", "niv_mod",
        "nivel_modalidad",
    ),
    "admin_area": (
        "admin_area", "commune", "comuna", "nom_com_rbd", "nom_com", "district", "distrito",
        "d_dist", "admin3", "admin2", "admin1", "province", "provincia", "d_prov", "region",
        "d_dpto",
    ),
    "rural": (
        "rural", "is_rural", "rural_rbd", "dareacenso", "area_censo", "urban_rural",
        "school_area_type", "area",
    ),
    "has_electricity": (
        "has_electricity", "electricity", "electricity_availability", "electricidad",
        "has_power",
    ),
    "is_connected": (
        "is_connected", "connected", "has_internet", "internet", "connectivity",
        "connectivity_govt", "conectividad",
    ),
    "connectivity_type": (
        "connectivity_type", "connectivity_type_govt", "connectivity_technology",
        "tipo_conexion",
    ),
    "status": (
        "status", "estado_estab", "status_code", "d_estado", "estado", "is_school_open",
    ),
}

#: Standard cell/antenna field → aliases, most specific first.
TOWER_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "cell_id": ("cell_id", "element_id", "ict_id", "id", "source_cell_id", "antenna_id"),
    "site_id": ("site_id", "site", "tower_id", "support_id", "codigo_soporte"),
    "latitude_deg": ("latitude_deg", "lat", "latitude", "latitud", "lat_deg"),
    "longitude_deg": ("longitude_deg", "lon", "lng", "long", "longitude", "longitud", "lon_deg"),
    "operator": ("operator", "operator_name", "carrier", "empresa", "operador"),
    "technology": ("technology", "radio_type", "radio", "tech", "rat", "tecnologia"),
    "freq_mhz": (
        "freq_mhz", "frequency_mhz", "downlink_frequency_mhz", "band_mhz", "frequency",
        "freq",
    ),
    "height_m": (
        "height_m", "antenna_height_m", "antenna_height", "support_height_m", "tower_height",
        "height", "altura",
    ),
    "eirp_dbm": ("eirp_dbm", "eirp"),
    "azimuth_deg": ("azimuth_deg", "azimuth_degrees", "azimuth"),
    "mechanical_tilt_deg": ("mechanical_tilt_deg", "mechanical_tilt_degrees", "tilt_deg", "tilt"),
    "electrical_tilt_deg": ("electrical_tilt_deg", "electrical_tilt_degrees"),
    "antenna_gain_dbi": ("antenna_gain_dbi", "antenna_gain"),
    "h_beamwidth_deg": (
        "h_beamwidth_deg", "antenna_horizontal_beamwidth_degrees", "horizontal_beamwidth",
    ),
    "v_beamwidth_deg": (
        "v_beamwidth_deg", "antenna_vertical_beamwidth_degrees", "vertical_beamwidth",
    ),
    "bandwidth_mhz": ("bandwidth_mhz", "max_channel_bandwidth_mhz", "channel_bandwidth_mhz"),
    "range_m": ("range_m", "range"),
}

#: OpenCelliD export columns (files are often published without a header).
OPENCELLID_COLUMNS: tuple[str, ...] = (
    "radio", "mcc", "net", "area", "cell", "unit", "lon", "lat", "range", "samples",
    "changeable", "created", "updated", "averageSignal",
)

# fmt: on


def match_columns(
    columns: Iterable[str],
    table: Mapping[str, tuple[str, ...]],
    *,
    empty: Iterable[str] = (),
) -> dict[str, str]:
    """Map standard names to the source column that provides each.

    Parameters
    ----------
    columns
        Source column names as they appear in the file.
    table
        One of the alias tables above.
    empty
        Source columns that hold no value in any row; they are passed over so that a
        later alias with data can win.

    Returns
    -------
    dict
        ``{standard_name: source_column}`` for every standard name found.
    """
    empty_set = set(empty)
    by_norm: dict[str, str] = {}
    for name in columns:
        by_norm.setdefault(normalise_name(name), name)
    found: dict[str, str] = {}
    used: set[str] = set()
    for standard, aliases in table.items():
        fallback: str | None = None
        for alias in aliases:
            col = by_norm.get(alias)
            if col is None or col in used:
                continue
            if col in empty_set:
                fallback = fallback or col
                continue
            found[standard] = col
            break
        else:
            if fallback is not None:
                found[standard] = fallback
        if standard in found:
            used.add(found[standard])
    return found
