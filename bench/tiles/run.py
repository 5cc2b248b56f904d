#!/usr/bin/env python3
"""Vector tile benchmark: Kartenn (FlatGeobuf, on the fly) against Martin from PostGIS (on the
fly, ST_AsMVT) and Martin from MBTiles (a stored pyramid), on the communes of France.

Everything runs on loopback; every process started here is stopped by its PID at the end.

    python3 bench/tiles/run.py [--data ../shared/data] [--connections 8]

Prints a table (tiles/s, p50/p99 latency, bytes per tile, peak RSS, cold and warm cache) and
the ratios, and writes it to target/bench/tiles/results.md.
"""

import argparse
import csv
import gzip
import http.client
import json
import math
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARTIN_VERSION = "1.14.0"
ZOOMS = range(5, 15)
FRANCE = (-5.2, 41.3, 9.6, 51.1)  # metropolitan France, lon/lat
SAMPLES_PER_ZOOM = 250
DEEP_SAMPLES_PER_ZOOM = 1500


def log(msg):
    print(f"==> {msg}", flush=True)


def run(cmd, **kw):
    subprocess.run(cmd, check=True, **kw)


def have(program):
    return shutil.which(program) is not None


def as_postgres(cmd):
    """Runs PostgreSQL tools as the `postgres` user when we are root (initdb refuses root)."""
    return ["runuser", "-u", "postgres", "--"] + cmd if os.geteuid() == 0 else cmd


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=120):
    deadline = time.time() + timeout
    host, port, path = split(url)
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection(host, port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout} s")


def split(url):
    rest = url.split("://", 1)[1]
    hostport, _, path = rest.partition("/")
    host, _, port = hostport.partition(":")
    return host, int(port), "/" + path


