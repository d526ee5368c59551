"""Exports of stored events: GeoJSON (RFC 7946), CSV, GeoParquet (file and dataset), KML, and `geo export`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from geo.articles import make_article
from geo.cli import main
from geo.errors import ExportError
from geo.export import (
    dumps_geojson,
    events_to_csv,
    events_to_geodataframe,
    events_to_geojson,
    events_to_geoparquet,
    events_to_kml,
    write_geoparquet_dataset,
)
from geo.model import Event, ParseResult, Place, Span
from geo.store import EventFilter, EventStore

KML_NS = "{http://www.opengis.net/kml/2.2}"

ESMERALDAS = Place(3657986, "Esmeraldas", "admin1", 0.8897, -79.5594, "EC", "EC-E")
WELLINGTON = Place(2179537, "Wellington", "city", -41.28664, 174.77557, "NZ", "NZ-WGN")
SUVA = Place(2198148, "Suva", "city", -18.14161, 178.44149, "FJ", "FJ-C")


def _event(article, n: int, place, date, type_="airstrike", family="explosions_remote_violence",
           confidence=0.8, happened=True) -> Event:
    sentence = article.text.split(".")[0] + "."
    return Event(
        id=f"{article.id}-{n}", article_id=article.id, type=type_, family=family,
        trigger=Span(0, 4, article.text[:4]), sentence=Span(0, len(sentence), sentence),
        place=place, precision=place.kind if place else None, date=date, date_precision="day" if date else None,
        date_source="text" if date else "none", confidence=confidence, happened=happened,
    )


def _results() -> list[ParseResult]:
    strike = make_article(
        "US forces struck a camp in Esmeraldas on Friday. <script>alert('x')</script> & co.",
        title='Strike <b>"Esmeraldas"</b>', published="2026-03-06", url="https://news.example/a?b=1&c=2",
    )
    protest = make_article(
        '=HYPERLINK("http://evil.example") Thousands protested in Wellington. Police watched.',
        title="=cmd|' /C calc'!A0", published="2025-12-31", source="Pacific Wire",
    )
    storm = make_article("A cyclone hit Suva overnight. Nobody was hurt.", title="Cyclone", published="2025-11-02")
    return [
        ParseResult(strike, events=(_event(strike, 1, ESMERALDAS, dt.date(2026, 3, 6)),)),
        ParseResult(protest, events=(
            _event(protest, 1, WELLINGTON, None, "protest", "protests", 0.4),
            _event(protest, 2, None, dt.date(2025, 12, 30), "protest", "protests", 0.3),
        )),
        ParseResult(storm, events=(
            _event(storm, 1, SUVA, dt.date(2025, 11, 1), "storm", "disasters", 0.9),
            _event(storm, 2, SUVA, dt.date(2025, 11, 3), "storm", "disasters", 0.9, happened=False),
        )),
    ]


@pytest.fixture()
def store(tmp_path) -> Path:
    path = tmp_path / "events.sqlite"
    with EventStore(path) as s:
        s.save_results(_results())
    return path


@pytest.fixture()
def events(store) -> pd.DataFrame:
    with EventStore(store, readonly=True) as s:
        return s.query_events()


def _check_rfc7946(doc: dict) -> None:
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc  # RFC 7946 removed it: always WGS 84
    for feature in doc["features"]:
        assert feature["type"] == "Feature"
        assert set(feature) <= {"type", "geometry", "properties", "id", "bbox"}
        assert isinstance(feature["properties"], dict)
        geometry = feature["geometry"]
        if geometry is not None:
            assert geometry["type"] == "Point"
            lon, lat = geometry["coordinates"]
            assert -180 <= lon <= 180 and -90 <= lat <= 90
    west, south, east, north = doc["bbox"]
    assert west <= east and south <= north


def test_geojson_is_rfc7946_with_lon_lat_order(events):
    doc = json.loads(dumps_geojson(events))
    _check_rfc7946(doc)
    by_id = {f["id"]: f for f in doc["features"]}
    assert len(by_id) == len(events) == 4  # the event that did not happen is not in the default query
    strike = next(f for f in doc["features"] if f["properties"]["place_name"] == "Esmeraldas")
    assert strike["geometry"]["coordinates"] == [-79.5594, 0.8897]  # [lon, lat]
    props = strike["properties"]
    assert props["date"] == "2026-03-06" and props["date_precision"] == "day"
    assert props["type"] == "airstrike" and props["family"] == "explosions_remote_violence"
    assert props["geonameid"] == 3657986 and props["precision"] == "admin1" and props["admin1_code"] == "EC-E"
    assert props["evidence"] == "US forces struck a camp in Esmeraldas on Friday."
    assert props["title"] == 'Strike <b>"Esmeraldas"</b>' and props["url"] == "https://news.example/a?b=1&c=2"
    assert props["confidence"] == pytest.approx(0.8)
    unplaced = [f for f in doc["features"] if f["geometry"] is None]
    assert len(unplaced) == 1 and unplaced[0]["properties"]["date"] == "2025-12-30"
    assert doc["bbox"] == [-79.5594, -41.28664, 178.44149, 0.8897]


def test_geojson_interop_with_geopandas(events, tmp_path):
    import geopandas as gpd

    path = tmp_path / "events.geojson"
    path.write_text(dumps_geojson(events), encoding="utf-8")
    gdf = gpd.read_file(path)
    placed = gdf[gdf.geometry.notna()].set_index("id")
    for _, row in events.dropna(subset=["lat"]).iterrows():
        point = placed.loc[row["id"], "geometry"]
        assert (point.x, point.y) == pytest.approx((row["lon"], row["lat"]))


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [(91.0, 0.0, "latitude"), (0.0, -180.5, "longitude"), (float("nan"), 1.0, "not finite"), (1.0, None, "not numbers")],
)
def test_bad_coordinates_fail_loudly(lat, lon, message):
    df = pd.DataFrame([{"id": "bad", "lat": lat, "lon": lon}])
    for export in (events_to_geojson, events_to_csv, events_to_kml):
        with pytest.raises(ExportError, match=message):
            export(df)


def test_csv_round_trip_and_formula_guard(events):
    text = events_to_csv(events)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(events)
    by_id = {r["id"]: r for r in rows}
    for _, event in events.iterrows():
        row = by_id[event["id"]]
        if pd.isna(event["lat"]):
            assert row["lat"] == row["lon"] == ""
        else:
            assert (float(row["lat"]), float(row["lon"])) == pytest.approx((event["lat"], event["lon"]))
    wellington = next(r for r in rows if r["place_name"] == "Wellington")
    assert wellington["title"].startswith("'=") and wellington["sentence"].startswith("'=HYPERLINK")
    assert wellington["geonameid"] == "2179537" and wellington["date"] == ""
    assert float(next(r for r in rows if r["place_name"] == "Suva")["lon"]) == pytest.approx(178.44149)


def test_kml_is_escaped_xml_with_lon_lat(events):
    text = events_to_kml(events)
    root = ET.fromstring(text.encode("utf-8"))  # parses: every untrusted string was escaped
    placemarks = root.findall(f".//{KML_NS}Placemark")
    assert len(placemarks) == int(events["lat"].notna().sum()) == 3
    strike = next(p for p in placemarks if "Esmeraldas" in p.find(f"{KML_NS}name").text)
    assert strike.find(f".//{KML_NS}coordinates").text == "-79.5594,0.8897"
    assert strike.find(f".//{KML_NS}when").text == "2026-03-06"
    description = strike.find(f"{KML_NS}description").text
    assert 'Strike <b>"Esmeraldas"</b>' in description  # text content, round-tripped exactly
    assert "<b>" not in text and "&lt;b&gt;" in text  # but never raw markup in the file


def test_geoparquet_read_back_with_geopandas_and_duckdb(events, tmp_path):
    import duckdb
    import geopandas as gpd

    path = tmp_path / "events.parquet"
    events_to_geoparquet(events, path)
    gdf = gpd.read_parquet(path)
    assert len(gdf) == len(events) and gdf.crs.to_epsg() == 4326
    merged = gdf.set_index("id").join(events.set_index("id")[["lat", "lon"]], rsuffix="_src")
    for _, row in merged.iterrows():
        if row.geometry is None:
            assert math.isnan(row["lat_src"])
        else:
            assert (row.geometry.x, row.geometry.y) == pytest.approx((row["lon_src"], row["lat_src"]))
    assert isinstance(gdf.loc[gdf["place_name"] == "Esmeraldas", "date"].iloc[0], dt.date)
    meta = json.loads(__import__("pyarrow.parquet", fromlist=["x"]).read_metadata(path).metadata[b"geo"])
    assert meta["primary_column"] == "geometry"

    con = duckdb.connect()
    rows = con.execute(f"SELECT id, lat, lon, date FROM read_parquet('{path}') ORDER BY id").fetchall()
    assert len(rows) == len(events)
    source = events.set_index("id")
    for event_id, lat, lon, date in rows:
        if lat is not None:
            assert (lat, lon) == pytest.approx((source.loc[event_id, "lat"], source.loc[event_id, "lon"]))
        assert date == source.loc[event_id, "date"]


def test_geoparquet_dataset_partitioned_by_month(store, tmp_path):
    import duckdb
    import geopandas as gpd

    dest = tmp_path / "dataset"
    (dest / "month=1999-01").mkdir(parents=True)  # a stale partition from an earlier run is replaced
    (dest / "month=1999-01" / "part-00000.parquet").write_bytes(b"stale")
    with EventStore(store, readonly=True) as s:
        n = write_geoparquet_dataset(s, dest)
        everything = s.query_events(EventFilter(happened_only=False))
    assert n == len(everything) == 5
    months = sorted(p.name for p in dest.iterdir())
    assert months == ["month=2025-11", "month=2025-12", "month=2026-03", "month=unknown"]
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT month, count(*), min(lat), max(lon) FROM read_parquet('{dest}/**/*.parquet', "
        "hive_partitioning=true) GROUP BY month ORDER BY month"
    ).fetchall()
    assert [(r[0], r[1]) for r in rows] == [("2025-11", 2), ("2025-12", 1), ("2026-03", 1), ("unknown", 1)]
    assert rows[0][2] == pytest.approx(-18.14161) and rows[0][3] == pytest.approx(178.44149)
    gdf = pd.concat([gpd.read_parquet(p) for p in sorted(dest.glob("month=*/*.parquet"))])
    assert len(gdf) == n and gdf.geometry.notna().sum() == everything["lat"].notna().sum()


def test_geodataframe_types(events):
    gdf = events_to_geodataframe(events)
    assert str(gdf["geonameid"].dtype) == "Int64" and gdf["lat"].dtype == "float64"
    assert gdf.geometry.notna().sum() == 3


def test_empty_selection_exports(events):
    empty = events.iloc[0:0]
    assert events_to_geojson(empty) == {"type": "FeatureCollection", "features": []}
    assert events_to_csv(empty).startswith("id,date,")
    assert "<Placemark" not in events_to_kml(empty)


def test_cli_export_with_filters(store, tmp_path, capsys):
    out = tmp_path / "out.geojson"
    assert main(["export", "--store", str(store), "--format", "geojson", "-o", str(out),
                 "--start", "2025-12-01", "--country", "ec"]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [f["properties"]["place_name"] for f in doc["features"]] == ["Esmeraldas"]

    assert main(["export", "--store", str(store), "--format", "csv", "-o", str(tmp_path / "a.csv"),
                 "--family", "disasters", "--all"]) == 0
    assert len(list(csv.DictReader((tmp_path / "a.csv").open(encoding="utf-8")))) == 2  # incl. not happened

    assert main(["export", "--store", str(store), "--format", "kml", "-o", "-", "--min-confidence", "0.5",
                 "--bbox", "170,-45,180,0"]) == 0
    kml = ET.fromstring(capsys.readouterr().out.encode())
    assert [p.find(f"{KML_NS}name").text for p in kml.iter(f"{KML_NS}Placemark")] == ["storm - Suva"]

    assert main(["export", "--store", str(store), "--format", "geoparquet", "-o", str(tmp_path / "ds"),
                 "--partition-by-month", "--source", "Pacific Wire"]) == 0
    assert sorted(p.name for p in (tmp_path / "ds").iterdir()) == ["month=2025-12", "month=unknown"]


def test_cli_export_errors(tmp_path, store, capsys):
    assert main(["export", "--store", str(tmp_path / "missing.sqlite"), "-o", str(tmp_path / "x")]) == 2
    assert "geo ingest" in capsys.readouterr().err
    assert main(["export", "--store", str(store), "--format", "geoparquet", "-o", "-"]) == 2
    assert main(["export", "--store", str(store), "-o", "x", "--start", "2026-01-02", "--end", "2026-01-01"]) == 2
    with pytest.raises(SystemExit):
        main(["export", "--store", str(store), "-o", "x", "--bbox", "1,2,3"])
