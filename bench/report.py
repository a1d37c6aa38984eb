"""The bench's results as a markdown table, JSON and a small PNG (checkout latency vs load).

The PNG is drawn with Pillow (already a runtime dependency), so the bench needs no plotting
library.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TARGETS = {
    "checkout_ratio": 0.35,
    "checkout_p95_ms": 150.0,
    "webhook_ratio": 0.60,
    "webhook_p99_ms": 50.0,
    "drain_per_s": 300.0,
    "browse_queries": 4,
    "browse_ratio": 0.70,
    "memory_drift": 0.10,
}

# The webhook scenario's two runs: (result key, row label).
WEBHOOK_SHAPES = [
    ("webhooks_alone", "webhook ingest (20% repeats), worker stopped"),
    ("webhooks", "webhook ingest (20% repeats), worker processing alongside"),
]


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def _ratio(value: float | None, base: float | None) -> float | None:
    if not value or not base:
        return None
    return round(value / base, 3)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _row(cells: list[Any]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per measured thing, with everything the table and the targets need."""
    sc = results["scenarios"]
    out: list[dict[str, Any]] = []
    base = sc.get("baseline_insert", {}).get("ops", {}).get("insert", {})
    base_rps = base.get("throughput")
    render = sc.get("baseline_render", {}).get("ops", {}).get("render", {})
    render_rps = render.get("throughput")

    def add(name: str, conc: Any, entry: dict[str, Any], **extra: Any) -> dict[str, Any]:
        lat = entry.get("latency_ms", {})
        row = {
            "name": name,
            "concurrency": conc,
            "throughput": entry.get("throughput"),
            "unit": "req/s",
            "p50": lat.get("p50"),
            "p95": lat.get("p95"),
            "p99": lat.get("p99"),
            "errors": entry.get("errors", 0),
            "server_errors": entry.get("server_errors", 0),
            "queries": entry.get("queries", {}).get("mean"),
            "ratio": _ratio(entry.get("throughput"), base_rps),
            **extra,
        }
        out.append(row)
        return row

    if base:
        add("baseline: one INSERT", sc["baseline_insert"]["concurrency"], base)
    if render:
        add("baseline: template, no DB", sc["baseline_render"]["concurrency"], render)
    if "browse" in sc:
        ops = sc["browse"]["ops"]
        for op, label in (("list", "browse: product list"), ("detail", "browse: product detail")):
            if op in ops:
                add(
                    label,
                    sc["browse"]["concurrency"],
                    ops[op],
                    ratio_render=_ratio(ops[op]["throughput"], render_rps),
                )
    for level, result in sc.get("checkout", {}).get("levels", {}).items():
        ops = result["ops"]
        submit = ops.get("submit", {})
        flow_queries = sum((e.get("queries", {}).get("mean") or 0) for e in ops.values())
        row = add(
            "checkout submit (whole flow: 4 requests)",
            int(level),
            submit,
            unit="checkouts/s",
            flow_queries=round(flow_queries, 1),
            requests_per_s=round(sum(e["throughput"] for e in ops.values()), 1),
        )
        row["errors"] = sum(e["errors"] for e in ops.values())
        row["server_errors"] = sum(e["server_errors"] for e in ops.values())
        row["request_ratio"] = _ratio(row["requests_per_s"], base_rps)
        excl = submit.get("latency_excl_gateway_ms", {})
        gateway = submit.get("gateway_ms", {})
        row.update(
            excl_p50=excl.get("p50"),
            excl_p95=excl.get("p95"),
            excl_p99=excl.get("p99"),
            gateway_p50=gateway.get("p50"),
            gateway_p95=gateway.get("p95"),
        )
    for key, label in WEBHOOK_SHAPES:
        if key in sc:
            wh = sc[key]
            row = add(label, wh["concurrency"], wh["ops"].get("webhook", {}))
            row["scenario"] = key
            done_after = wh.get("processing_done_after_s")
            if not wh.get("worker_running", True) and done_after:
                # The backlog processed by the worker started after the ingest (startup included).
                row["processed_per_s"] = round(wh["verdict"]["distinct_sent"] / done_after, 1)
    if "drain" in sc:
        d = sc["drain"]
        tasks = d.get("tasks", {})
        n = tasks.get("payments.tasks.reverify_payment:count") or 0
        q = tasks.get("payments.tasks.reverify_payment:queries") or 0
        out.append(
            {
                "name": "re-verification drain (1 worker)",
                "concurrency": d.get("stack_concurrency", "pool"),
                "throughput": d["rate_per_s"],
                "unit": "payments/s",
                "p50": None,
                "p95": None,
                "p99": None,
                "errors": d["payments"] - d["settled"],
                "server_errors": 0,
                "queries": round(q / n, 1) if n else None,
                "ratio": _ratio(d["rate_per_s"], base_rps),
                "steady": d.get("steady_rate_per_s"),
            }
        )
    if "hot_product" in sc:
        hp = sc["hot_product"]
        submit = hp["ops"].get("submit", {})
        row = add("hot product: Pay pressed at once", hp["concurrency"], submit)
        row["unit"] = "submits/s"
    return out


