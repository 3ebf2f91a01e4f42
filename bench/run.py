#!/usr/bin/env python3
"""The benchmark driver behind scripts/bench (docs/bench.md).

Runs every contender on every workload and engine, several times each, in
one process per run; prints medians and ratios; writes the CSV, the chart
and the machine description; counts instructions with callgrind for corm
against the hand-written code on SQLite; times `corm gen` and `corm diff`
on a generated 500-model schema.

It expects the database URLs in CORM_BENCH_SQLITE_URL, CORM_BENCH_PG_URL
and CORM_BENCH_MYSQL_URL (scripts/bench sets them) and a build dir holding
bench/corm-bench and cli/corm.
"""
import argparse
import csv
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

ENGINES = ["sqlite", "postgres", "mysql"]
WORKLOADS = ["insert_one", "insert_bulk", "load", "lookup", "lookup_tx", "filtered",
             "assoc", "request", "request_pipelined", "stream"]
C_CONTENDERS = ["raw", "corm", "corm-stmt"]
PEERS = ["sqlalchemy-orm", "sqlalchemy-core", "django", "peewee"]
SHORT = {"sqlalchemy-orm": "sqla-orm", "sqlalchemy-core": "sqla-core"}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def command(build, contender, workload, url, n):
    if contender in C_CONTENDERS:
        return [os.path.join(build, "bench", "corm-bench"), "run", contender, workload, url, str(n)]
    peers = os.path.join(HERE, "peers")
    script = {"sqlalchemy-orm": ["sqla.py", "orm"], "sqlalchemy-core": ["sqla.py", "core"],
              "django": ["dj.py", "django"], "peewee": ["pw.py", "peewee"]}[contender]
    return [PY, os.path.join(peers, script[0]), script[1], workload, url, str(n)]


def parse_result(out):
    for line in out.splitlines():
        if line.startswith("result "):
            return {k: float(v) for k, v in (f.split("=") for f in line.split()[1:])}
        if line.startswith("unsupported"):
            return {"unsupported": line}
    return None


def run_once(cmd, timeout):
    """One run; a failed run is tried twice more, 3 s apart (a server
    restarted under us), and its error kept when all fail."""
    for attempt in range(3):
        r = run_attempt(cmd, timeout)
        if "error" not in r or "timeout" in r["error"]:
            return r
        log("  retrying after: " + r["error"])
        time.sleep(3)
    return r


def run_attempt(cmd, timeout):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                           cwd=os.path.join(HERE, "peers"))
    except subprocess.TimeoutExpired:
        return {"error": "timeout after %ds" % timeout}
    r = parse_result(p.stdout)
    if r is None:
        return {"error": (p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[-1]}
    return r


def applies(contender, workload, engine):
    if contender == "corm-stmt":
        return workload == "stream"
    if workload == "request_pipelined":
        return engine == "postgres" and contender in ("raw", "corm")
    return True


def machine_info(build):
    def sh(cmd):
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True,
                                  timeout=30).stdout.strip()
        except Exception as e:  # noqa: BLE001
            return "(%s)" % e
    info = {
        "date (UTC)": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        "nproc": str(os.cpu_count()),
        "cpu": sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip() or platform.processor(),
        "memory": sh("grep MemTotal /proc/meminfo | awk '{printf \"%.1f GiB\", $2/1048576}'"),
        "kernel": platform.release(),
        "os": sh(". /etc/os-release && echo $PRETTY_NAME"),
        "load average": " ".join(open("/proc/loadavg").read().split()[:3]),
        "compiler": sh("cc --version | head -1"),
        "corm build": build + " (" + sh("meson introspect --buildoptions %s 2>/dev/null | %s -c "
                                        "\"import json,sys; print([o['value'] for o in json.load(sys.stdin)"
                                        " if o['name']=='buildtype'][0])\"" % (build, PY)) + ")",
        "corm commit": sh("git -C %s rev-parse --short HEAD 2>/dev/null" % ROOT)
                       + (" + uncommitted changes" if sh("git -C %s status --porcelain 2>/dev/null | head -1" % ROOT) else ""),
        "sqlite": sh("pkg-config --modversion sqlite3"),
        "libpq": sh("pkg-config --modversion libpq"),
        "mariadb client": sh("pkg-config --modversion libmariadb"),
        "python": sh(PY + " --version"),
    }
    for mod, name in [("sqlalchemy", "SQLAlchemy"), ("django", "Django"), ("peewee", "peewee"),
                      ("psycopg2", "psycopg2"), ("MySQLdb", "mysqlclient")]:
        info[name] = sh("%s -c 'import %s; print(getattr(%s, \"__version__\", \"\"))'" % (PY, mod, mod)).split()[0:1]
        info[name] = info[name][0] if info[name] else "(not installed)"
    return info


