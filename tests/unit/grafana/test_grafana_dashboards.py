"""grafana/: provisioning and the generated dashboards, checked without a Grafana."""

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from dashboard_contract import (
    built,
    cell,
    contract_rows,
    names_in,
    panels_using,
    rules,
    variable_rows,
)
from dashboard_queries import panels, queries, substitute, used_variables, variables

from contracts.dashboards import LOAD_GENERATOR, SLOW_UPSTREAM
from contracts.paths import REPO
from grafana import generate
from grafana.panels import DATASOURCE_UID, SERVER_COLORS, Json, reference

GRAFANA = REPO / "grafana"
DATASOURCES = GRAFANA / "provisioning" / "datasources" / "prometheus.yml"
PROVIDERS = GRAFANA / "provisioning" / "dashboards" / "lab.yml"
FILES = sorted((GRAFANA / "dashboards").glob("*.json"))


def provisioned_uid() -> str:
    (ds,) = yaml.safe_load(DATASOURCES.read_text())["datasources"]
    uid: str = ds["uid"]
    return uid


def datasource_refs(node: Any) -> list[Any]:
    """Every `datasource` value anywhere in a dashboard."""
    found = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "datasource":
                found.append(v)
            found += datasource_refs(v)
    elif isinstance(node, list):
        for v in node:
            found += datasource_refs(v)
    return found


def test_committed_dashboards_are_the_generated_ones() -> None:
    assert [p.name for p in FILES] == sorted(generate.DASHBOARDS)
    for path, text in generate.generated():
        assert path.read_text() == text, f"{path.name} is stale: run `python -m grafana`"


def test_the_check_mode_detects_a_stale_dashboard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generate, "DASHBOARD_DIR", tmp_path)
    assert generate.main(["--check"]) == 1  # missing files
    assert generate.main([]) == 0
    assert generate.main(["--check"]) == 0
    (tmp_path / "slow-upstream.json").write_text("{}\n")
    assert generate.main(["--check"]) == 1


def test_dashboards_are_well_formed_with_fixed_unique_uids() -> None:
    uids = []
    for path in FILES:
        d = json.loads(path.read_text())
        assert d["id"] is None, f"{path.name}: provisioned dashboards have no database id"
        assert re.fullmatch(r"[a-z0-9-]{1,40}", d["uid"]), d["uid"]
        uids.append(d["uid"])
        ids = [p["id"] for p in panels(d)]
        assert len(ids) == len(set(ids)), f"{path.name}: duplicate panel ids"
        assert d["title"]
        assert d["editable"] is False
    assert len(uids) == len(set(uids)) == 3


def test_panels_fit_the_grid_without_overlapping() -> None:
    for name, d in built().items():
        cells: set[tuple[int, int]] = set()
        for p in d["panels"]:
            g = p["gridPos"]
            assert 0 <= g["x"] < g["x"] + g["w"] <= 24, (name, p["title"])
            mine = {
                (x, y)
                for x in range(g["x"], g["x"] + g["w"])
                for y in range(g["y"], g["y"] + g["h"])
            }
            assert not cells & mine, f"{name}: {p['title']} overlaps another panel"
            cells |= mine


def test_every_query_uses_only_the_provisioned_datasource() -> None:
    uid = provisioned_uid()
    assert uid == DATASOURCE_UID
    for path in FILES:
        d = json.loads(path.read_text())
        for ref in datasource_refs(d):
            if ref == {"type": "grafana", "uid": "-- Grafana --"}:
                continue  # Grafana's built-in annotations
            assert ref == {"type": "prometheus", "uid": uid}, f"{path.name}: {ref}"
        for p in panels(d):
            if p["type"] not in ("row", "text"):
                assert p["targets"], f"{path.name}: {p['title']} has no query"
                assert p["datasource"]["uid"] == uid


def test_the_datasource_is_fixed_and_points_at_the_compose_prometheus() -> None:
    (ds,) = yaml.safe_load(DATASOURCES.read_text())["datasources"]
    assert ds["type"] == "prometheus"
    assert ds["editable"] is False
    assert ds["url"] == "http://prometheus:9090"


def test_the_dashboard_provider_reads_the_mounted_dashboards() -> None:
    (provider,) = yaml.safe_load(PROVIDERS.read_text())["providers"]
    assert provider["type"] == "file"
    assert provider["allowUiUpdates"] is False
    mounted = grafana_mounts()
    assert mounted["./grafana/dashboards"] == provider["options"]["path"]
    assert mounted["./grafana/provisioning"] == "/etc/grafana/provisioning"


