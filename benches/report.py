"""Collect the JSON lines of one scripts/bench run into a table of ratios and results.json.

Usage: python3 benches/report.py OUT_DIR   (reads OUT_DIR/*.jsonl, writes OUT_DIR/results.json
and OUT_DIR/table.md, prints the table). Ratios are signwire time / reference time (lower
is better) unless the goal says otherwise.
"""

from __future__ import annotations

import datetime
import glob
import json
import os
import platform
import subprocess
import sys


def machine() -> dict:
    cpu = "unknown"
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and cpu == "unknown":
                    cpu = line.split(":", 1)[1].strip()
                if line.startswith("flags") and not flags:
                    flags = line.split(":", 1)[1]
    except OSError:
        pass
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "sha_ni": " sha_ni" in f" {flags} ",
        "avx2": " avx2" in f" {flags} ",
        "os": platform.platform(),
        "rustc": subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average_1min": load,
        # scripts/bench --without-sha-ni hides SHA-NI from OpenSSL, Python's hmac (OpenSSL)
        # and aws-lc, and pins signwire to aws-lc, the backend it picks on such CPUs.
        "sha_ni_hidden": os.environ.get("OPENSSL_ia32cap") == ":~0x20000000",
        "signwire_mac_backend": os.environ.get("SIGNWIRE_MAC_BACKEND") or ("rustcrypto" if " sha_ni" in f" {flags} " else "aws-lc"),
    }


def load(out_dir: str) -> list:
    rows = []
    for path in sorted(glob.glob(os.path.join(out_dir, "*.jsonl"))):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    rows.append(json.loads(line))
    return rows


def find(rows: list, **want):
    for r in rows:
        if all(r.get(k) == v for k, v in want.items()):
            return r
    return None


# (label, goal text, predicate on the value, how to find the row, which field is the value)
GOALS = [
    ("HMAC-SHA256 64 B: signwire keyed vs OpenSSL HMAC() one-shot", "≤ 0.70", lambda v: v <= 0.70,
     dict(group="c-hmac", row="keyed_vs_oneshot", alg="hmac-sha256", size="64B"), "ratio"),
    ("HMAC-SHA256 1 MiB: signwire keyed vs OpenSSL reused context", "≤ 1.05", lambda v: v <= 1.05,
     dict(group="c-hmac", row="keyed_vs_reused", alg="hmac-sha256", size="1MiB"), "ratio"),
    ("HopNow sign 1 KiB: Python binding vs pure Python", "≤ 0.80", lambda v: v <= 0.80,
     dict(group="python", row="sign", size="1KiB"), "ratio"),
    ("HopNow sign 1 MiB: Python binding vs pure Python", "≤ 1.00", lambda v: v <= 1.00,
     dict(group="python", row="sign", size="1MiB"), "ratio"),
    ("HopNow sign 1 KiB: PHP FFI vs hash_hmac", "≤ 1.20", lambda v: v <= 1.20,
     dict(group="php", row="sign", size="1KiB"), "ratio"),
    ("HopNow sign 64 KiB: PHP FFI vs hash_hmac", "≤ 1.00", lambda v: v <= 1.00,
     dict(group="php", row="sign", size="64KiB"), "ratio"),
    ("EpinTower sign: signwire vs PHP password_hash, cost 10", "≤ 1.05", lambda v: v <= 1.05,
     dict(group="php", row="epintower_sign"), "ratio"),
    ("verify (policy + memory store) vs bare HMAC, 1 KiB (C ABI)", "≤ 1.15", lambda v: v <= 1.15,
     dict(group="c-verify", row="verify_vs_bare_hmac"), "ratio"),
    ("memory store, checks/s, 1 thread", "≥ 1,000,000", lambda v: v >= 1e6,
     dict(group="stores", row="memory", threads=1), "checks_per_s"),
    ("memory store, 2 threads vs 1 thread", "≥ 1.70", lambda v: v >= 1.70,
     dict(group="stores", row="memory_scaling"), "ratio"),
    ("  the machine's ceiling: 2 threads on 2 separate stores vs 1 thread", "(reference)", lambda v: True,
     dict(group="stores", row="memory_scaling_unshared"), "ratio"),
    ("SQLite store, checks/s, 1 process", "(no goal)", lambda v: True,
     dict(group="stores", row="sqlite", processes=1), "checks_per_s"),
    ("SQLite store, checks/s, 4 processes on one file", "(no goal)", lambda v: True,
     dict(group="stores", row="sqlite", processes=4), "checks_per_s"),
    ("Redis store vs redis-benchmark SET, one connection", "≥ 0.80", lambda v: v >= 0.80,
     dict(group="stores", row="redis_vs_benchmark"), "ratio"),
]


