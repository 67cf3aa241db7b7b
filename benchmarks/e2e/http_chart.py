#!/usr/bin/python3
"""Chart of an http_bench.py result: requests/s, p99 latency and proxy core µs/request per
workload, one bar per target (median; the whisker spans min to max over the rounds).

    /usr/bin/python3 benchmarks/e2e/http_chart.py RESULT.json OUT.png

Needs matplotlib (Debian: apt-get install python3-matplotlib, for /usr/bin/python3).
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"direct": "#9e9e9e", "ringress": "#d62728", "nginx": "#2ca02c", "haproxy": "#1f77b4"}
PANELS = [("rps", "requests/s (higher is better)", True),
          ("p99_ms", "p99 latency, ms (lower is better)", True),
          ("proxy_core_us_per_req", "proxy core µs per request (lower is better)", True)]


def main(path, out):
    with open(path) as f:
        report = json.load(f)
    workloads = report["settings"]["workloads"]
    targets = report["settings"]["targets"]
    summary = report["summary"]
    fig, axes = plt.subplots(len(PANELS), 1, figsize=(11, 11), constrained_layout=True)
    width = 0.8 / len(targets)
    for ax, (key, title, log) in zip(axes, PANELS):
        for i, t in enumerate(targets):
            xs, ys, lo, hi = [], [], [], []
            for j, w in enumerate(workloads):
                s = (summary.get(f"{w}/{t}") or {}).get(key)
                if not s or (key == "proxy_core_us_per_req" and t == "direct"):
                    continue
                xs.append(j + (i - (len(targets) - 1) / 2) * width)
                ys.append(s["median"])
                lo.append(s["median"] - s["min"])
                hi.append(s["max"] - s["median"])
            ax.bar(xs, ys, width, yerr=[lo, hi], capsize=2, label=t,
                   color=COLORS.get(t, None))
        ax.set_xticks(range(len(workloads)))
        ax.set_xticklabels(workloads)
        ax.set_title(title)
        if log:
            ax.set_yscale("log")
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(ncol=len(targets))
    env = report["environment"]
    fig.suptitle(f"ringress vs nginx vs HAProxy, HTTP/1.1, one proxy core "
                 f"({report['when']}, {env.get('cpu_model')}, {report['mode']})")
    fig.savefig(out, dpi=90)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