def cpu_seconds(pids):
    """User + system CPU time of processes (and their reaped children)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(f) for f in fields[11:15])
        except OSError:
            pass
    return total / tick


def peak_rss_kib(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def ensure_tools(skip_install):
    martin = Path.home() / ".cargo/bin/martin"
    if not martin.exists() and not have("martin"):
        if skip_install:
            raise SystemExit("martin is missing")
        log(f"installing Martin {MARTIN_VERSION} (once per machine, about 15-30 minutes)")
        run(["cargo", "install", "--locked", f"martin@{MARTIN_VERSION}", "--no-default-features",
             "--features", "postgres,mbtiles,pmtiles,geojson"])
    missing = [p for p, prog in [("gdal-bin", "ogr2ogr"),
                                 ("postgresql-15-postgis-3", "/usr/lib/postgresql/15/bin/postgres")]
               if not (have(prog) or Path(prog).exists())]
    if missing:
        if skip_install:
            raise SystemExit(f"missing Debian packages: {missing}")
        log(f"installing {' '.join(missing)}")
        sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run(sudo + ["apt-get", "update", "-qq"], env=env)
        run(sudo + ["apt-get", "install", "-y", "-qq"] + missing, env=env)
    log("building kartenn (release)")
    run(["cargo", "build", "--release", "-q", "-p", "kartenn", "-p", "kartenn-bench"], cwd=ROOT)
    return str(martin if martin.exists() else shutil.which("martin"))


def prepare_data(data, work):
    fgb = work / "communes.fgb"
    if not fgb.exists():
        log("cutting communes (type = 'COM') to FlatGeobuf")
        run(["ogr2ogr", "-f", "FlatGeobuf", str(fgb), str(data / "fr_communes.fgb"),
             "-where", "type = 'COM'", "-nln", "communes"])
    points = work / "mairies.csv"
    if not points.exists():
        run(["ogr2ogr", "-f", "CSV", str(points), str(data / "fr_mairies.fgb"),
             "-lco", "GEOMETRY=AS_XY", "-select", "code"])
    return fgb, points


def tile_of(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def request_list(points_csv, work):
    """All tiles over metropolitan France for z5-z8; for z9-z14, the tiles of 250 town halls
    drawn at random (seed 42) per zoom, so that traffic follows where people are."""
    rng = random.Random(42)
    with open(points_csv, newline="") as f:
        pts = [(float(r["X"]), float(r["Y"])) for r in csv.DictReader(f)]
    pts = [p for p in pts if FRANCE[0] <= p[0] <= FRANCE[2] and FRANCE[1] <= p[1] <= FRANCE[3]]
    tiles = []
    for z in ZOOMS:
        if z <= 8:
            _, x0, y0 = tile_of(FRANCE[0], FRANCE[3], z)
            _, x1, y1 = tile_of(FRANCE[2], FRANCE[1], z)
            zt = [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
        else:
            zt = sorted({tile_of(*rng.choice(pts), z) for _ in range(SAMPLES_PER_ZOOM)})
        tiles.extend(zt)
    rng.shuffle(tiles)
    (work / "tiles.txt").write_text("".join(f"{z}/{x}/{y}\n" for z, x, y in tiles))
    # A longer list of deep tiles (z10-z14) for the comparison with a stored pyramid.
    deep = sorted({tile_of(*rng.choice(pts), z) for z in range(10, 15) for _ in range(DEEP_SAMPLES_PER_ZOOM)})
    rng.shuffle(deep)
    return tiles, deep


class Proc:
    def __init__(self, name, cmd, url, **kw):
        self.name = name
        self.url = url
        self.p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  start_new_session=True, **kw)

    def stop(self):
        if self.p.poll() is None:
            os.killpg(self.p.pid, signal.SIGTERM)
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.p.pid, signal.SIGKILL)
                self.p.wait()


class Postgres:
    def __init__(self, work):
        self.dir = Path(f"/tmp/kartenn-bench-pg-{os.getpid()}")
        self.port = free_port()
        self.dir.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        bin_dir = Path("/usr/lib/postgresql/15/bin")
        run(as_postgres([str(bin_dir / "initdb"), "-D", str(self.dir / "data"), "-U", "bench",
                         "--auth=trust", "-E", "UTF8"]), stdout=subprocess.DEVNULL)
        run(as_postgres([str(bin_dir / "pg_ctl"), "-D", str(self.dir / "data"), "-l",
                         str(self.dir / "log"), "-w", "start", "-o",
                         f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                         "-c shared_buffers=512MB -c max_connections=50"]),
            stdout=subprocess.DEVNULL)
        self.bin = bin_dir
        self.url = f"postgresql://bench@127.0.0.1:{self.port}/bench"

    def load(self, fgb):
        run([str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "bench", "bench"])
        self.sql("CREATE EXTENSION postgis")
        log("loading the communes into PostGIS (ogr2ogr)")
        run(["ogr2ogr", "-f", "PostgreSQL",
             f"PG:host=127.0.0.1 port={self.port} user=bench dbname=bench", str(fgb),
             "-nln", "communes", "-lco", "GEOMETRY_NAME=geom", "-lco", "FID=id",
             "-lco", "SPATIAL_INDEX=GIST", "-nlt", "MULTIPOLYGON"])
        self.sql("VACUUM ANALYZE communes")

    def sql(self, query):
        run([str(self.bin / "psql"), "-q", "-h", "127.0.0.1", "-p", str(self.port), "-U", "bench",
             "-d", "bench", "-c", query], stdout=subprocess.DEVNULL)

    def backend_pids(self):
        out = subprocess.run(["pgrep", "-u", "postgres", "postgres"], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def backend_peak_rss_kib(self):
        out = subprocess.run(["pgrep", "-f", f"postgres.*{self.dir}|postgres: bench"],
                             capture_output=True, text=True).stdout.split()
        return max((peak_rss_kib(int(p)) for p in out), default=0)

    def stop(self):
        subprocess.run(as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m",
                                    "fast", "stop"]), stdout=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


def fetch(url, encoding="gzip"):
    host, port, path = split(url)
    conn = http.client.HTTPConnection(host, port, timeout=120)
    conn.request("GET", path, headers={"Accept-Encoding": encoding})
    r = conn.getresponse()
    return r.status, r.read(), r.getheader("Content-Encoding")


def make_mbtiles(martin_pg_url, tiles, path):
    """A stored pyramid of exactly the benchmarked tiles, as Martin-from-PostGIS makes them."""
    log(f"storing {len(tiles)} tiles from Martin/PostGIS into MBTiles")
    if path.exists():
        path.unlink()
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE metadata (name text, value text);
        CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob);
        CREATE UNIQUE INDEX tile_index on tiles (zoom_level, tile_column, tile_row);""")
    layers = json.dumps({"vector_layers": [{"id": "communes", "fields": {}}]})
    db.executemany("INSERT INTO metadata VALUES (?, ?)", [
        ("name", "communes"), ("format", "pbf"), ("minzoom", "5"), ("maxzoom", "14"),
        ("json", layers)])
    for z, x, y in tiles:
        status, body, enc = fetch(f"{martin_pg_url}/{z}/{x}/{y}")
        if status != 200:
            continue
        data = body if enc == "gzip" else gzip.compress(body)
        db.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, (2 ** z - 1) - y, data))
    db.commit()
    db.close()


