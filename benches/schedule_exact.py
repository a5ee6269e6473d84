#!/usr/bin/env python3
"""Exact reference for the scheduling bench: solves each instance that
`cargo bench -p ketnoi-domain --bench schedule` wrote to target/schedule-bench/ as an integer
program with HiGHS (benchmark only; the product never calls a solver), and prints the optimum
beside ketnoi's and greedy's weight.

    python3 -m venv target/bench-venv && target/bench-venv/bin/pip install highspy==1.16.0
    target/bench-venv/bin/python benches/schedule_exact.py [NAME_FILTER] [--time-limit SECONDS]

Variables x[m, s] for every slot s both sides of meeting m can attend; each meeting at most
once, each participant at most once per slot, each slot at most its tables, pinned meetings
fixed; maximise the total weight.
"""
import glob, json, os, sys, time

import highspy
import numpy as np

argv = sys.argv[1:]
limit = 120.0
if "--time-limit" in argv:
    at = argv.index("--time-limit")
    limit = float(argv[at + 1])
    del argv[at : at + 2]
args = argv
root = os.path.join(os.path.dirname(__file__), "..", "target", "schedule-bench")
print("| instance | variables | exact optimum (weight) | ketnoi weight | ketnoi / optimum | greedy weight | greedy / optimum | HiGHS time | status |")
print("|---|---|---|---|---|---|---|---|---|")
for path in sorted(glob.glob(os.path.join(root, "*.json"))):
    if path.endswith(".result.json"):
        continue
    name = os.path.basename(path)[:-5]
    if args and not any(a in name for a in args):
        continue
    inst = json.load(open(path))
    result = json.load(open(path[:-5] + ".result.json"))
    slots = [s["id"] for s in inst["slots"]]
    tables = {s["id"]: s["tables"] for s in inst["slots"]}
    avail = {p["id"]: set(p.get("available", slots)) for p in inst["participants"]}
    cols, weights = [], []
    for i, m in enumerate(inst["meetings"]):
        for s in slots:
            if s in avail[m["a"]] and s in avail[m["b"]]:
                cols.append((i, s))
                weights.append(m.get("weight", 1.0))
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", limit)
    n = len(cols)
    lower = np.zeros(n)
    upper = np.ones(n)
    for k, (i, s) in enumerate(cols):
        pin = inst["meetings"][i].get("pinned")
        if pin:
            lower[k] = upper[k] = 1.0 if pin["slot"] == s else 0.0
    h.addVars(n, lower, upper)
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.ones(n, dtype=np.uint8))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), -np.array(weights))
    rows = {}
    for k, (i, s) in enumerate(cols):
        m = inst["meetings"][i]
        for key in (("m", i), ("p", m["a"], s), ("p", m["b"], s), ("s", s)):
            rows.setdefault(key, []).append(k)
    for key, ks in rows.items():
        cap = tables[key[1]] if key[0] == "s" else 1
        h.addRow(-highspy.kHighsInf, cap, len(ks), np.array(ks, dtype=np.int32), np.ones(len(ks)))
    started = time.time()
    h.run()
    took = time.time() - started
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    optimum = -info.objective_function_value
    ours, greedy = result["ketnoi"]["weight"], result["greedy"]["weight"]
    if status == "Optimal":
        print(f"| {name} | {n} | {optimum:.0f} | {ours:.0f} | {100 * ours / optimum:.2f}% | {greedy:.0f} "
              f"| {100 * greedy / optimum:.2f}% | {took:.1f} s | optimal |")
    else:
        found = f"best found {optimum:.0f}" if np.isfinite(optimum) and optimum > 0 else "no solution found"
        print(f"| {name} | {n} | not solved ({found}) | {ours:.0f} | – | {greedy:.0f} | – | {took:.1f} s | {status} |")