def server_versions(urls):
    out = {}
    try:
        if urls.get("postgres"):
            import psycopg2
            c = psycopg2.connect(urls["postgres"])
            cur = c.cursor()
            cur.execute("SHOW server_version")
            out["PostgreSQL server"] = cur.fetchone()[0]
            c.close()
    except Exception as e:  # noqa: BLE001
        out["PostgreSQL server"] = "(%s)" % e
    try:
        if urls.get("mysql"):
            sys.path.insert(0, os.path.join(HERE, "peers"))
            import common
            import MySQLdb
            _, p = common.parse(urls["mysql"])
            c = MySQLdb.connect(host=p["host"], port=p["port"], user=p["user"],
                                passwd=p["password"], db=p["db"])
            cur = c.cursor()
            cur.execute("SELECT VERSION()")
            out["MariaDB server"] = cur.fetchone()[0]
            c.close()
    except Exception as e:  # noqa: BLE001
        out["MariaDB server"] = "(%s)" % e
    return out


def wait_rusage(cmd, stdout=subprocess.DEVNULL):
    """Run cmd; (seconds, peak RSS KiB, exit code) from wait4."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    t1 = time.perf_counter()
    p.returncode = os.waitstatus_to_exitcode(status)
    return t1 - t0, ru.ru_maxrss, p.returncode


def gen_diff(build, tmp, models, runs):
    corm = os.path.join(build, "cli", "corm")
    a, b = os.path.join(tmp, "s%d.corm" % models), os.path.join(tmp, "s%d-changed.corm" % models)
    with open(a, "w") as f:
        subprocess.run([PY, os.path.join(HERE, "gen_schema.py"), str(models)], stdout=f, check=True)
    with open(b, "w") as f:
        subprocess.run([PY, os.path.join(HERE, "gen_schema.py"), str(models), "--changed"],
                       stdout=f, check=True)
    gen_dir = os.path.join(tmp, "gen")
    os.makedirs(gen_dir, exist_ok=True)
    cases = [("corm gen", [corm, "gen", a, "-o", gen_dir]),
             ("corm diff - S --dialect postgres", [corm, "diff", "-", a, "--dialect", "postgres"]),
             ("corm diff S S' --dialect sqlite", [corm, "diff", a, b, "--dialect", "sqlite"]),
             ("corm diff S S' --dialect mysql", [corm, "diff", a, b, "--dialect", "mysql"])]
    rows = []
    for name, cmd in cases:
        ts, rss, rc = [], [], 0
        for _ in range(runs):
            t, m, rc = wait_rusage(cmd)
            ts.append(t)
            rss.append(m)
        rows.append({"command": name, "models": models, "median_s": statistics.median(ts),
                     "peak_rss_kib": max(rss), "exit": rc})
    sizes = {f: os.path.getsize(os.path.join(gen_dir, f)) for f in os.listdir(gen_dir)}
    return rows, sizes


def callgrind(build, tmp, engine, url, workloads, n):
    """Instructions of each workload (only the timed part, client side),
    raw vs corm. Deterministic, so it compares the two even on a busy
    machine; on PostgreSQL and MySQL it leaves out the server's work."""
    rows = []
    vg = shutil.which("valgrind")
    if not vg:
        log("valgrind not found: no instruction counts")
        return rows
    for w in workloads:
        if w == "request_pipelined":
            continue
        counts = {}
        for c in ("raw", "corm"):
            out = os.path.join(tmp, "callgrind.%s.%s.%s.out" % (engine, w, c))
            cmd = [vg, "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=" + out] + \
                command(build, c, w, url, n if w != "request" else 2 * n)
            p = subprocess.run(cmd, capture_output=True, text=True)
            counts[c] = None
            for line in p.stderr.splitlines():
                if "Collected :" in line:
                    counts[c] = int(line.split(":")[-1].strip())
        if counts["raw"] and counts["corm"]:
            rows.append({"engine": engine, "workload": w, "n": n, "raw_Ir": counts["raw"],
                         "corm_Ir": counts["corm"], "corm/raw": counts["corm"] / counts["raw"]})
            log("  callgrind %-8s %-12s raw %12d  corm %12d  %.2fx" % (
                engine, w, counts["raw"], counts["corm"], counts["corm"] / counts["raw"]))
    return rows


