"""The readable table of a benchmark report, with the targets beside the figures."""

from __future__ import annotations

from typing import Any

TARGETS = {
    "ingest": "≥ 3,000 statements/s (batches of 100, 4 clients)",
    "single_post_p95": "≤ 20 ms",
    "read_p95": "≤ 50 ms at 1,000,000 statements",
    "dashboard_p95": "≤ 1 s at 1,000,000 statements",
    "single_post": "≥ 300 statements/s (batches of 1, 4 clients)",
    "storage": "≤ 2,500 bytes per statement",
    "export": "≥ 50,000 statements/s NDJSON, peak private memory ≤ 256 MB",
}


def table(results: dict[str, Any]) -> str:
    lines = [
        f"stored statements: {results['stored_statements']:,} "
        f"(demo organisation: {results['demo_statements']:,})",
    ]
    for kind, figures in results["databases"].items():
        lines += ["", f"## {kind}", "", "| ingest | clients | st/s | p50 ms | p95 ms | p99 ms |",
                  "|---|---|---|---|---|---|"]  # fmt: skip
        for row in figures["ingest"]:
            latency = row["latency"]
            lines.append(
                f"| batch {row['batch_size']} | {row['clients']} | "
                f"{row['statements_per_second']:,.0f} | {latency['p50_ms']} | "
                f"{latency['p95_ms']} | {latency['p99_ms']} |"
            )
        lines += ["", "| read (GET /statements) | p50 ms | p95 ms |", "|---|---|---|"]
        for name, read in figures["reads"].items():
            if name == "more_pages":
                for page, values in read.items():
                    lines.append(f"| more: {page} | {values['p50_ms']} | {values['p95_ms']} |")
            elif name == "more_by_filter":
                for kind, values in read.items():
                    lines.append(
                        f"| {kind}, more pages 2-10 | {values['p50_ms']} | {values['p95_ms']} |"
                    )
            else:
                lines.append(f"| {name} | {read['p50_ms']} | {read['p95_ms']} |")
        lines += ["", "| dashboard page / filters | page p50 s | page p95 s | in sequence p95 s "
                  "| slowest callback p95 s |", "|---|---|---|---|---|"]  # fmt: skip
        for page, values in figures["dashboards"].items():
            lines.append(
                f"| {page} | {values['p50']:.3f} | {values['p95']:.3f} | "
                f"{values['sequential_p95']:.3f} | {values['slowest_callback']} "
                f"{values['slowest_callback_p95']:.3f} |"
            )
        storage = figures.get("storage")
        if storage:
            largest = ", ".join(f"{name} {size:,}" for name, size in storage["largest"].items())
            lines += ["", "| storage | bytes/statement | largest parts (bytes/statement) |",
                      "|---|---|---|",
                      f"| {storage['statements']:,} statements | "
                      f"{storage['bytes_per_statement']:,} | {largest} |"]  # fmt: skip
        export = figures["export"]
        lines += ["", f"| export ({export['statements']:,} statements) | st/s | peak RSS MB "
                  "| peak private MB |", "|---|---|---|---|"]  # fmt: skip
        for fmt in ("ndjson", "csv"):
            if fmt in export:
                row = export[fmt]
                lines.append(f"| {fmt} | {row['statements_per_second']:,} | {row['peak_rss_mb']} "
                             f"| {row.get('peak_private_mb', '')} |")  # fmt: skip
    lines += ["", "targets:"] + [f"- {name}: {target}" for name, target in TARGETS.items()]
    return "\n".join(lines)
