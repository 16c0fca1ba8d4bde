"""A synthetic road network generated at test time and served by a real osrm-routed.

A grid of local roads with faster arterial rows, one motorway row, and a river down one column
that only one bridge crosses: enough geography for "closer as the crow flies" to be wrong. Built
with the osrm-bindings wheel's own tools (extract, MLD partition and customize: well under a
second) and pyosmium for the .osm.pbf. Used by the tests and by bench/promise.py."""

import os
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import osmium
import osrm
from osmium.osm.mutable import Node, Way

OSRM_HOME = Path(osrm.__file__).resolve().parent
OSRM_BIN = OSRM_HOME / "bin"
CAR_PROFILE = OSRM_HOME / "share" / "profiles" / "car.lua"


@dataclass(frozen=True)
class GridNetwork:
    """Rows go north, columns go east, from (origin_lat, origin_lon)."""

    origin_lat: float = 43.70
    origin_lon: float = 11.10
    rows: int = 30
    cols: int = 36
    dlat: float = 0.005  # ≈ 555 m
    dlon: float = 0.007  # ≈ 560 m at this latitude
    arterial_every: int = 6
    motorway_rows: tuple[int, ...] = (15,)
    # The river runs between column `river_after` and the next; only `bridge_rows` cross it.
    river_after: int | None = 18
    bridge_rows: tuple[int, ...] = (2,)
    extra_tags: dict[str, str] = field(default_factory=dict)

    def point(self, row: float, col: float) -> tuple[float, float]:
        return (self.origin_lat + row * self.dlat, self.origin_lon + col * self.dlon)

    def _node_id(self, row: int, col: int) -> int:
        return row * self.cols + col + 1

    def write_pbf(self, path: Path) -> Path:
        writer = osmium.SimpleWriter(str(path))
        try:
            for row in range(self.rows):
                for col in range(self.cols):
                    lat, lon = self.point(row, col)
                    writer.add_node(Node(id=self._node_id(row, col), location=(lon, lat), version=1))
            way_id = 1
            for row in range(self.rows):
                for col in range(self.cols):
                    for next_row, next_col in ((row, col + 1), (row + 1, col)):
                        if next_row >= self.rows or next_col >= self.cols:
                            continue
                        crosses_river = (
                            self.river_after is not None
                            and next_col == col + 1
                            and col == self.river_after
                            and row not in self.bridge_rows
                        )
                        if crosses_river:
                            continue
                        writer.add_way(
                            Way(
                                id=way_id,
                                nodes=[self._node_id(row, col), self._node_id(next_row, next_col)],
                                tags={"highway": self._highway(row, next_row), **self.extra_tags},
                                version=1,
                            )
                        )
                        way_id += 1
        finally:
            writer.close()
        return path

    def _highway(self, row: int, next_row: int) -> str:
        if row == next_row and row in self.motorway_rows:
            return "motorway"
        if row == next_row and row % self.arterial_every == 0:
            return "primary"
        return "residential"

    def build(self, directory: Path) -> Path:
        """The .osrm dataset, ready for `osrm-routed --algorithm mld`."""
        directory.mkdir(parents=True, exist_ok=True)
        pbf = self.write_pbf(directory / "grid.osm.pbf")
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "check": True}
        subprocess.run([str(OSRM_BIN / "osrm-extract"), "-p", str(CAR_PROFILE), str(pbf)], **quiet)
        dataset = directory / "grid.osrm"
        subprocess.run([str(OSRM_BIN / "osrm-partition"), str(dataset)], **quiet)
        subprocess.run([str(OSRM_BIN / "osrm-customize"), str(dataset)], **quiet)
        return dataset


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class OsrmServer:
    """osrm-routed on a free loopback port, started and stopped by the caller."""

    def __init__(self, dataset: Path | None) -> None:
        self.dataset = dataset
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 20.0) -> "OsrmServer":
        self.process = subprocess.Popen(
            [
                str(OSRM_BIN / "osrm-routed"),
                "--algorithm",
                "mld",
                "-i",
                "127.0.0.1",
                "-p",
                str(self.port),
                "--max-table-size",
                "1000",
                str(self.dataset),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ},
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"osrm-routed exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/nearest/v1/driving/0,0", timeout=1):  # noqa: S310
                    return self
            except urllib.error.HTTPError:
                return self  # it answers (400 for a point far from any road): it is up
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("osrm-routed did not start in time")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None