def fmt(v: float, field: str) -> str:
    if field == "checks_per_s":
        return f"{v:,.0f}/s"
    return f"{v:.3f}"


def ns(v) -> str:
    if v is None:
        return ""
    if v >= 1e6:
        return f"{v / 1e6:.2f} ms"
    if v >= 1e3:
        return f"{v / 1e3:.2f} µs"
    return f"{v:.0f} ns"


def main() -> int:
    out_dir = sys.argv[1]
    rows = load(out_dir)
    m = machine()
    lines = [
        f"Machine: {m['cpu']}, {m['cores']} cores, SHA-NI {'yes' if m['sha_ni'] else 'no'}"
        f"{' (hidden from OpenSSL and aws-lc: a CPU without it emulated)' if m['sha_ni_hidden'] else ''}; "
        f"signwire HMAC backend {m['signwire_mac_backend']}; "
        f"{m['date']}; 1-min load {m['load_average_1min']:.1f}",
        "",
        "| comparison | goal | measured | met | signwire | reference |",
        "|---|---|---|---|---|---|",
    ]
    goals = []
    for label, goal, ok, where, field in GOALS:
        r = find(rows, **where)
        if r is None or r.get(field) is None:
            reason = (r or {}).get("skipped", "not measured in this run")
            lines.append(f"| {label} | {goal} | — | n/a | {reason} | |")
            goals.append({"comparison": label, "goal": goal, "measured": None, "met": None, "note": reason})
            continue
        v = r[field]
        met = None if goal in ("(no goal)", "(reference)") else ok(v)
        lines.append(
            f"| {label} | {goal} | {fmt(v, field)} | {'—' if met is None else 'yes' if met else 'NO'} | "
            f"{ns(r.get('signwire_ns'))} | {ns(r.get('reference_ns'))} |"
        )
        goals.append({"comparison": label, "goal": goal, "measured": v, "met": met, "row": r})

    lines += ["", "All rows (ratio = signwire / reference; lower is better):", "",
              "| group | row | alg | size | signwire | reference | ratio |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        if r.get("group") == "meta" or "ratio" not in r:
            continue
        if "signwire_instr" in r:
            sw, ref = f"{r['signwire_instr']:,} instr", f"{r['reference_instr']:,} instr"
        else:
            sw, ref = ns(r.get("signwire_ns")), ns(r.get("reference_ns"))
        note = " (higher is better)" if r.get("higher_is_better") else ""
        lines.append(
            f"| {r['group']} | {r['row']} | {r.get('alg', '')} | {r.get('size', '')} | "
            f"{sw} | {ref} | {r['ratio']:.3f}{note} |"
        )
    others = [r for r in rows if r.get("group") not in ("meta",) and "ratio" not in r]
    if others:
        lines += ["", "Other figures:", ""]
        for r in others:
            lines.append("- " + ", ".join(f"{k}={v}" for k, v in r.items() if k != "group"))
    table = "\n".join(lines)
    print(table)
    meta = {r.get("group") + ":" + k: v for r in rows if r.get("group") == "meta" for k, v in r.items() if k != "group"}
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump({"machine": m, "versions": meta, "goals": goals, "rows": rows}, f, indent=2, ensure_ascii=False)
    with open(os.path.join(out_dir, "table.md"), "w") as f:
        f.write(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