def grafana_mounts() -> dict[str, str]:
    grafana = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]["grafana"]
    return {
        v["source"]: v["target"]
        for v in grafana["volumes"]
        if isinstance(v, dict) and v.get("type") == "bind"
    }


def test_compose_grafana_is_anonymous_viewer_only_with_the_password_from_outside() -> None:
    grafana = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]["grafana"]
    env = grafana["environment"]
    assert str(env["GF_AUTH_ANONYMOUS_ENABLED"]).lower() == "true"
    assert env["GF_AUTH_ANONYMOUS_ORG_ROLE"] == "Viewer"
    assert "GF_SECURITY_ADMIN_PASSWORD" not in env or env["GF_SECURITY_ADMIN_PASSWORD"].startswith(
        "${"
    )
    assert "GF_SECURITY_ADMIN_PASSWORD__FILE" in env or "GF_SECURITY_ADMIN_PASSWORD" in env


def test_template_variables_are_defined_and_used() -> None:
    for name, d in built().items():
        defined = set(variables(d))
        used = {v for q in queries(d) for v in used_variables(q.expr)}
        assert used == defined, name


def test_dashboards_query_only_known_metrics_and_rules() -> None:
    known = set(contract_rows()) | set(rules())
    for d in built().values():
        for q in queries(d):
            bare = {re.sub(r"_(bucket|sum|count)$", "", n) for n in names_in(q.expr)}
            unknown = {n for n in bare if n not in known and n + "_bucket" not in known}
            assert not unknown, f"{q.dashboard} / {q.panel}: {unknown}"


def test_prometheus_built_in_series_count_as_metrics() -> None:
    # Without this, `up` and `scrape_*` would pass the check above by never being seen.
    assert names_in('sum by (job) (up{job="django"})') == {"up"}
    assert names_in("max(scrape_duration_seconds)") == {"scrape_duration_seconds"}
    assert names_in('rate(x{job="upstream"}[1m])') == set()


def test_metrics_md_lists_every_template_variable_with_the_metric_it_reads() -> None:
    expected = {
        (name, d["title"], metric, label)
        for d in built().values()
        for name, (selector, label) in variables(d).items()
        for metric in names_in(selector)
    }
    assert {row[0] for row in expected} == {"route", "name"}
    assert variable_rows() == expected
    known = set(contract_rows()) | set(rules())
    # A histogram's series (`_count`: the requests) are read under the histogram's name.
    assert {re.sub(r"_(bucket|sum|count)$", "", m) for _, _, m, _ in expected} <= known


def test_every_recording_rule_is_shown_somewhere() -> None:
    for rule in rules():
        assert panels_using(rule), f"{rule} is recorded but no panel reads it"


def test_metrics_md_lists_every_metric_with_the_panels_that_use_it() -> None:
    rows = contract_rows()
    assert set(rules()) <= set(rows), "every recording rule has a row in docs/metrics.md"
    wrong = {
        name: f"documented {cell_text!r}, expected {cell(panels_using(name))!r}"
        for name, cell_text in rows.items()
        if cell_text != cell(panels_using(name))
    }
    assert not wrong, wrong


def test_dashboards_show_both_servers_side_by_side_the_load_and_the_upstream() -> None:
    titles = {d["uid"]: {p["title"] for p in d["panels"]} for d in built().values()}
    sva = titles["lab-sync-vs-async"]
    for server in ("WSGI", "ASGI"):
        for what in (
            "throughput vs Little's-law bound",
            "latency p50 / p95 / p99",
            "requests in flight",
            "errors",
        ):
            assert f"{server}: {what}" in sva
    assert {
        "OS threads per worker process",
        "Event-loop lag (ASGI)",
        "gevent hub lag (WSGI)",
    } <= sva
    annotations = {a["name"] for a in built()["sync-vs-async.json"]["annotations"]["list"]}
    assert {"Load test", "Exercise phase"} <= annotations
    assert {"Users", "Requests/s by name", "Failures/s by name"} <= titles["lab-load-generator"]
    assert {"In flight and queued", "Delay: actual vs configured", "Faults injected"} <= titles[
        "lab-slow-upstream"
    ]