def targets(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) for each first target of the issue."""
    sc, t = results["scenarios"], TARGETS
    table = rows(results)
    verdicts: list[tuple[str, str, str]] = []

    def verdict(ok: bool | None) -> str:
        return "n/a" if ok is None else ("met" if ok else "**missed**")

    base = next((r for r in table if r["name"].startswith("baseline: one")), None)
    at32 = next(
        (r for r in table if r["name"].startswith("checkout") and r["concurrency"] == 32), None
    )
    if at32 and base:
        verdicts.append(
            (
                f"checkout at 32: ≥ {_pct(t['checkout_ratio'])} of baseline throughput",
                f"{_pct(at32['ratio'])} ({at32['throughput']}/s vs {base['throughput']}/s)",
                verdict((at32["ratio"] or 0) >= t["checkout_ratio"]),
            )
        )
        verdicts.append(
            (
                f"checkout at 32: submit p95 ≤ {t['checkout_p95_ms']:.0f} ms, sandbox excluded",
                f"{_ms(at32.get('excl_p95'))} ms",
                verdict((at32.get("excl_p95") or 1e9) <= t["checkout_p95_ms"]),
            )
        )
    for wh in (r for r in table if r.get("scenario") in dict(WEBHOOK_SHAPES)):
        v = sc[wh["scenario"]]["verdict"]
        shape = wh["name"].split(", ", 1)[-1]
        verdicts.append(
            (
                f"webhooks ({shape}): ≥ {_pct(t['webhook_ratio'])} of baseline",
                _pct(wh["ratio"]),
                verdict((wh["ratio"] or 0) >= t["webhook_ratio"]),
            )
        )
        verdicts.append(
            (
                f"webhooks ({shape}): p99 ≤ {t['webhook_p99_ms']:.0f} ms",
                f"{_ms(wh['p99'])} ms",
                verdict((wh["p99"] or 1e9) <= t["webhook_p99_ms"]),
            )
        )
        bad = v["lost"] + v["processed_more_than_once"] + v["payments_completed_twice"]
        verdicts.append(
            (
                f"webhooks ({shape}): zero lost or double-processed events",
                f"lost {v['lost']}, processed twice {v['processed_more_than_once']}, "
                f"completed twice {v['payments_completed_twice']}",
                verdict(bad == 0),
            )
        )
    if "drain" in sc:
        d = sc["drain"]
        verdicts.append(
            (
                f"drain: ≥ {t['drain_per_s']:.0f} payments/s by one worker",
                f"{d['rate_per_s']}/s (steady {d.get('steady_rate_per_s')}/s)",
                verdict(d["rate_per_s"] >= t["drain_per_s"]),
            )
        )
        mem = d["worker_rss_mib"]
        drift = (
            max(abs((mem["max"] or 0) - mem["start"]), abs((mem["end"] or 0) - mem["start"]))
            / mem["start"]
            if mem.get("start")
            else None
        )
        verdicts.append(
            (
                f"drain: worker memory within {_pct(t['memory_drift'])}",
                f"{mem['start']} → {mem['end']} MiB (max {mem['max']})",
                verdict(None if drift is None else drift <= t["memory_drift"]),
            )
        )
    if "browse" in sc:
        sizes = sc["browse"].get("queries_at_size", {})
        worst = max((q or 0) for by_op in sizes.values() for q in by_op.values()) if sizes else None
        verdicts.append(
            (
                f"browse: ≤ {t['browse_queries']} queries per page at any catalogue size",
                ", ".join(f"{size} products: {by_op}" for size, by_op in sizes.items()),
                verdict(None if worst is None else worst <= t["browse_queries"]),
            )
        )
        lst = next((r for r in table if r["name"] == "browse: product list"), None)
        if lst:
            verdicts.append(
                (
                    f"browse: product list ≥ {_pct(t['browse_ratio'])} of the bare template view",
                    _pct(lst.get("ratio_render")),
                    verdict((lst.get("ratio_render") or 0) >= t["browse_ratio"]),
                )
            )
    total_5xx = sum(r["server_errors"] or 0 for r in table)
    oversold = sc.get("hot_product", {}).get("verdict", {}).get("oversold")
    verdicts.append(("zero 5xx in every scenario", str(total_5xx), verdict(total_5xx == 0)))
    if oversold is not None:
        hv = sc["hot_product"]["verdict"]
        verdicts.append(
            (
                "hot product: exactly the stock reserved, others told it sold out",
                f"{hv['units_reserved']} reserved, oversold {oversold}, "
                f"sold-out answers {hv.get('answers_sold_out', 0)}, errors "
                f"{hv.get('answers_error', 0) + hv.get('answers_other', 0)}",
                verdict(oversold == 0 and not results["problems"]),
            )
        )
    return verdicts


CPU_UNITS = [
    ("baseline: one INSERT", "baseline_insert", "insert", "request"),
    ("baseline: template, no DB", "baseline_render", "render", "request"),
    ("checkout (4 requests + pay call)", "checkout_32", "submit", "checkout"),
    ("webhook ingest, worker stopped", "webhooks_alone", "webhook", "delivery"),
    ("webhook ingest (+ processing)", "webhooks", "webhook", "delivery"),
    ("hot product", "hot_product", "submit", "buyer"),
]


def cpu_table(results: dict[str, Any]) -> list[str]:
    """CPU milliseconds per unit of work, by process, over the whole scenario (warm-up too)."""
    sc = results["scenarios"]
    runs: dict[str, dict[str, Any]] = {
        "baseline_insert": sc.get("baseline_insert", {}),
        "baseline_render": sc.get("baseline_render", {}),
        "webhooks": sc.get("webhooks", {}),
        "webhooks_alone": sc.get("webhooks_alone", {}),
        "hot_product": sc.get("hot_product", {}),
    }
    for level, result in sc.get("checkout", {}).get("levels", {}).items():
        runs[f"checkout_{level}"] = result
    columns = ["shop", "gateway", "worker", "mailer", "postgres", "redis", "load generator"]
    lines = [
        _row(["scenario", "per", *columns, "all", "not ours", "wall ms per unit x cores"]),
        _row(["---"] * (len(columns) + 5)),
    ]
    level = results.get("meta", {}).get("plan", {}).get("concurrency", 32)
    runs["checkout_32"] = runs.get(f"checkout_{level}", {})
    entries = [(label, runs.get(key, {}), op, unit) for label, key, op, unit in CPU_UNITS]
    if "drain" in sc:
        n = sc["drain"]["payments"]
        entries.append(("re-verification drain", {**sc["drain"], "_units": n}, "", "payment"))
    for label, run, op, unit in entries:
        cpu = run.get("cpu_s")
        if not cpu:
            continue
        units = run.get("_units") or sum(
            run.get("ops", {}).get(op, {}).get("statuses", {}).values()
        )
        if not units:
            continue
        cells = [f"{cpu.get(c, 0) * 1000 / units:.1f}" for c in columns]
        total = sum(cpu.get(c, 0) for c in columns) * 1000 / units
        wall = run.get("wall_s") or run.get("elapsed_s") or 0
        capacity = wall * results.get("meta", {}).get("cpus", 2) * 1000 / units
        ours = sum(cpu.get(c, 0) for c in [*columns, "beat"])
        other = f"{max(0.0, cpu['machine'] - ours) * 1000 / units:.1f}" if "machine" in cpu else "–"
        lines.append(_row([label, unit, *cells, f"{total:.1f}", other, f"{capacity:.1f}"]))
    return lines


def drift(results: dict[str, Any]) -> list[str]:
    """The INSERT baseline at the start and at the end of the run, as a markdown paragraph."""
    sc = results["scenarios"]
    start = sc.get("baseline_insert", {}).get("ops", {}).get("insert", {}).get("throughput")
    end = sc.get("baseline_insert_end", {}).get("ops", {}).get("insert", {}).get("throughput")
    if not start or not end:
        return []
    change = end / start - 1
    return [
        f"Machine drift: the INSERT baseline ran at {start} req/s at the start and {end} req/s "
        f"at the end ({change * 100:+.0f}%). Ratios are to the start's; a drift of more than "
        "10-15% means the machine's own speed moved during the run, and ratios of scenarios "
        "far apart in time carry that much noise.",
        "",
    ]


def markdown(results: dict[str, Any]) -> str:
    meta = results.get("meta", {})
    lines = [
        f"# Bench {meta.get('date', '')} on {meta.get('machine', '')}"
        + (" (smoke: tiny numbers, not a measurement)" if meta.get("smoke") else ""),
        "",
        f"{meta.get('cpus', '?')} CPUs; shop: gunicorn {meta.get('stack', {}).get('web_workers')}"
        f" workers x {meta.get('stack', {}).get('web_threads')} threads; gateway: its own "
        f"gunicorn; Celery prefork {meta.get('stack', {}).get('worker_concurrency')}; "
        f"PostgreSQL, Redis; load from one asyncio process on the same machine. "
        f"{meta.get('plan', {}).get('duration')} s measured per load scenario "
        f"after {meta.get('plan', {}).get('warmup')} s warm-up. Total {meta.get('total_s')} s.",
        "",
        *drift(results),
        _row(
            [
                "scenario",
                "concurrency",
                "throughput",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "errors",
                "5xx",
                "queries/req",
                "vs baseline",
            ]
        ),
        _row(["---"] * 10),
    ]
    table = rows(results)
    for r in table:
        ratio = _pct(r["ratio"])
        if r.get("ratio_render") is not None:
            ratio += f" ({_pct(r['ratio_render'])} of template)"
        if r.get("request_ratio") is not None:
            ratio += f" ({_pct(r['request_ratio'])} in requests)"
        queries = r["queries"]
        if r.get("flow_queries") is not None:
            queries = f"{queries} (flow {r['flow_queries']})"
        throughput = f"{r['throughput']} {r['unit']}"
        if r.get("steady"):
            throughput += f" (steady {r['steady']})"
        if r.get("processed_per_s"):
            throughput += f" (then processed at {r['processed_per_s']}/s)"
        lines.append(
            _row(
                [
                    r["name"],
                    r["concurrency"],
                    throughput,
                    _ms(r["p50"]),
                    _ms(r["p95"]),
                    _ms(r["p99"]),
                    r["errors"],
                    r["server_errors"],
                    queries,
                    ratio,
                ]
            )
        )
        if "excl_p95" in r:
            lines.append(
                _row(
                    [
                        "  ↳ submit without the sandbox's time",
                        r["concurrency"],
                        f"pay call p50 {_ms(r['gateway_p50'])} / p95 {_ms(r['gateway_p95'])} ms",
                        _ms(r["excl_p50"]),
                        _ms(r["excl_p95"]),
                        _ms(r["excl_p99"]),
                        "",
                        "",
                        "",
                        "",
                    ]
                )
            )
    sc = results["scenarios"]
    lines += [
        "",
        "## Where the CPU went (ms of CPU per unit of work)",
        "",
        *cpu_table(results),
        "",
        "## Targets",
        "",
        _row(["target", "measured", "verdict"]),
        _row(["---"] * 3),
    ]
    for target, measured, verdict in targets(results):
        if meta.get("smoke"):
            verdict = "not judged (smoke)" if "zero" not in target else verdict
        lines.append(_row([target, measured, verdict]))
    for key, label in WEBHOOK_SHAPES:
        if key in sc:
            lines += ["", f"Webhook ledger ({label}): " + json.dumps(sc[key]["verdict"])]
    if "hot_product" in sc:
        lines += ["", "Hot product: " + json.dumps(sc["hot_product"]["verdict"])]
    if "drain" in sc:
        d = sc["drain"]
        lines += [
            "",
            f"Drain: {d['settled']} of {d['payments']} settled in {d['elapsed_s']} s, first after "
            f"{d['first_settled_s']} s; orders paid {d['orders_paid']}; sweep batch "
            f"{d['sweep']['batch']} every {d['sweep']['interval_s']} s; tasks run "
            + json.dumps(d.get("tasks", {})),
        ]
    if results.get("problems"):
        lines += ["", "## Problems", ""] + [f"- {p}" for p in results["problems"]]
    return "\n".join(lines) + "\n"


def plot(results: dict[str, Any], path: Path) -> bool:
    """Checkout submit latency (p50, p95, p95 without the sandbox) against concurrency."""
    levels = results["scenarios"].get("checkout", {}).get("levels", {})
    points = []
    for level, result in sorted(levels.items(), key=lambda kv: int(kv[0])):
        submit = result["ops"].get("submit", {})
        lat, excl = submit.get("latency_ms", {}), submit.get("latency_excl_gateway_ms", {})
        points.append((int(level), lat.get("p50"), lat.get("p95"), excl.get("p95")))
    if len(points) < 2:
        return False
    from PIL import Image, ImageDraw

    width, height, left, bottom, top, right = 640, 400, 60, 50, 30, 150
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    ymax = max(v for p in points for v in p[1:] if v) * 1.1
    plot_w, plot_h = width - left - right, height - top - bottom

    def xy(i: int, value: float) -> tuple[float, float]:
        x = left + plot_w * (i / max(1, len(points) - 1))
        return x, top + plot_h * (1 - value / ymax)

    draw.rectangle([left, top, left + plot_w, top + plot_h], outline="black")
    for k in range(5):
        value = ymax * k / 4
        _, y = xy(0, value)
        draw.line([left - 4, y, left, y], fill="black")
        draw.text((5, y - 6), f"{value:.0f} ms", fill="black")
    for i, (level, *_rest) in enumerate(points):
        x, _ = xy(i, 0)
        draw.text((x - 6, top + plot_h + 8), str(level), fill="black")
    draw.text((left + plot_w / 2 - 60, height - 20), "concurrent shoppers", fill="black")
    draw.text((left, 8), "Checkout submit latency (POST /checkout/)", fill="black")
    series = [(1, "p50", "#1f77b4"), (2, "p95", "#d62728"), (3, "p95 w/o sandbox", "#2ca02c")]
    for index, label, colour in series:
        line = [xy(i, p[index]) for i, p in enumerate(points) if p[index] is not None]
        draw.line(line, fill=colour, width=2)
        for x, y in line:
            draw.ellipse([x - 3, y - 3, x + 3, y + 3], fill=colour)
        ly = top + 20 * index
        draw.line([width - right + 10, ly, width - right + 30, ly], fill=colour, width=3)
        draw.text((width - right + 36, ly - 6), label, fill="black")
    image.save(path)
    return True


def write(results: dict[str, Any], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    meta = results.get("meta", {})
    stem = f"{meta.get('date')}-{meta.get('machine')}" + ("-smoke" if meta.get("smoke") else "")
    json_path, md_path, png_path = (folder / f"{stem}{ext}" for ext in (".json", ".md", ".png"))
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    md_path.write_text(markdown(results))
    written = [md_path, json_path]
    if plot(results, png_path):
        written.append(png_path)
    return written
