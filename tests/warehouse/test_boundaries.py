"""The districts' boundaries the map is drawn on: a file that cannot be drawn says why, in the
reader's language; the demo town's own boundaries name every district its cases record."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.utils import translation

from ventanilla.demo.boundaries import town_boundaries, write_town_boundaries
from ventanilla.demo.names import DISTRICTS
from ventanilla.warehouse.boundaries import (
    BoundariesUnreadable,
    district_boundaries,
    parse_boundaries,
)

SQUARE = [[[-3.70, 40.41], [-3.69, 40.41], [-3.69, 40.42], [-3.70, 40.42], [-3.70, 40.41]]]


def collection(*features: dict[str, object]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def district(name: object, geometry: object) -> dict[str, object]:
    return {"type": "Feature", "properties": {"name": name}, "geometry": geometry}


def test_polygons_and_multipolygons_are_read_with_their_names_in_order() -> None:
    read = parse_boundaries(
        collection(
            district("Centro", {"type": "Polygon", "coordinates": SQUARE}),
            district("Ensanche", {"type": "MultiPolygon", "coordinates": [SQUARE, SQUARE]}),
        )
    )

    assert read.names == ("Centro", "Ensanche")


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"<kml/>", "is not JSON"),
        (b'{"type": "Feature"}', "is not a GeoJSON FeatureCollection"),
        (collection(), "holds no district"),
        (
            collection(district("", {"type": "Polygon", "coordinates": SQUARE})),
            "District 1 of the boundaries file has no property “name”",
        ),
        (
            collection(district("Centro", {"type": "Point", "coordinates": [-3.7, 40.4]})),
            "District “Centro” of the boundaries file is not a polygon",
        ),
        # A planning office's file in UTM metres, not longitudes and latitudes.
        (
            collection(
                district(
                    "Centro",
                    {
                        "type": "Polygon",
                        "coordinates": [
                            [
                                [440000, 4474000],
                                [441000, 4474000],
                                [441000, 4475000],
                                [440000, 4474000],
                            ]
                        ],
                    },
                )
            ),
            "is not a polygon of longitudes and latitudes",
        ),
    ],
)
def test_a_file_that_cannot_be_drawn_says_why(content: bytes, said: str) -> None:
    with translation.override("en"), pytest.raises(BoundariesUnreadable) as problem:
        parse_boundaries(content)

    assert said in str(problem.value)


def test_the_reason_is_given_in_spanish_too() -> None:
    with translation.override("es"), pytest.raises(BoundariesUnreadable) as problem:
        parse_boundaries(b"<kml/>")

    assert "no es JSON" in str(problem.value)


def test_no_file_is_no_map_and_a_changed_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "districts.geojson"
    assert district_boundaries(path) is None

    path.write_bytes(collection(district("Centro", {"type": "Polygon", "coordinates": SQUARE})))
    assert district_boundaries(path).names == ("Centro",)  # type: ignore[union-attr]

    path.write_bytes(
        collection(
            district("Centro", {"type": "Polygon", "coordinates": SQUARE}),
            district("Norte", {"type": "Polygon", "coordinates": SQUARE}),
        )
    )
    os.utime(path, ns=(1, 1))  # a changed file, whatever the clock's resolution
    assert district_boundaries(path).names == ("Centro", "Norte")  # type: ignore[union-attr]


def test_the_demo_towns_boundaries_name_every_district_and_are_written_once(
    tmp_path: Path,
) -> None:
    read = parse_boundaries(json.dumps(town_boundaries()).encode())
    assert set(read.names) == {d.name for d in DISTRICTS}

    path = tmp_path / "districts.geojson"
    assert write_town_boundaries(path) is True
    assert write_town_boundaries(path) is False