def load_pass(base, work, connections):
    out = subprocess.run(
        [str(ROOT / "target/release/tileload"), "--base", base, "--list",
         str(work / f"urls-{split(base)[1]}.txt"), "--concurrency", str(connections)],
        capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def sizes_by_zoom(url_of, tiles):
    """Mean uncompressed and gzip bytes per non-empty tile, by zoom."""
    stats = {}
    for z, x, y in tiles:
        status, raw, enc = fetch(url_of(z, x, y), "identity")
        if status != 200:
            continue
        if enc == "gzip":
            raw = gzip.decompress(raw)
        s = stats.setdefault(z, [0, 0, 0])
        s[0] += 1
        s[1] += len(raw)
        s[2] += len(gzip.compress(raw, 6))
    return {z: (s[1] / s[0], s[2] / s[0]) for z, s in stats.items()}


def bench(name, start, url_of, tiles, deep_tiles, work, args, extra_pids=lambda: [], extra_rss=None):
    """Cold then warm pass over all tiles on a fresh server, then a cold pass over the z >= 10
    tiles on another fresh server (left running for the caller)."""
    proc = start()
    wait_http(url_of(0, 0, 0))
    base = proc.url
    (work / f"urls-{split(base)[1]}.txt").write_text(
        "".join(split(url_of(z, x, y))[2] + "\n" for z, x, y in tiles))
    log(f"{name}: cold pass ({len(tiles)} tiles once each)")
    pids = lambda: [proc.p.pid] + extra_pids()
    cpu0 = cpu_seconds(pids())
    cold = load_pass(base, work, args.connections)
    cold["cpu_ms_per_tile"] = (cpu_seconds(pids()) - cpu0) * 1000 / max(cold["requests"], 1)
    log(f"{name}: warm pass (the same tiles again)")
    warm = load_pass(base, work, args.connections)
    rss = peak_rss_kib(proc.p.pid)
    proc.stop()

    proc = start()
    wait_http(url_of(0, 0, 0))
    (work / f"urls-{split(proc.url)[1]}.txt").write_text(
        "".join(split(url_of(z, x, y))[2] + "\n" for z, x, y in deep_tiles))
    log(f"{name}: cold pass over {len(deep_tiles)} tiles at z10-z14")
    deep = load_pass(proc.url, work, args.connections)
    return proc, {"name": name, "cold": cold, "warm": warm, "deep": deep, "rss_mib": rss / 1024,
                  "extra_rss_mib": (extra_rss() / 1024) if extra_rss else None}


def table(results, sizes, tiles):
    lines = [f"Communes of France (type COM, 34 867 multipolygons), {len(tiles)} tiles z5-z14, "
             "Accept-Encoding: gzip, loopback.", "",
             "| server | cache | tiles/s | p50 ms | p99 ms | max ms | bytes/tile (sent) | peak RSS MiB |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        for phase in ("cold", "warm"):
            p = r[phase]
            rss = f"{r['rss_mib']:.0f}"
            if r["extra_rss_mib"]:
                rss += f" (+ PostgreSQL backend {r['extra_rss_mib']:.0f})"
            lines.append(
                f"| {r['name']} | {phase} | {p['tiles_per_s']:.0f} | {p['p50_ms']:.1f} | "
                f"{p['p99_ms']:.1f} | {p['max_ms']:.0f} | "
                f"{p['bytes'] / max(p['requests'], 1):.0f} | {rss} |")
    lines += ["", f"Cold cache, {results[0]['deep']['requests']} other tiles at z10-z14 (fresh servers):", "",
              "| server | tiles/s | p50 ms | p99 ms | CPU ms/tile (all zooms, cold) |", "|---|---:|---:|---:|---:|"]
    for r in results:
        d = r["deep"]
        lines.append(f"| {r['name']} | {d['tiles_per_s']:.0f} | {d['p50_ms']:.2f} | {d['p99_ms']:.2f} | "
                     f"{r['cold']['cpu_ms_per_tile']:.2f} |")
    k, m = results[0], results[1]
    lines += ["", "Ratios Kartenn / Martin-from-PostGIS:", ""]
    for phase in ("cold", "warm"):
        lines.append(
            f"- {phase}: throughput {k[phase]['tiles_per_s'] / m[phase]['tiles_per_s']:.2f}x, "
            f"p99 {k[phase]['p99_ms'] / max(m[phase]['p99_ms'], 1e-9):.2f}x "
            f"(p50 {k[phase]['p50_ms'] / max(m[phase]['p50_ms'], 1e-9):.2f}x)")
    if len(results) > 2:
        b = results[2]
        lines.append(
            f"- Kartenn / Martin-from-MBTiles, cold: throughput "
            f"{k['cold']['tiles_per_s'] / b['cold']['tiles_per_s']:.2f}x, "
            f"p99 {k['cold']['p99_ms'] / max(b['cold']['p99_ms'], 1e-9):.2f}x; "
            f"z >= 10 cold: throughput {k['deep']['tiles_per_s'] / b['deep']['tiles_per_s']:.2f}x, "
            f"p50 {k['deep']['p50_ms'] / max(b['deep']['p50_ms'], 1e-9):.2f}x")
    lines += ["", "Mean tile size by zoom (non-empty tiles; uncompressed / gzip, KB):", "",
              "| zoom | " + " | ".join(sizes) + " |", "|---|" + "---:|" * len(sizes)]
    for z in ZOOMS:
        cells = []
        for name in sizes:
            raw, gz = sizes[name].get(z, (0, 0))
            cells.append(f"{raw / 1000:.0f} / {gz / 1000:.0f}")
        lines.append(f"| {z} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(ROOT.parent / "shared/data"))
    ap.add_argument("--work", default=str(ROOT / "target/bench/tiles"))
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--skip-install", action="store_true")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    martin_bin = ensure_tools(args.skip_install)
    fgb, points = prepare_data(Path(args.data), work)
    tiles, deep = request_list(points, work)
    log(f"{len(tiles)} tiles to request, and {len(deep)} deep ones (z10-z14)")

    procs = []
    pg = Postgres(work)
    try:
        pg.load(fgb)
        results, sizes = [], {}

        conf = work / "kartenn.toml"
        conf.write_text(f'[tiles]\ncache_size_mb = 1024\n[[layers]]\nid = "communes"\n'
                        f'title = "Communes"\npath = "{fgb}"\n')

        def kartenn():
            port = free_port()
            return Proc("kartenn", [str(ROOT / "target/release/kartenn"), "serve", "-c", str(conf),
                                    "--bind", f"127.0.0.1:{port}"], f"http://127.0.0.1:{port}",
                        env=dict(os.environ, KARTENN_LOG="warn"))

        def martin(target):
            def start():
                port = free_port()
                return Proc("martin", [martin_bin, "--listen-addresses", f"127.0.0.1:{port}",
                                       "--cache-size", "1024", target], f"http://127.0.0.1:{port}")
            return start

        current = {}

        def tracked(key, start):
            def go():
                proc = start()
                current[key] = proc
                procs.append(proc)
                return proc
            return go

        k_url = lambda z, x, y: f"{current['k'].url}/tiles/communes/{z}/{x}/{y}.mvt"
        proc, r = bench("Kartenn (FlatGeobuf)", tracked("k", kartenn), k_url, tiles, deep, work, args)
        results.append(r)
        sizes["Kartenn"] = sizes_by_zoom(k_url, tiles)
        proc.stop()

        m_url = lambda z, x, y: f"{current['m'].url}/communes/{z}/{x}/{y}"
        proc, r = bench("Martin (PostGIS)", tracked("m", martin(pg.url)), m_url, tiles, deep, work, args,
                        extra_pids=pg.backend_pids, extra_rss=pg.backend_peak_rss_kib)
        results.append(r)
        sizes["Martin/PostGIS"] = sizes_by_zoom(m_url, tiles)
        mbtiles = work / "communes.mbtiles"
        make_mbtiles(proc.url + "/communes", sorted(set(tiles) | set(deep)), mbtiles)
        proc.stop()

        b_url = lambda z, x, y: f"{current['b'].url}/communes/{z}/{x}/{y}"
        proc, r = bench("Martin (MBTiles)", tracked("b", martin(str(mbtiles))), b_url, tiles, deep, work, args)
        results.append(r)
        proc.stop()

        report = table(results, sizes, tiles)
        print("\n" + report)
        (work / "results.md").write_text(report + "\n")
        (work / "results.json").write_text(json.dumps(results, indent=1))
    finally:
        for p in procs:
            p.stop()
        pg.stop()


if __name__ == "__main__":
    main()
