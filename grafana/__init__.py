"""The lab's Grafana dashboards, generated (classic dashboard JSON, provisioned from files).

`python -m grafana` writes `grafana/dashboards/*.json`; a test keeps the committed files
equal to what this package generates, so edit here, not in the JSON. Every panel queries
the provisioned datasource (fixed uid `lab-prometheus`) and every dashboard has a fixed
uid, so links and provisioning never depend on database ids.

Three dashboards (docs/observability.md explains how to read them), one module each:

- `sync_vs_async`: WSGI and ASGI side by side: what happens (throughput, latency,
  in-flight, errors), how far each server is from its Little's-law bound, and why
  (threads, event-loop lag, the upstream's delay).
- `load_generator`: Locust's users, request rate, failures and percentiles.
- `slow_upstream`: in-flight and queued requests, configured vs actual delay, faults.

`panels` holds the grid layout, the panels and the PromQL helpers; `dashboard` the
dashboard around them (annotations, template variables, links); `generate` which file each
dashboard goes to, and the command that writes or checks them.

The package uses the standard library only: it describes what the lab exports, it does not
import the lab. `schema_check/` (Node, not Python) type-checks the generated JSON against
Grafana's published schema (docs/observability.md).
"""
