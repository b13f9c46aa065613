"""What the main job writes about the plan: tables, totals, indicators after, report data.

Pure (no I/O): the pipeline writes the frames and documents these functions return.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from alcance.planner import PlanResult
from alcance.planning import flag_column, number_column
from alcance.report import PlanReport
from alcance.scenario import ServiceSettings

__all__ = ["plan_csv", "plan_report", "plan_totals", "schools_after_plan"]

_CONNECTED_KINDS = ("existing", "new_site", "satellite", "fibre", "microwave")


def _students(schools: pd.DataFrame) -> NDArray[np.float64]:
    students = number_column(schools, "students")
    return np.zeros(len(schools)) if students is None else np.nan_to_num(students, nan=0.0)


def _reported_connected(schools: pd.DataFrame) -> NDArray[np.bool_]:
    return flag_column(schools, "is_connected", False)


def schools_after_plan(
    schools: pd.DataFrame, result: PlanResult, service: ServiceSettings
) -> pd.DataFrame:
    """The school table with ``service_class`` / ``downlink_mbps`` as the plan leaves them.

    A school the plan connects takes the class of its option's Mbit/s (``good`` at or
    above ``service.good_mbps``, ``moderate`` at or above ``moderate_mbps``); every other
    school keeps today's.
    """
    plan = result.decoded["schools"]
    after = schools.copy()
    kind = plan["option_kind"].to_numpy().astype(str)
    connected = np.isin(kind, _CONNECTED_KINDS)
    mbps = plan["mbps"].to_numpy(dtype=float)
    cls = np.where(
        mbps >= service.good_mbps,
        "good",
        np.where(mbps >= service.moderate_mbps, "moderate", "none"),
    )
    classes = np.array(after["service_class"].astype(object).to_numpy(), dtype=object)
    classes[connected] = cls[connected]
    after["service_class"] = classes
    down = after["downlink_mbps"].to_numpy(dtype=float).copy()
    down[connected] = mbps[connected]
    after["downlink_mbps"] = down
    return after


def plan_totals(schools: pd.DataFrame, result: PlanResult) -> dict[str, Any]:
    """Headline figures of the plan (JSON-ready)."""
    plan = result.decoded["schools"]
    kind = plan["option_kind"].to_numpy().astype(str)
    students = _students(schools)
    before = _reported_connected(schools)
    connected = np.isin(kind, _CONNECTED_KINDS)
    after = before | connected
    sol, base = result.solution, result.greedy
    cost_total = (
        sol.cost_options_usd + sol.cost_sites_usd + sol.cost_routes_usd + sol.cost_links_usd
    )
    capex = float(plan["capex_usd"].sum())
    npv = float(plan["npv_usd"].sum())
    sites = result.decoded["sites"]
    links = result.decoded["links"]
    if len(sites):
        capex += float(sites["capex_usd"].sum())
        npv += float(sites["npv_usd"].sum())
    if len(links):
        capex += float(links["capex_usd"].sum())
        npv += float(links["npv_usd"].sum())
    gain = float(sol.weight_connected - base.weight_connected)
    return {
        "objective": result.objective_text,
        "budget_usd": result.budget_usd,
        "cost_in_metric_usd": float(cost_total),
        "capex_usd": capex,
        "npv_usd": npv,
        "students_connected_before": float(students[before].sum()),
        "students_connected_after": float(students[after].sum()),
        "schools_connected_before": int(before.sum()),
        "schools_connected_after": int(after.sum()),
        "schools_by_option": {k: int((kind == k).sum()) for k in _CONNECTED_KINDS},
        "schools_not_connected": int((~after).sum()),
        "new_sites": len(sites),
        "backhaul_links": len(links),
        "solver": sol.solver,
        "status": sol.status,
        "mip_gap": float(sol.mip_gap),
        "solve_time_s": float(sol.solve_time_s),
        "objective_weight": float(sol.weight_connected),
        "greedy_weight": float(base.weight_connected),
        "greedy_students": float(base.weight_connected),
        "greedy_cost_usd": float(base.total_cost_usd),
        "gain_students": gain,
        "gain_pct": (100.0 * gain / base.weight_connected) if base.weight_connected > 0 else None,
    }


def plan_csv(schools: pd.DataFrame, result: PlanResult) -> pd.DataFrame:
    """One row per school: identity, location, students, today's class and the plan."""
    keep = [
        c
        for c in (
            "school_id",
            "name",
            "admin_area",
            "latitude_deg",
            "longitude_deg",
            "students",
            "service_class",
            "downlink_mbps",
        )
        if c in schools
    ]
    today = pd.DataFrame(schools[keep]).reset_index(drop=True)
    today = today.rename(
        columns={"service_class": "service_today", "downlink_mbps": "downlink_today_mbps"}
    )
    plan = result.decoded["schools"].drop(columns="school_id").reset_index(drop=True)
    return pd.concat([today, plan], axis=1)


