#!/usr/bin/env python3
"""The item layer's cost against the raw engine, as medians of several runs.

Runs `strata-bench --benchmarks fillrandom,readrandom,putitem,getitem,updateitem` RUNS times (one
process per run, a fresh database each time) and prints, per run and as medians, the ratios the
item-semantics issue sets: putitem / fillrandom (raw put), getitem / readrandom (raw get), and
updateitem / (fillrandom + readrandom) (an update reads and writes one item). Each ratio is taken
within one run, so both sides saw the same machine load.

Two sets of ratios are printed. "wall" divides each workload's elapsed time by its operations, so
it includes what the benchmark loop does around each call: for the item workloads that is building
the request (a dictionary key with a formatted partition name and a parsed Number), which the raw
workloads' 16-byte keys barely cost. "call" uses the mean time inside the measured call alone
(`db.put`, `db.putItem`, ...), which is the cost of the layer itself.

    swift build -c release --product strata-bench
    python3 Benchmarks/item/ratios.py [--runs 7] [--num 200000] [--bench .build/release/strata-bench]
"""
import argparse
import json
import shutil
import statistics
import subprocess
import tempfile

WORKLOADS = ["fillrandom", "readrandom", "putitem", "getitem", "updateitem"]


def run_once(bench, num, db):
    out = subprocess.run(
        [bench, "--num", str(num), "--benchmarks", ",".join(WORKLOADS), "--no-progress", "--json", "--db", db],
        check=True, capture_output=True, text=True,
    ).stdout
    results = json.loads(out)["results"]
    wall = {r["name"]: r["microsPerOp"] for r in results}
    call = {r["name"]: r["latencyMicros"]["mean"] for r in results}
    return wall, call


def ratios(us):
    put, get = us["fillrandom"], us["readrandom"]
    return (us["putitem"] / put, us["getitem"] / get, us["updateitem"] / (put + get))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--num", type=int, default=200_000)
    p.add_argument("--bench", default=".build/release/strata-bench")
    a = p.parse_args()
    rows = {"wall": [], "call": []}
    print(f"{'run':>3} {'':>4}  {'put':>6} {'putitem':>8} {'ratio':>6}  {'get':>6} {'getitem':>8} {'ratio':>6}  {'updateitem':>10} {'ratio':>6}")
    for i in range(a.runs):
        tmp = tempfile.mkdtemp(prefix="strata-item-ratios-")
        try:
            both = run_once(a.bench, a.num, tmp + "/db")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        for kind, us in zip(("wall", "call"), both):
            row = ratios(us)
            rows[kind].append(row)
            print(f"{i + 1:>3} {kind:>4}  {us['fillrandom']:6.2f} {us['putitem']:8.2f} {row[0]:6.2f}  {us['readrandom']:6.2f} "
                  f"{us['getitem']:8.2f} {row[1]:6.2f}  {us['updateitem']:10.2f} {row[2]:6.2f}")
    for kind in ("wall", "call"):
        med = [statistics.median(r[k] for r in rows[kind]) for k in range(3)]
        print(f"median {kind} ratios: putitem/put {med[0]:.2f}  getitem/get {med[1]:.2f}  updateitem/(put+get) {med[2]:.2f}")

if __name__ == "__main__":
    main()
