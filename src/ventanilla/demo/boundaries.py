"""The demo town's district boundaries, for the dashboards' map: each district is the part of the
town nearer its centre than any other's (a Voronoi cell), inside an oval outline of the town.
A real administration gives its planning office's file instead."""

from __future__ import annotations

import json
import math
from pathlib import Path

from ventanilla.demo.names import DISTRICTS

Point = tuple[float, float]


def _clip(polygon: list[Point], normal: Point, limit: float) -> list[Point]:
    """The part of a convex ``polygon`` where normal · p <= limit (one Sutherland–Hodgman pass)."""

    def inside(p: Point) -> bool:
        return normal[0] * p[0] + normal[1] * p[1] <= limit

    kept: list[Point] = []
    for i, current in enumerate(polygon):
        previous = polygon[i - 1]
        if inside(current) != inside(previous):
            a = normal[0] * previous[0] + normal[1] * previous[1]
            b = normal[0] * current[0] + normal[1] * current[1]
            t = (limit - a) / (b - a)
            kept.append(
                (
                    previous[0] + t * (current[0] - previous[0]),
                    previous[1] + t * (current[1] - previous[1]),
                )
            )
        if inside(current):
            kept.append(current)
    return kept


def town_boundaries(sides: int = 48) -> dict[str, object]:
    """A GeoJSON FeatureCollection of the demo districts, named as the seeder records them."""
    latitude = sum(d.latitude for d in DISTRICTS) / len(DISTRICTS)
    # a degree of longitude is shorter than one of latitude
    scale = math.cos(math.radians(latitude))
    sites = [(d.longitude * scale, d.latitude) for d in DISTRICTS]
    xs, ys = [x for x, _ in sites], [y for _, y in sites]
    middle = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    radii = ((max(xs) - min(xs)) / 2 + 0.006, (max(ys) - min(ys)) / 2 + 0.006)
    outline = [
        (
            middle[0] + radii[0] * math.cos(2 * math.pi * k / sides),
            middle[1] + radii[1] * math.sin(2 * math.pi * k / sides),
        )
        for k in range(sides)
    ]
    features = []
    for district, site in zip(DISTRICTS, sites, strict=True):
        cell = outline
        for other in sites:
            if other == site:
                continue
            # Nearer ``site`` than ``other``: 2 p·(other − site) <= |other|² − |site|².
            normal = (2 * (other[0] - site[0]), 2 * (other[1] - site[1]))
            limit = other[0] ** 2 + other[1] ** 2 - site[0] ** 2 - site[1] ** 2
            cell = _clip(cell, normal, limit)
        ring = [[round(x / scale, 6), round(y, 6)] for x, y in cell]
        features.append(
            {
                "type": "Feature",
                "properties": {"name": district.name, "postal_code": district.postal_code},
                "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def write_town_boundaries(path: Path) -> bool:
    """Write the demo town's boundaries to ``path`` unless a file is there already (an
    administration's own is never overwritten). Returns whether it wrote."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(town_boundaries(), ensure_ascii=False), encoding="utf-8")
    return True
