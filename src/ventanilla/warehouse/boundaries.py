"""The districts' boundaries the dashboards' map is drawn on: a GeoJSON FeatureCollection of
polygons, each named by its property ``name`` as the cases record the district. The file is the
administration's own (its planning office publishes one); it is read again only when it changes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Boundaries:
    names: tuple[str, ...]  # each district in the file, in its order
    content: bytes  # the file as the browser reads it


class BoundariesUnreadable(Exception):
    """The file is there but cannot be drawn; the message says why, in the reader's language."""


_read: dict[Path, tuple[tuple[int, int], Boundaries]] = {}


def _ring_is_sound(ring: Any) -> bool:
    return (
        isinstance(ring, list)
        and len(ring) >= 4
        and all(
            isinstance(point, list)
            and len(point) >= 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in point[:2])
            and -180 <= point[0] <= 180
            and -90 <= point[1] <= 90
            for point in ring
        )
    )


def _polygons(geometry: Any) -> list[Any] | None:
    """The polygons of a Polygon or MultiPolygon geometry, or None for anything else."""
    if not isinstance(geometry, dict):
        return None
    if geometry.get("type") == "Polygon":
        return [geometry.get("coordinates")]
    if geometry.get("type") == "MultiPolygon" and isinstance(geometry.get("coordinates"), list):
        return list(geometry["coordinates"])
    return None


def parse_boundaries(content: bytes) -> Boundaries:
    """The districts in ``content``, or BoundariesUnreadable saying what is wrong with the file."""
    try:
        data = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BoundariesUnreadable(_("The file of district boundaries is not JSON.")) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise BoundariesUnreadable(
            _("The file of district boundaries is not a GeoJSON FeatureCollection.")
        )
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise BoundariesUnreadable(_("The file of district boundaries holds no district."))
    names: list[str] = []
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        name = properties.get("name") if isinstance(properties, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise BoundariesUnreadable(
                _("District %(n)s of the boundaries file has no property “name”.") % {"n": number}
            )
        polygons = _polygons(feature.get("geometry"))
        if not polygons or not all(
            isinstance(polygon, list) and polygon and all(_ring_is_sound(r) for r in polygon)
            for polygon in polygons
        ):
            raise BoundariesUnreadable(
                _(
                    "District “%(name)s” of the boundaries file is not a polygon of longitudes "
                    "and latitudes."
                )
                % {"name": name}
            )
        if name not in names:
            names.append(name)
    return Boundaries(names=tuple(names), content=content)


def district_boundaries(path: Path) -> Boundaries | None:
    """The boundaries in ``path``, None where there is no such file; BoundariesUnreadable where the
    file cannot be drawn. Read again only when the file changes."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    stamp = (stat.st_mtime_ns, stat.st_size)
    known = _read.get(path)
    if known and known[0] == stamp:
        return known[1]
    boundaries = parse_boundaries(path.read_bytes())
    _read[path] = (stamp, boundaries)
    return boundaries
