"""The ``alcance`` command (Typer + Rich): a thin face over :mod:`alcance.pipeline`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from alcance import __version__
from alcance.errors import AlcanceError
from alcance.pipeline import STAGES, load_scenario, run_main_job
from alcance.summary import RegionSummary

__all__ = ["app", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=False,
    help="Alcance: plan internet for schools over real terrain. With no arguments, runs the built-in demo (Petorca, Chile).",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"alcance {__version__}")
        raise typer.Exit


@app.callback(invoke_without_command=True)
def run(
    ctx: typer.Context,
    scenario: Annotated[
        Path | None,
        typer.Option("--scenario", "-s", help="Scenario TOML; default: the built-in demo region."),
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the outputs.")] = Path(
        "alcance-output"
    ),
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Run the main job on a scenario (default: the built-in demo) and print the summary."""
    if ctx.invoked_subcommand is not None:
        return
    console = Console()
    try:
        chosen = load_scenario(scenario)
        with Progress(
            TextColumn("[bold blue]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as progress:
            task = progress.add_task("reading inputs", total=len(STAGES))

            def advance(stage: str) -> None:
                following = STAGES.index(stage) + 1
                label = STAGES[following] if following < len(STAGES) else "done"
                progress.update(task, advance=1, description=label)

            result = run_main_job(chosen, output_dir=output, progress=advance)
    except AlcanceError as exc:
        console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(code=2) from exc
    print_summary(result.summary, console)
    print_schools(result.schools, console)
    if result.plan is not None:
        print_plan(result.plan, console)
    for name, path in result.outputs.items():
        console.print(f"[green]wrote[/] {name}: {path}")


@app.command()
def assumptions(
    scenario: Annotated[
        Path | None, typer.Option("--scenario", "-s", help="Scenario TOML; default: the demo's.")
    ] = None,
) -> None:
    """List every assumption of a scenario with its value, unit and source."""
    console = Console()
    try:
        chosen = load_scenario(scenario)
    except AlcanceError as exc:
        console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(code=2) from exc
    table = Table(title="Scenario assumptions")
    for column in ("setting", "value", "unit", "source"):
        table.add_column(column)
    for row in chosen.assumptions():
        table.add_row(row.name, row.value, row.unit, row.source)
    console.print(table)


def _money(value: object) -> str:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"
    return "–" if number != number else f"{number:,.0f}"


def print_plan(totals: dict[str, Any], console: Console) -> None:
    """The plan's headline figures: what is connected, how, at what cost, vs greedy."""
    table = Table(title="The plan", show_header=False)
    table.add_column("", style="bold")
    table.add_column("")
    table.add_row("objective", str(totals.get("objective", "")))
    budget = totals.get("budget_usd")
    table.add_row("budget (USD)", "–" if budget is None else _money(budget))
    table.add_row(
        "schools connected",
        f"{totals.get('schools_connected_before', 0)} → {totals.get('schools_connected_after', 0)}",
    )
    table.add_row(
        "students connected",
        f"{_money(totals.get('students_connected_before'))} → "
        f"{_money(totals.get('students_connected_after'))}",
    )
    by_option = totals.get("schools_by_option", {})
    table.add_row(
        "schools by option",
        ", ".join(f"{k} {v}" for k, v in by_option.items() if v) or "none",
    )
    table.add_row("new sites", str(totals.get("new_sites", 0)))
    table.add_row("CAPEX (USD)", _money(totals.get("capex_usd")))
    table.add_row("lifetime cost, NPV (USD)", _money(totals.get("npv_usd")))
    gap = totals.get("mip_gap")
    table.add_row(
        "solver",
        f"{totals.get('solver', '')} {totals.get('status', '')}"
        + ("" if gap is None or gap != gap else f", MIP gap {100 * float(gap):.2f} %"),
    )
    table.add_row(
        "greedy baseline",
        f"{_money(totals.get('greedy_students'))} students "
        f"(optimiser gain {_money(totals.get('gain_students'))})",
    )
    console.print(table)


def _fmt_int(value: int | None) -> str:
    return "not given" if value is None else f"{value:,}"


def print_summary(summary: RegionSummary, console: Console) -> None:
    """Render a :class:`RegionSummary` as Rich tables."""
    console.rule(f"[bold]{summary.name}")
    s = summary.schools
    table = Table(title="Schools", show_header=False)
    table.add_row("schools", f"{s.n_schools:,}")
    table.add_row("functioning", "not given" if s.n_operational is None else f"{s.n_operational:,}")
    table.add_row("students (functioning schools)", _fmt_int(s.students_operational))
    rural = (
        "not given"
        if s.rural_share is None
        else f"{s.n_rural} of {s.n_rural_known} ({s.rural_share:.0%})"
    )
    table.add_row("rural", rural)
    table.add_row("outside the terrain", f"{s.n_off_terrain}")
    if s.by_admin_area:
        table.add_row("by area", ", ".join(f"{k} {v}" for k, v in s.by_admin_area.items()))
    console.print(table)
    t = summary.terrain
    if t is not None:
        table = Table(title="Terrain", show_header=False)
        table.add_row(
            "extent",
            f"lon {t.west_deg:.3f} … {t.east_deg:.3f}, lat {t.south_deg:.3f} … {t.north_deg:.3f}",
        )
        table.add_row(
            "size", f"{t.width_km:.1f} km × {t.height_km:.1f} km, {t.resolution_m:.0f} m pixels"
        )
        table.add_row(
            "relief",
            f"{t.elevation_min_m:,.0f} … {t.elevation_max_m:,.0f} m (mean {t.elevation_mean_m:,.0f} m, "
            f"5–95 % {t.elevation_p05_m:,.0f} … {t.elevation_p95_m:,.0f} m)",
        )
        if t.school_elevation_min_m is not None and t.school_elevation_max_m is not None:
            table.add_row(
                "schools at", f"{t.school_elevation_min_m:,.0f} … {t.school_elevation_max_m:,.0f} m"
            )
        table.add_row("voids", f"{t.void_fraction:.2%} of pixels")
        console.print(table)
    w = summary.towers
    if w is not None:
        table = Table(
            title=f"Existing tower sites by operator and technology ({w.n_sites} sites, {w.n_rows} rows)"
        )
        techs = sorted({tech for per in w.sites_by_operator_technology.values() for tech in per})
        table.add_column("operator")
        for tech in techs:
            table.add_column(tech, justify="right")
        for operator, per in w.sites_by_operator_technology.items():
            table.add_row(operator, *[str(per.get(tech, "")) for tech in techs])
        console.print(table)
        if w.off_terrain:
            off = Table(title=f"[yellow]{len(w.off_terrain)} tower rows lie outside the terrain")
            for column in ("row", "element", "site", "operator", "tech", "lat", "lon"):
                off.add_column(column)
            for row in w.off_terrain:
                off.add_row(
                    str(row.source_row),
                    row.cell_id,
                    row.site_id,
                    row.operator,
                    row.technology,
                    f"{row.latitude_deg:.5f}",
                    f"{row.longitude_deg:.5f}",
                )
            console.print(off)
            console.print(f"What was done with them: {w.off_terrain[0].action}.")
    sat = summary.satellite
    if sat is not None:
        c = sat.counts
        lon = f"{abs(sat.geo_longitude_deg):g}° {'W' if sat.geo_longitude_deg < 0 else 'E'}"
        look = (
            ""
            if sat.elevation_min_deg is None or sat.elevation_max_deg is None
            else f", look angle {sat.elevation_min_deg:.1f}…{sat.elevation_max_deg:.1f}°"
        )
        console.print(
            f"[bold]Satellite[/] (GEO at {lon}{look}): {c['clear']} schools clear, "
            f"[bold]{c['blocked']} blocked by terrain[/], {c['too low']} below {sat.min_elevation_deg:g}° elevation, "
            f"{c['unverified']} unverified (terrain beyond the DEM), {c['no terrain']} off the DEM"
        )
        if sat.forward_mbps_min is not None and sat.forward_mbps_max is not None:
            console.print(
                f"  forward carrier at {sat.availability_pct:g} % availability: "
                f"{sat.forward_mbps_min:.0f}…{sat.forward_mbps_max:.0f} Mbit/s per carrier "
                "(shared by the schools on it; capacity and contention come with the plan)"
            )
        if sat.blocked_school_ids:
            console.print("  blocked: " + ", ".join(sat.blocked_school_ids))
    cov = summary.coverage
    if cov is not None:
        heading = (
            "greenfield: no existing towers"
            if cov.greenfield
            else (
                f"{cov.cells_evaluated} cells evaluated over the terrain with {cov.model.upper()}"
                + (
                    f", {cov.cells_not_evaluated} not (off the terrain)"
                    if cov.cells_not_evaluated
                    else ""
                )
            )
        )
        table = Table(title=f"Schools reached by today's towers ({heading})")
        table.add_column("class")
        table.add_column("schools", justify="right")
        table.add_column("students", justify="right")
        labels = {
            "good": f"good (≥ {cov.good_mbps:g} Mbit/s)",
            "moderate": f"moderate ({cov.moderate_mbps:g}–{cov.good_mbps:g} Mbit/s)",
            "none": f"none (< {cov.moderate_mbps:g} Mbit/s)",
            "unknown": "unknown (no terrain)",
        }
        for name, label in labels.items():
            table.add_row(
                label,
                str(cov.schools_by_class.get(name, 0)),
                f"{cov.students_by_class.get(name, 0):,}",
            )
        console.print(table)
        if cov.area_share_by_class:
            shares = ", ".join(f"{k} {v:.0%}" for k, v in cov.area_share_by_class.items())
            console.print(
                f"  area (coverage.tif, {cov.raster_resolution_m:.0f} m pixels): {shares}"
            )
    for note in summary.notes:
        console.print(f"[yellow]note:[/] {note}")


#: Schools listed on the console (all are in schools.gpkg and report.html).
MAX_SCHOOL_ROWS = 40


def _num(value: object, fmt: str) -> str:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return "–" if pd.isna(number) else format(float(number), fmt)


def print_schools(schools: pd.DataFrame, console: Console) -> None:
    """One line per school: class, Mbit/s, best server, probability of coverage."""
    if "service_class" not in schools:
        return
    table = Table(title="Today's service per school (best server over the terrain)")
    for column in (
        "school",
        "name",
        "students",
        "class",
        "down Mbit/s",
        "up Mbit/s",
        "server",
        "km",
        "P(≥ moderate)",
    ):
        table.add_column(
            column,
            justify="right" if column not in ("school", "name", "class", "server") else "left",
        )
    colour = {"good": "green", "moderate": "yellow", "none": "red", "unknown": "dim"}
    order = schools.sort_values("downlink_mbps", ascending=False, na_position="last")
    shown = order.head(MAX_SCHOOL_ROWS)
    for _, row in shown.iterrows():
        cls = str(row["service_class"])
        server = (
            f"{row['best_technology']} {row['best_freq_mhz']:.0f} MHz @ {row['best_site_id']}"
            if row["best_site_id"]
            else "–"
        )

        table.add_row(
            str(row["school_id"]),
            "–" if pd.isna(row["name"]) else str(row["name"])[:28],
            "–" if pd.isna(row["students"]) else f"{int(row['students']):,}",
            f"[{colour.get(cls, 'white')}]{cls}[/]",
            _num(row["downlink_mbps"], ".1f"),
            _num(row["uplink_mbps"], ".1f"),
            server,
            _num(row["best_distance_km"], ".1f"),
            _num(row["coverage_probability_pct"], ".0f")
            + ("%" if pd.notna(row["coverage_probability_pct"]) else ""),
        )
    if len(order) > len(shown):
        table.caption = (
            f"… and {len(order) - len(shown)} more schools in schools.gpkg and report.html"
        )
    console.print(table)


def main() -> None:
    """Console-script entry point."""
    app()
