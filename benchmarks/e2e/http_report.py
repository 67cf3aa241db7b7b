"""Summaries and the markdown report of http_bench.py (median [min–max] over the rounds)."""

import http_workloads as wl
from bench_common import fmt, ratio, spread

FIGURES = ["rps", "p50_ms", "p99_ms", "mib_per_s", "proxy_core_us_per_req",
           "proxy_process_us_per_req", "upstream_conns_per_1000_req", "peak_rss_mib",
           "proxy_core_busy", "load_core_busy"]


def summarize(runs, workloads, targets):
    summary = {}
    for w in workloads:
        for t in targets:
            rs = [r for r in runs if r["workload"] == w and r["target"] == t]
            ok = [r for r in rs if not r.get("failed")]
            if not rs:
                continue
            s = {"runs": len(rs), "failed_runs": len(rs) - len(ok),
                 "errors": sum(r["errors"] for r in ok),
                 "requests": sum(r["requests"] for r in ok)}
            for k in FIGURES:
                s[k] = spread([r.get(k) for r in ok])
            summary[f"{w}/{t}"] = s
    return summary


def _cell(s, key, digits):
    return fmt(s.get(key), digits) if s else "-"


def _short(s, key, digits):
    v = s.get(key) if s else None
    return f"{v['median']:.{digits}f}" if v else "-"


def markdown(report):
    settings = report["settings"]
    workloads, targets = settings["workloads"], settings["targets"]
    summary = report["summary"]
    env = report["environment"]
    out = [
        f"HTTP, {report['when']}, mode {report['mode']}: {settings['rounds']} rounds x "
        f"{settings['duration']} s per workload and target; {env.get('cpu_model')}, "
        f"kernel {env.get('kernel')}; proxy on core {settings['proxy_cpu']}, wrk + origin on "
        f"core {settings['load_cpu']}.",
        "",
        "| workload | target | req/s | p50 ms | p99 ms | MiB/s | proxy core µs/req "
        "| new upstream conn / 1000 req | peak RSS MiB | core1 busy | core0 busy | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for w in workloads:
        for t in targets:
            s = summary.get(f"{w}/{t}")
            if not s:
                continue
            fail = f" ({s['failed_runs']} failed)" if s["failed_runs"] else ""
            out.append(
                f"| {w} | {t} | {_cell(s, 'rps', 0)} | {_short(s, 'p50_ms', 2)} | "
                f"{_short(s, 'p99_ms', 2)} | {_short(s, 'mib_per_s', 1)} | "
                f"{_cell(s, 'proxy_core_us_per_req', 1)} | "
                f"{_short(s, 'upstream_conns_per_1000_req', 2)} | {_short(s, 'peak_rss_mib', 1)} "
                f"| {_short(s, 'proxy_core_busy', 2)} | {_short(s, 'load_core_busy', 2)} | "
                f"{s['errors']}{fail} |")
    out += ["", "Ratios (medians). req/s: higher is better; µs/req (proxy core): lower is better.",
            "", "| workload | req/s ringress/nginx | req/s ringress/HAProxy "
            "| µs/req ringress/nginx | µs/req ringress/HAProxy |", "|---|---|---|---|---|"]
    for w in workloads:
        r, n, h = (summary.get(f"{w}/{t}") for t in ("ringress", "nginx", "haproxy"))
        if not r:
            continue
        g = lambda s, k: s.get(k) if s else None  # noqa: E731
        out.append(f"| {w} | {ratio(g(r, 'rps'), g(n, 'rps'))} | {ratio(g(r, 'rps'), g(h, 'rps'))}"
                   f" | {ratio(g(r, 'proxy_core_us_per_req'), g(n, 'proxy_core_us_per_req'))} | "
                   f"{ratio(g(r, 'proxy_core_us_per_req'), g(h, 'proxy_core_us_per_req'))} |")
    idle = report.get("idle") or []
    if idle:
        out += ["", "Idle keep-alive connections (a fresh proxy process; each connection sends "
                "one GET, then stays open and idle):", "",
                "| target | held | RSS before MiB | RSS held MiB | bytes per idle connection "
                "| errors |", "|---|---|---|---|---|---|"]
        for i in idle:
            per = i["bytes_per_idle_connection"]
            out.append(f"| {i['target']} | {i['idle']} / {i['wanted']} | "
                       f"{i['rss_before_mib'] or 0:.1f} | {i['rss_held_mib'] or 0:.1f} | "
                       f"{per:.0f} | {i['errors']} |" if per is not None else
                       f"| {i['target']} | {i['idle']} / {i['wanted']} | - | - | - | "
                       f"{i['errors']} |")
    tcp = report.get("tcp")
    if tcp:
        out += ["", "TCP proxy (e2e/tcp_bench.py; nginx is not in it: Debian's nginx has no "
                "stream module installed):", ""]
        out.append(tcp.get("markdown") or f"TCP part failed (exit {tcp.get('exit')}):\n"
                   f"```\n{tcp.get('output', '')}\n```")
    return "\n".join(out)


def missing_figures(report, args):
    """What the smoke test checks: every target produced every figure (not how good it is)."""
    missing = []
    for w in args.workloads:
        for t in wl.targets_of(w, args.targets):
            s = report["summary"].get(f"{w}/{t}")
            if not s or not s["requests"]:
                missing.append(f"{w}/{t}: no successful wrk run")
                continue
            for k in ("rps", "p99_ms", "proxy_core_us_per_req", "upstream_conns_per_1000_req"):
                if not s.get(k):
                    missing.append(f"{w}/{t}: no {k}")
            if t != "direct" and not s.get("peak_rss_mib"):
                missing.append(f"{w}/{t}: no peak_rss_mib")
    if args.idle_connections:
        got = {i["target"]: i for i in report.get("idle") or []}
        for t in args.targets:
            if t != "direct" and (t not in got or got[t]["bytes_per_idle_connection"] is None):
                missing.append(f"idle/{t}: no RSS per idle connection")
    if not args.no_tcp:
        tcp = report.get("tcp") or {}
        if tcp.get("failed") or not tcp.get("summary"):
            missing.append("tcp: tcp_bench.py produced no figures")
        else:
            for test in args.tcp_tests.split(","):
                for t in ("direct", "ringress", "haproxy"):
                    s = tcp["summary"].get(f"{test}/{t}") if t in args.targets else True
                    if not s or (s is not True and not (s.get("rate") or {}).get("median")):
                        missing.append(f"tcp {test}/{t}: no rate")
    return missing
