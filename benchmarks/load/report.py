"""The load test's results (the JSON lines run.sh writes) as the table of benchmarks/RESULTS.md.

    .venv/bin/python benchmarks/load/report.py var/load/results-<stamp>.jsonl

CPU per request is the CPU the server's processes (gunicorn) and its database sessions used during the run,
divided by the requests it worked on — those answered and those wrk gave up waiting for (the server still answers
them) —: what a request costs, whatever else the machine was doing; cores ÷ that cost is about the throughput the
same machine would reach with nothing else running.
"""

from __future__ import annotations

import json
import sys


def database_cpu(before: dict[str, float], after: dict[str, float]) -> float:
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


def main() -> None:
    print(
        "| run | think time | requests | per second | p50 | p95 | p99 | max | 2xx | 4xx | 5xx | timeouts (>30 s) | "
        "web CPU / request | database CPU / request | load average before → after |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    with open(sys.argv[1]) as results:
        rows = [json.loads(line) for line in results]
    for row in rows:
        if row["run"].startswith("warm-up"):
            continue
        result, before, after = row["result"], row.get("cpu_before"), row.get("cpu_after")
        answered = max(1, result["requests"] + result["socket_errors"]["timeout"])
        web = db = "—"
        if before and after:
            web = f"{(after['web'] - before['web']) * 1000 / answered:.0f} ms"
            db = f"{database_cpu(before['sessions'], after['sessions']) * 1000 / answered:.0f} ms"
        status, errors = result["status"], result["socket_errors"]
        think = f"{row['think_ms'] / 1000:g} s" if row.get("think_ms") else "none"
        print(
            f"| {row['run']} | {think} | {result['requests']:,} | {result['per_second']:.1f} "
            f"| {result['p50_ms']:,.0f} ms "
            f"| {result['p95_ms']:,.0f} ms | {result['p99_ms']:,.0f} ms | {result['max_ms']:,.0f} ms "
            f"| {status['2xx']:,} | {status['4xx']} | {status['5xx']} | {errors['timeout']} | {web} | {db} "
            f"| {row['load_before']} → {row.get('load_after', '?')} |"
        )


if __name__ == "__main__":
    main()
