#!/usr/bin/env python3
"""Turns bench/e2e/run.sh raw lines into markdown tables: medians per scenario and proxy, and
ratios against haproxy (requests/s and p99)."""
import statistics
import sys
from collections import defaultdict

runs = defaultdict(list)
for line in open(sys.argv[1]):
    kv = dict(item.split("=", 1) for item in line.split())
    runs[(kv["scenario"], kv["proxy"])].append(kv)

def med(rows, key):
    return statistics.median(float(r[key]) for r in rows)

print("| scenario | proxy | runs | req/s | p50 ms | p95 ms | p99 ms | failed (non-2xx + errors) | failed % | req/s vs haproxy | p99 vs haproxy |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for scenario in ["capacity", "normal", "slow", "kill", "error500"]:
    base = runs.get((scenario, "haproxy"))
    for proxy in ["huddle", "nginx", "haproxy"]:
        rows = runs.get((scenario, proxy))
        if not rows:
            continue
        failed = [float(r["non2xx"]) + float(r["errors"]) for r in rows]
        total = [float(r["requests"]) for r in rows]
        pct = statistics.median(100 * f / max(t, 1) for f, t in zip(failed, total))
        ratio_rps = med(rows, "rps") / med(base, "rps") if base else float("nan")
        ratio_p99 = med(rows, "p99") / med(base, "p99") if base else float("nan")
        print(f"| {scenario} | {proxy} | {len(rows)} | {med(rows, 'rps'):,.0f} | {med(rows, 'p50'):.2f} | "
              f"{med(rows, 'p95'):.2f} | {med(rows, 'p99'):.2f} | {'/'.join(str(int(f)) for f in failed)} | "
              f"{pct:.3f} | {ratio_rps:.2f} | {ratio_p99:.2f} |")