def chart(results, path, engines, workloads, contenders):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib not installed: no chart")
        return False
    fig, axes = plt.subplots(len(engines), 1, figsize=(13, 4.2 * len(engines)), squeeze=False)
    cs = [c for c in contenders if c != "corm-stmt"]
    width = 0.8 / len(cs)
    for ax, e in zip(axes[:, 0], engines):
        for k, c in enumerate(cs):
            xs, ys = [], []
            for i, w in enumerate(workloads):
                raw = results.get((e, w, "raw"))
                r = results.get((e, w, c))
                if raw and r and raw.get("median") and r.get("median"):
                    xs.append(i + (k - len(cs) / 2 + 0.5) * width)
                    ys.append(r["median"] / raw["median"])
            ax.bar(xs, ys, width, label=c)
        ax.set_yscale("log")
        ax.axhline(1.0, color="black", linewidth=0.8)
        ax.axhline(1.1, color="red", linewidth=0.8, linestyle="--")
        ax.set_xticks(range(len(workloads)))
        ax.set_xticklabels(workloads, rotation=15)
        ax.set_ylabel("time / raw C (log)")
        ax.set_title(e)
        ax.grid(axis="y", which="both", alpha=0.3)
    axes[0, 0].legend(ncol=len(cs), fontsize=8, loc="upper left")
    fig.suptitle("corm benchmarks: median time relative to hand-written driver code "
                 "(lower is better; dashed: 1.10)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    return True


def fmt_s(s):
    if s is None:
        return "-"
    return "%.1f" % (s * 1000) if s < 10 else "%.0f" % (s * 1000)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int)
    ap.add_argument("--peer-runs", type=int)
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("--contenders", default=",".join(C_CONTENDERS + PEERS))
    ap.add_argument("--no-callgrind", action="store_true")
    ap.add_argument("--callgrind-only", action="store_true",
                    help="only the instruction counts (on every engine given)")
    ap.add_argument("--no-gen", action="store_true")
    ap.add_argument("--timeout", type=int, default=900)
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)

    n = 2000 if args.quick else 10000
    stream_rows = 100000 if args.quick else 1000000
    runs = args.runs or (3 if args.quick else 5)
    peer_runs = args.peer_runs or (1 if args.quick else 3)
    engines = [e for e in args.engines.split(",") if e]
    workloads = [w for w in args.workloads.split(",") if w]
    contenders = [c for c in args.contenders.split(",") if c]
    urls = {"sqlite": os.environ.get("CORM_BENCH_SQLITE_URL"),
            "postgres": os.environ.get("CORM_BENCH_PG_URL"),
            "mysql": os.environ.get("CORM_BENCH_MYSQL_URL")}
    for e in list(engines):
        if not urls.get(e):
            log("no URL for %s: skipped" % e)
            engines.remove(e)
    os.makedirs(args.out, exist_ok=True)
    tmp = os.path.join(args.build, "bench-tmp")
    os.makedirs(tmp, exist_ok=True)

    info = machine_info(args.build)
    info.update(server_versions(urls))
    info["mode"] = "quick" if args.quick else "full"
    info["n"] = str(n)
    info["stream rows"] = str(stream_rows)
    info["runs"] = "%d per C contender, %d per Python contender (median)" % (runs, peer_runs)

    corm_bench = os.path.join(args.build, "bench", "corm-bench")
    for e in engines:
        log("setting up %s (%d stream rows)..." % (e, stream_rows))
        subprocess.run([corm_bench, "setup", urls[e], str(stream_rows)], check=True,
                       stdout=subprocess.DEVNULL)

    cg = []
    cg_engines = engines if args.callgrind_only else [e for e in engines if e == "sqlite"]
    if not args.no_callgrind or args.callgrind_only:
        for e in cg_engines:
            log("callgrind (%s, n=%d)..." % (e, n // 5))
            cg += callgrind(args.build, tmp, e, urls[e], workloads, n // 5)
        if cg:
            name = "callgrind-all.csv" if args.callgrind_only else "callgrind.csv"
            with open(os.path.join(args.out, name), "w", newline="") as f:
                wr = csv.writer(f)
                wr.writerow(["engine", "workload", "n", "raw_Ir", "corm_Ir", "corm/raw"])
                for r in cg:
                    wr.writerow([r["engine"], r["workload"], r["n"], r["raw_Ir"], r["corm_Ir"],
                                 "%.3f" % r["corm/raw"]])
    if args.callgrind_only:
        for r in cg:
            print("%-8s %-12s raw %12d corm %12d %.2fx" % (r["engine"], r["workload"], r["raw_Ir"],
                                                           r["corm_Ir"], r["corm/raw"]))
        return

    results = {}
    for e in engines:
        for w in workloads:
            sums = {}
            # Runs interleaved (raw, corm, ..., raw, corm, ...): a slow
            # stretch of the machine or the server then lands on every
            # contender, not on whichever ran during it.
            active = [c for c in contenders if applies(c, w, e)]
            # 20 lookups a request: 2n of them make n/10 requests
            wn = n * 2 if w in ("request", "request_pipelined") else n
            state = {c: {"times": [], "hwm": 0, "err": None, "uns": None, "sum": None}
                     for c in active}
            rounds = max([runs if c in C_CONTENDERS else peer_runs for c in active] or [0])
            for i in range(rounds):
                for c in active:
                    st = state[c]
                    k = runs if c in C_CONTENDERS else peer_runs
                    if i >= k or st["err"] or st["uns"]:
                        continue
                    r = run_once(command(args.build, c, w, urls[e], wn), args.timeout)
                    if "unsupported" in r:
                        st["uns"] = r["unsupported"]
                    elif "error" in r:
                        st["err"] = r["error"]
                    else:
                        st["times"].append(r["seconds"])
                        st["hwm"] = max(st["hwm"], int(r["hwm_growth_kib"]))
                        st["sum"] = int(r["sum"])
            for c in active:
                st = state[c]
                times = st["times"]
                res = {"median": statistics.median(times) if times else None,
                       "min": min(times) if times else None, "max": max(times) if times else None,
                       "runs": len(times), "hwm_growth_kib": st["hwm"] if times else None,
                       "sum": st["sum"], "note": st["err"] or st["uns"] or "", "n": wn}
                results[(e, w, c)] = res
                if st["sum"] is not None:
                    sums[c] = st["sum"]
                log("%-8s %-18s %-16s %s ms%s" % (e, w, c, fmt_s(res["median"]),
                                                  "  (" + res["note"] + ")" if res["note"] else ""))
            if len(set(sums.values())) > 1:
                log("WARNING: %s %s: contenders read different data: %s" % (e, w, sums))
                for c in sums:
                    results[(e, w, c)]["note"] += " checksum differs"

    # CSV
    csv_path = os.path.join(args.out, "results.csv")
    with open(csv_path, "w", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(["engine", "workload", "contender", "n", "runs", "median_s", "min_s", "max_s",
                     "peak_rss_growth_kib", "checksum", "note"])
        for (e, w, c), r in results.items():
            wr.writerow([e, w, c, r["n"], r["runs"],
                         "%.6f" % r["median"] if r["median"] is not None else "",
                         "%.6f" % r["min"] if r["min"] is not None else "",
                         "%.6f" % r["max"] if r["max"] is not None else "",
                         r["hwm_growth_kib"] if r["hwm_growth_kib"] is not None else "",
                         r["sum"] if r["sum"] is not None else "", r["note"].strip()])

    # Table
    peers = [c for c in contenders if c in PEERS]
    lines = []
    head = "| engine | workload | raw ms | corm ms | corm/raw | " + \
        " | ".join("%s/corm" % SHORT.get(p, p) for p in peers) + " |"
    lines.append(head)
    lines.append("|" + "---|" * (5 + len(peers)))
    for e in engines:
        for w in workloads:
            raw = results.get((e, w, "raw"), {}).get("median")
            cm = results.get((e, w, "corm"), {}).get("median")
            if raw is None and cm is None:
                continue
            cells = [e, w, fmt_s(raw), fmt_s(cm),
                     "%.2f" % (cm / raw) if raw and cm else
                     ("n/a" if w == "request_pipelined" else "-")]
            for p in peers:
                pm = results.get((e, w, p), {}).get("median")
                cells.append("%.1f" % (pm / cm) if pm and cm else "-")
            lines.append("| " + " | ".join(cells) + " |")
    table = "\n".join(lines)

    # Memory (peak RSS growth during the workload)
    mem = ["| engine | contender | stream: peak RSS growth | load: peak RSS growth |", "|---|---|---|---|"]
    for e in engines:
        for c in contenders:
            st = results.get((e, "stream", c), {}).get("hwm_growth_kib")
            ld = results.get((e, "load", c), {}).get("hwm_growth_kib")
            if st is None and ld is None:
                continue
            mem.append("| %s | %s | %s | %s |" % (e, c, "%.1f MiB" % (st / 1024) if st is not None else "-",
                                                  "%.1f MiB" % (ld / 1024) if ld is not None else "-"))
    memtable = "\n".join(mem)

    # Targets
    tg = []
    worst = None
    for (e, w, c), r in results.items():
        if c != "corm" or r["median"] is None:
            continue
        raw = results.get((e, w, "raw"), {}).get("median")
        if raw:
            ratio = r["median"] / raw
            if worst is None or ratio > worst[0]:
                worst = (ratio, e, w)
    if worst:
        tg.append("- corm <= 1.10x raw C (wall clock): worst %.2fx (%s %s)" % worst)
    for p in ("sqlalchemy-orm", "django"):
        rs = []
        for w in workloads:
            pm = results.get(("sqlite", w, p), {}).get("median")
            cm = results.get(("sqlite", w, "corm"), {}).get("median")
            if pm and cm:
                rs.append((pm / cm, w))
        if rs:
            tg.append("- corm >= 20x faster than %s on SQLite: min %.1fx (%s), max %.1fx (%s)"
                      % (p, min(rs)[0], min(rs)[1], max(rs)[0], max(rs)[1]))
    for c in ("raw", "corm"):
        seq = results.get(("postgres", "request", c), {}).get("median")
        pip = results.get(("postgres", "request_pipelined", c), {}).get("median")
        if seq and pip:
            tg.append("- pipelined PostgreSQL requests (%s) %.1fx faster than sequential "
                      "(target >= 5x)" % (c, seq / pip))
    for e in engines:
        for c in ("corm", "corm-stmt"):
            h = results.get((e, "stream", c), {}).get("hwm_growth_kib")
            if h is not None:
                tg.append("- stream %d rows, %s, %s: peak RSS growth %.2f MiB (target < 16 MiB)"
                          % (stream_rows, e, c, h / 1024))

    gd, sizes = ([], {}) if args.no_gen else gen_diff(args.build, tmp, 500, 3)

    info["load average (end)"] = " ".join(open("/proc/loadavg").read().split()[:3])
    with open(os.path.join(args.out, "machine.txt"), "w") as f:
        for k, v in info.items():
            f.write("%s: %s\n" % (k, v))
    have_chart = chart(results, os.path.join(args.out, "chart.png"), engines, workloads, contenders)

    report = ["# corm benchmark results (%s)" % info["mode"], "",
              "Machine: %s, %s CPUs, %s; load average %s at start, %s at end."
              % (info["cpu"], info["nproc"], info["memory"], info["load average"],
                 info["load average (end)"]), "",
              "Median wall-clock time in ms of %s; ratios are medians divided."
              % info["runs"], "", table, "", "Peak RSS growth during the workload:", "",
              memtable, ""]
    if cg:
        report += ["Instructions (callgrind, timed part only), n=%d:" % (n // 5), "",
                   "| engine | workload | raw Ir | corm Ir | corm/raw |", "|---|---|---|---|---|"]
        report += ["| %s | %s | %d | %d | %.2f |" % (r["engine"], r["workload"], r["raw_Ir"],
                                                    r["corm_Ir"], r["corm/raw"]) for r in cg]
        report.append("")
    if gd:
        report += ["Schema tools on a generated 500-model schema (median of 3):", "",
                   "| command | seconds | peak RSS |", "|---|---|---|"]
        report += ["| %s | %.3f | %.1f MiB |" % (r["command"], r["median_s"], r["peak_rss_kib"] / 1024)
                   for r in gd]
        report.append("")
        report.append("Generated: " + ", ".join("%s %.1f MiB" % (k, v / 1048576)
                                                for k, v in sorted(sizes.items())))
        report.append("")
    report += ["Targets:", ""] + tg + [""]
    if have_chart:
        report.append("Chart: chart.png")
    text = "\n".join(report)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