def substituted_queries() -> list[tuple[str, str]]:
    found = []
    for d in built().values():
        names = variables(d)
        for q in queries(d):
            expr = substitute(q.expr, {v: ["a", "b.c"] for v in names})
            found.append((f"{q.dashboard} / {q.panel}", expr))
        for selector, _label in names.values():
            found.append((f"{d['title']} / variables", selector))
    return found


@pytest.mark.prometheus
def test_every_panel_query_parses(promtool: str, tmp_path: Path) -> None:
    """promtool checks PromQL offline: each query becomes a recording rule."""
    exprs = substituted_queries()
    rules_file = tmp_path / "dashboards.rules.yml"
    records = [{"record": f"dashboard_query_{i}", "expr": e} for i, (_, e) in enumerate(exprs)]
    rules_file.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": records}]}))
    r = subprocess.run(
        [promtool, "check", "rules", str(rules_file)], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"SUCCESS: {len(exprs)} rules found" in r.stdout


def first_row(d: Json) -> list[Json]:
    """The panels under the dashboard's first row header, up to the next one."""
    rows = [i for i, p in enumerate(d["panels"]) if p["type"] == "row"]
    assert rows, f"{d['title']} has no rows"
    end = rows[1] if len(rows) > 1 else len(d["panels"])
    top: list[Json] = d["panels"][rows[0] + 1 : end]
    return top


def shows_both_servers(panel: Json) -> bool:
    """Statically: a query grouped by server (a per-server recording rule or `by (server`),
    filtered to no one server, with the server in its legend."""
    for t in panel.get("targets", []):
        grouped = re.search(r"(?<![\w:])server(_quantile)?:", t["expr"]) or re.search(
            r"by \([^)]*\bserver\b", t["expr"]
        )
        if grouped and "server=" not in t["expr"] and "{{server}}" in t.get("legendFormat", ""):
            return True
    return False


def test_the_first_row_answers_with_both_servers_on_one_panel() -> None:
    d = built()["sync-vs-async.json"]
    top = first_row(d)
    assert top[0]["gridPos"]["x"] == 0, "the answer starts top left"
    both = {p["title"] for p in top if shows_both_servers(p) and p["type"] == "timeseries"}
    assert len(both) >= 2, both
    exprs = [t["expr"] for p in top for t in p.get("targets", [])]
    assert any("server:lab_throughput_bound:rate30s" in e for e in exprs)
    assert any('quantile="0.95"' in e for e in exprs)
    over_range = [e for e in exprs if "max_over_time(" in e and "[$__range]" in e]
    assert len(over_range) >= 2, "tiles over the dashboard's range compare sequential runs"


def test_the_servers_panel_reads_as_a_table_of_info_labels() -> None:
    d = built()["sync-vs-async.json"]
    (servers,) = [p for p in panels(d) if p["title"] == "Servers"]
    assert servers["type"] == "table"
    (t,) = servers["targets"]
    assert t["format"] == "table"
    assert t["instant"] is True
    assert "legendFormat" not in t
    assert servers not in first_row(d)


def color_of(override: Json) -> Json | None:
    for prop in override["properties"]:
        if prop["id"] == "color":
            found: Json = prop["value"]
            return found
    return None


def test_every_time_series_of_both_servers_has_the_fixed_server_colours() -> None:
    checked = []
    for d in built().values():
        for p in panels(d):
            if p["type"] != "timeseries" or not shows_both_servers(p):
                continue
            colors = {
                o["matcher"]["options"]: color_of(o)
                for o in p["fieldConfig"]["overrides"]
                if o["matcher"]["id"] == "byRegexp"
            }
            for server, color in SERVER_COLORS.items():
                got = colors.get(rf"^{server}\b")
                assert got is not None, f"{d['title']} / {p['title']}: no colour for {server}"
                assert got["fixedColor"] == color, (p["title"], server, got)
            checked.append(p["title"])
    assert len(checked) >= 7, checked


def test_server_colours_match_the_legends_and_bounds_keep_one_style() -> None:
    assert len(set(SERVER_COLORS.values())) == 2
    for d in built().values():
        for p in panels(d):
            overrides = p.get("fieldConfig", {}).get("overrides", [])
            servers = [o for o in overrides if o["matcher"]["options"] in (r"^wsgi\b", r"^asgi\b")]
            for t in p.get("targets", []) if servers else []:
                legend = t.get("legendFormat", "")
                assert legend.startswith(("{{server}}", "{{service}}")) or not re.search(
                    r"\bserver\b", t["expr"]
                ), f"{p['title']}: {legend!r} does not start with the server"
            for t in p.get("targets", []):
                if "bound" in t.get("legendFormat", ""):
                    (style,) = [o for o in overrides if o["matcher"]["options"] == " bound"]
                    assert style == reference(" bound"), p["title"]
                    assert overrides.index(style) > max(map(overrides.index, servers))


def test_percentiles_read_as_p50_p95_p99() -> None:
    for d in built().values():
        for p in panels(d):
            for t in p.get("targets", []):
                legend = t.get("legendFormat", "")
                assert "{{quantile}}" not in legend, f"{p['title']}: {legend!r} reads p0.5"
                assert not re.search(r"p0\.\d", legend), (p["title"], legend)


def test_the_name_variable_leaves_out_locusts_total() -> None:
    d = built()["load-generator.json"]
    (name,) = d["templating"]["list"]
    assert 'name!="Aggregated"' in name["definition"]
    assert name["allValue"] == ".+"
    for q in queries(d):
        if "$name" in q.expr:
            assert 'name!="Aggregated"' in q.expr, q.panel
    (percentiles,) = [p for p in panels(d) if p["title"].startswith("Response time")]
    assert [t["legendFormat"] for t in percentiles["targets"]] == ["{{name}} p50", "{{name}} p95"]


def test_panels_rate_raw_series_over_grafanas_rate_interval() -> None:
    for d in built().values():
        for q in queries(d):
            for window in re.findall(r"\[([^\]]+)\]", q.expr):
                if q.panel.startswith("annotation"):
                    continue
                assert window in ("$__rate_interval", "$__range"), f"{q.panel}: [{window}]"


def test_an_intro_says_what_to_run_and_what_to_look_at_first() -> None:
    d = built()["sync-vs-async.json"]
    (intro,) = [p for p in first_row(d) if p["type"] == "text"]
    words = intro["options"]["content"]
    for needed in ("lab exercise run seed-table", "Locust", "Look first", "observability.md"):
        assert needed in words
    for doc in re.findall(r"`(\w+\.md)`", words):
        assert (REPO / "docs" / doc).is_file(), doc


def test_the_little_law_panels_teach_the_bound() -> None:
    d = built()["sync-vs-async.json"]
    bound_panels = [p for p in panels(d) if "Little's-law bound" in p["title"]]
    assert len(bound_panels) == 3
    for p in bound_panels:
        text = p["description"]
        for needed in ("L = λ × W", "workers × threads", "upstream pool", "N ÷ W", "saturated"):
            assert needed in text, (p["title"], needed)
    for p in panels(d):
        if p["title"].endswith("requests in flight"):
            assert any("lab_concurrency_limit" in t["expr"] for t in p["targets"]), p["title"]


def test_threshold_lines_are_dashed_and_in_view() -> None:
    found = 0
    for d in built().values():
        for p in panels(d):
            defaults = p.get("fieldConfig", {}).get("defaults", {})
            steps = [s["value"] for s in defaults.get("thresholds", {}).get("steps", [])]
            if p["type"] != "timeseries" or len(steps) < 2:
                continue
            custom = defaults["custom"]
            assert custom["thresholdsStyle"]["mode"] == "dashed", p["title"]
            assert custom["axisSoftMax"] > max(v for v in steps if v is not None), p["title"]
            found += 1
    assert found >= 2


def test_panels_waiting_for_traffic_say_so() -> None:
    for d in built().values():
        for p in panels(d):
            if p["type"] in ("timeseries", "stat", "table"):
                assert p["fieldConfig"]["defaults"].get("noValue"), f"{d['title']} / {p['title']}"


def test_secondary_rows_start_collapsed_with_their_panels_inside() -> None:
    d = built()["sync-vs-async.json"]
    rows = {p["title"]: p for p in d["panels"] if p["type"] == "row"}
    assert [t for t, r in rows.items() if r["collapsed"]] == ["Per route ($route)", "Lab health"]
    for row in rows.values():
        if not row["collapsed"]:
            assert row["panels"] == []
            continue
        assert row["panels"], row["title"]
        cells: set[tuple[int, int]] = set()
        for p in row["panels"]:
            g = p["gridPos"]
            assert g["y"] > row["gridPos"]["y"], "placed below its row once opened"
            mine = {
                (x, y)
                for x in range(g["x"], g["x"] + g["w"])
                for y in range(g["y"], g["y"] + g["h"])
            }
            assert not cells & mine, p["title"]
            cells |= mine


def test_panel_links_lead_to_the_other_dashboards_on_the_same_range() -> None:
    d = built()["sync-vs-async.json"]
    links = {p["title"]: p.get("links", []) for p in panels(d)}
    upstream = links["Upstream: configured delay and the calls the servers make"]
    assert upstream == [
        {"title": "Slow upstream dashboard", "url": f"{SLOW_UPSTREAM.path}?${{__url_time_range}}"}
    ]
    to_load = [t for t, ls in links.items() if any(LOAD_GENERATOR.path in x["url"] for x in ls)]
    assert "Throughput vs Little's-law bound: both servers" in to_load
    assert len(to_load) >= 3
    for ls in links.values():
        for link in ls:
            assert link["url"].endswith("?${__url_time_range}"), link


def test_the_load_test_annotation_says_which_servers_are_loaded() -> None:
    for d in built().values():
        for a in d["annotations"]["list"]:
            if a["name"] == "Load test":
                assert "{{target}}" in a["titleFormat"], d["title"]
                assert "target" in a["tagKeys"].split(","), d["title"]


def test_the_upstream_panel_compares_like_with_like() -> None:
    d = built()["sync-vs-async.json"]
    (upstream,) = [p for p in panels(d) if p["title"].startswith("Upstream")]
    stats = {re.match(r"histogram_quantile\(([\d.]+),", t["expr"]) for t in upstream["targets"]}
    assert None not in stats, "every series of the panel is a percentile"
    assert len({m[1] for m in stats if m}) == 1, "the same percentile on every series"


def test_locust_series_of_a_both_run_take_their_servers_colours() -> None:
    """A `--target both` run names each request after its server (`wsgi /ping`): the Load
    generator's per-name series take that server's colour."""
    d = built()["load-generator.json"]
    checked = []
    for p in panels(d):
        if not any("{{name}}" in t.get("legendFormat", "") for t in p.get("targets", [])):
            continue
        for server, color in SERVER_COLORS.items():
            matching = [
                o
                for o in p["fieldConfig"]["overrides"]
                if o["matcher"]["id"] == "byRegexp"
                and re.search(o["matcher"]["options"], f"{server} /ping")
                and color_of(o) is not None
            ]
            assert matching, f"{p['title']}: no colour for {server}'s requests"
            assert color_of(matching[-1]) == {"mode": "shades", "fixedColor": color}
        checked.append(p["title"])
    assert len(checked) >= 3, checked


def test_the_gevent_hub_lag_sits_beside_the_loop_lag_and_says_whom_it_is_for() -> None:
    d = built()["sync-vs-async.json"]
    by_title = {p["title"]: p for p in panels(d)}
    loop, hub = by_title["Event-loop lag (ASGI)"], by_title["gevent hub lag (WSGI)"]
    assert hub["gridPos"]["y"] == loop["gridPos"]["y"]
    assert hub["gridPos"]["x"] == loop["gridPos"]["x"] + loop["gridPos"]["w"]
    assert "gevent" in hub["fieldConfig"]["defaults"]["noValue"]
    exprs = [t["expr"] for t in hub["targets"]]
    assert "server:lab_gevent_hub_lag_seconds:p99_30s" in exprs
    # Either lag marks its server CPU-bound: the bound's `limited_by` follows gevent too.
    assert "server:lab_gevent_hub_lag_seconds:p99_30s" in rules()["server:lab_cpu_bound:30s"]
    # The loop's and the hub's thresholds are the one CPU-bound line.
    assert (
        loop["fieldConfig"]["defaults"]["thresholds"]
        == hub["fieldConfig"]["defaults"]["thresholds"]
    )


def test_the_throughput_legends_name_the_program_that_runs_each_server() -> None:
    """The `server` label is the slot; which program fills it comes from lab_server_info."""
    d = built()["sync-vs-async.json"]
    checked = []
    for p in panels(d):
        if p["type"] == "row" or "Little's-law bound" not in p["title"]:
            continue
        assert not re.search(r"gunicorn|uvicorn", p["title"]), p["title"]
        (served,) = [t for t in p["targets"] if "lab_http_requests:rate30s" in t["expr"]]
        assert "group_left (implementation, worker_class)" in served["expr"], p["title"]
        assert "lab_server_info" in served["expr"]
        assert "{{implementation}}" in served["legendFormat"]
        assert served["legendFormat"].startswith("{{server}}")
        checked.append(p["title"])
    assert len(checked) == 3, checked
