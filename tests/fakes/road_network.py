"""A synthetic road network near Firenze, built and served by a real `osrm-routed` (MLD).

The grid has slow local roads, fast trunk rows and a river crossed by bridges only at chosen
columns, so the road time and the straight line disagree in ways a test can predict. Used by the
routing tests' session fixture and by bench/promise.py."""

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import osmium
import requests
from osmium.osm.mutable import Node, Way

OSRM_HOME = (
    Path(sys.prefix)
    / "lib"
    / f"python{sys.version_info.major}.{sys.version_info.minor}"
    / ("site-packages/osrm")
)
OSRM_BIN = OSRM_HOME / "bin"
CAR_PROFILE = OSRM_HOME / "share" / "profiles" / "car.lua"


@dataclass(frozen=True)
class Grid:
    """Rows run west-east, columns south-north; (row, col) -> (lat, lon)."""

    rows: int = 30
    cols: int = 30
    lat0: float = 43.70
    lon0: float = 11.10
    step_lat: float = 0.01  # ~1.11 km
    step_lon: float = 0.0138  # ~1.11 km at 43.7 deg N
    river_below_row: int = 16  # the river runs between row 15 and row 16
    bridge_cols: tuple[int, ...] = (2,)
    trunk_rows: tuple[int, ...] = (5,)
    local_highway: str = "residential"  # 25 km/h in car.lua
    trunk_highway: str = "trunk"  # 85 km/h, two-way (a motorway is one-way in car.lua)
    extra_ways: list[tuple[str, list[tuple[int, int]]]] = field(default_factory=list)

    def point(self, row: float, col: float) -> tuple[float, float]:
        return (round(self.lat0 + row * self.step_lat, 6), round(self.lon0 + col * self.step_lon, 6))

    def node_id(self, row: int, col: int) -> int:
        return 1 + row * self.cols + col


def write_network(grid: Grid, path: Path) -> None:
    if path.exists():
        path.unlink()
    with osmium.SimpleWriter(str(path)) as writer:
        for row in range(grid.rows):
            for col in range(grid.cols):
                lat, lon = grid.point(row, col)
                writer.add_node(Node(id=grid.node_id(row, col), location=(lon, lat), version=1))
        way_id = 1

        def way(nodes: list[int], highway: str) -> None:
            nonlocal way_id
            writer.add_way(Way(id=way_id, nodes=nodes, tags={"highway": highway}, version=1))
            way_id += 1

        for row in range(grid.rows):
            highway = grid.trunk_highway if row in grid.trunk_rows else grid.local_highway
            way([grid.node_id(row, col) for col in range(grid.cols)], highway)
        for col in range(grid.cols):
            if col in grid.bridge_cols:
                way([grid.node_id(row, col) for row in range(grid.rows)], grid.local_highway)
            else:
                way([grid.node_id(row, col) for row in range(grid.river_below_row)], grid.local_highway)
                way(
                    [grid.node_id(row, col) for row in range(grid.river_below_row, grid.rows)],
                    grid.local_highway,
                )
        for highway, cells in grid.extra_ways:
            way([grid.node_id(r, c) for r, c in cells], highway)


def build(grid: Grid, workdir: Path) -> Path:
    """extract + partition + customize (MLD): well under a second for a grid this size."""
    pbf = workdir / "grid.osm.pbf"
    write_network(grid, pbf)
    osrm = str(workdir / "grid.osrm")
    for command in (
        ["osrm-extract", "-p", str(CAR_PROFILE), str(pbf)],
        ["osrm-partition", osrm],
        ["osrm-customize", osrm],
    ):
        subprocess.run(
            [str(OSRM_BIN / command[0]), *command[1:]], check=True, capture_output=True, cwd=workdir
        )
    return workdir / "grid.osrm"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/nearest/v1/driving/11.1,43.7", timeout=0.5).ok
    except requests.RequestException:
        return False


@contextmanager
def osrm_server(osrm_file: Path, *, start_timeout: float = 30.0) -> Iterator[str]:
    """`osrm-routed --algorithm mld` on a free loopback port; yields its base URL."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [
            str(OSRM_BIN / "osrm-routed"),
            "--algorithm",
            "mld",
            "-i",
            "127.0.0.1",
            "-p",
            str(port),
            str(osrm_file),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + start_timeout
        while not _answers(url):
            if process.poll() is not None:
                raise RuntimeError(f"osrm-routed exited with {process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError("osrm-routed did not answer in time")
            time.sleep(0.05)  # polling a starting process: the condition is that it answers
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def served_grid(grid: Grid) -> Iterator[str]:
    workdir = Path(tempfile.mkdtemp(prefix="pronto-osrm-"))
    try:
        with osrm_server(build(grid, workdir)) as url:
            yield url
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


__all__ = ["Grid", "build", "osrm_server", "served_grid", "write_network"]
