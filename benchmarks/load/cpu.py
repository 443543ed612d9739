"""CPU seconds used so far by the server under test: gunicorn's processes (the master given and its children) and
the PostgreSQL sessions it opened (`application_name` amity-load, from DATABASE_URL). The load test reads it before
and after a run, so that its figures say how much CPU a request costs, whatever else the machine was doing.

    .venv/bin/python benchmarks/load/cpu.py <gunicorn master pid>   → {"web": 12.3, "database": 4.5}
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def cpu_seconds(pid: int) -> float:
    fields = stat(pid)
    return (int(fields[11]) + int(fields[12])) / TICKS if fields else 0.0  # utime + stime


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = stat(int(entry.name))
            if fields and int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def database_sessions() -> dict[int, float]:
    import psycopg

    url = os.environ["DATABASE_URL"].split("?", 1)[0]
    with psycopg.connect(url, autocommit=True) as conn:
        pids = [
            pid for (pid,) in conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name = 'amity-load'")
        ]
    return {pid: cpu_seconds(pid) for pid in pids}


def main() -> None:
    master = int(sys.argv[1])
    web = cpu_seconds(master) + sum(cpu_seconds(child) for child in children(master))
    sessions = database_sessions()
    print(json.dumps({"web": round(web, 2), "database": round(sum(sessions.values()), 2), "sessions": sessions}))


if __name__ == "__main__":
    main()