def _by_area(schools: pd.DataFrame, result: PlanResult) -> pd.DataFrame | None:
    if "admin_area" not in schools:
        return None
    plan = result.decoded["schools"]
    kind = plan["option_kind"].to_numpy().astype(str)
    before = _reported_connected(schools)
    after = before | np.isin(kind, _CONNECTED_KINDS)
    frame = pd.DataFrame(
        {
            "area": schools["admin_area"].astype("string").fillna("—").to_numpy(),
            "schools": 1,
            "students": _students(schools),
            "connected_before": before.astype(int),
            "connected_after": after.astype(int),
            "students_after": np.where(after, _students(schools), 0.0),
            "cost_usd": plan["npv_usd"].to_numpy(dtype=float),
        }
    )
    return frame.groupby("area", as_index=False).sum()


def plan_report(
    schools: gpd.GeoDataFrame, result: PlanResult, *, metric: str, currency: str
) -> PlanReport:
    """The plan in the shape :func:`alcance.report.render_report` draws."""
    d = result.decoded
    plan = d["schools"]
    frame = pd.DataFrame(
        {
            "school_id": plan["school_id"].to_numpy(),
            "longitude_deg": schools["longitude_deg"].to_numpy(dtype=float),
            "latitude_deg": schools["latitude_deg"].to_numpy(dtype=float),
            "option_kind": plan["option_kind"].to_numpy(),
            "option_detail": plan["option_detail"].to_numpy(),
            "demand_mbps": plan["demand_mbps"].to_numpy(dtype=float),
            "mbps": plan["mbps"].to_numpy(dtype=float),
            "capex_usd": plan["capex_usd"].to_numpy(dtype=float),
            "npv_usd": plan["npv_usd"].to_numpy(dtype=float),
        }
    )
    for col in ("name", "students", "admin_area"):
        if col in schools:
            frame[col] = schools[col].to_numpy()
    reported = _reported_connected(schools)
    frame.loc[reported & (frame["option_kind"] == "not_connected"), "option_kind"] = (
        "already_connected"
    )
    bh = result.backhaul
    xy: dict[str, tuple[float, float]] = {
        str(k): (float(x), float(y))
        for k, x, y in zip(
            bh.nodes["node_id"] if len(bh.nodes) else [],
            bh.nodes["longitude_deg"] if len(bh.nodes) else [],
            bh.nodes["latitude_deg"] if len(bh.nodes) else [],
            strict=True,
        )
    }
    school_lon = frame["longitude_deg"].to_numpy(dtype=float)
    school_lat = frame["latitude_deg"].to_numpy(dtype=float)
    school_ids = frame["school_id"].astype(str).to_numpy()
    option = frame["option_kind"].astype(str).to_numpy()
    lines: list[dict[str, Any]] = []

    def line(kind: str, a: tuple[float, float], b: tuple[float, float], label: str) -> None:
        lines.append(
            {
                "kind": kind,
                "lon_a_deg": a[0],
                "lat_a_deg": a[1],
                "lon_b_deg": b[0],
                "lat_b_deg": b[1],
                "label": label,
            }
        )

    links = d["links"]
    if len(links):
        for lid, kind, a, b in zip(
            links["link_id"].astype(str),
            links["kind"].astype(str),
            links["a"].astype(str),
            links["b"].astype(str),
            strict=True,
        ):
            if a in xy and b in xy:
                line(kind, xy[a], xy[b], lid)
    site_of = plan["site_id"].astype(str).to_numpy()
    for i in np.flatnonzero(option == "new_site"):
        sid = site_of[i]
        if sid in xy:
            line(
                "access",
                xy[sid],
                (school_lon[i], school_lat[i]),
                f"{sid} → {school_ids[i]}",
            )
    if bh.school_hops is not None and len(bh.school_hops):
        pop_of = dict(
            zip(
                bh.school_hops["school_id"].astype(str),
                bh.school_hops["pop_id"].astype(str),
                strict=True,
            )
        )
        for i in np.flatnonzero(option == "microwave"):
            pop = pop_of.get(school_ids[i])
            if pop is not None and pop in xy:
                line(
                    "microwave",
                    (school_lon[i], school_lat[i]),
                    xy[pop],
                    f"{school_ids[i]} → {pop}",
                )
    sites = d["sites"]
    new_sites = sites.rename(columns={"candidate_id": "site_id"}).reindex(
        columns=[
            "site_id",
            "longitude_deg",
            "latitude_deg",
            "kind",
            "mast_height_m",
            "schools_served",
            "capex_usd",
            "npv_usd",
            "backhaul",
        ]
    )
    sweep = result.sweep
    if len(sweep):
        sweep = sweep.rename(columns={"greedy_weight_connected": "greedy_weight"})
    return PlanReport(
        schools=frame,
        new_sites=new_sites,
        links=pd.DataFrame(
            lines, columns=["kind", "lon_a_deg", "lat_a_deg", "lon_b_deg", "lat_b_deg", "label"]
        ),
        sweep=sweep,
        budget_usd=result.budget_usd,
        objective=result.objective_text,
        metric="NPV" if metric == "npv" else "CAPEX",
        totals=plan_totals(schools, result),
        by_area=_by_area(schools, result),
        currency=currency,
    )
