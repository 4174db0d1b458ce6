"""The declaration types refuse an exercise the engine could not run or judge."""

import dataclasses
from urllib.parse import parse_qs, urlsplit

import pytest

from contracts.settings import LabSettings
from exercises.seed_table import EXERCISE as SEED_TABLE
from exercises.spec import SERVER_START_S, Browser, Exercise, Knee, Load, Of, Phase, Probe, Rule
from lab.exercise.catalogue import NOT_EXERCISES, catalogue


def phase(name: str = "a", probe: Probe | None = None, **settings: object) -> Phase:
    return Phase(name, "pattern", "blocking", "asgi", Load("/ping", users=1), settings, probe=probe)


def rule(phase: str = "a", measure: str = "p50", bound: float | Of = 1.0) -> Rule:
    return Rule(phase, "text", measure, "<=", bound, "why")  # type: ignore[arg-type]


def exercise(phases: tuple[Phase, ...], rules: tuple[Rule, ...]) -> Exercise:
    return Exercise("x", "question?", phases, rules, "explanation")


def test_the_catalogue_finds_the_seed_table() -> None:
    assert catalogue()["seed-table"] is SEED_TABLE


def test_the_seed_table_has_its_four_rows_with_more_users_than_workers() -> None:
    assert [p.name for p in SEED_TABLE.phases] == ["sync-io", "async-io", "async-cpu", "sync-cpu"]
    assert [p.expected for p in SEED_TABLE.phases] == ["Bad", "Good", "Bad", "OK"]
    sync_io = SEED_TABLE.phase("sync-io")
    assert sync_io.load.users is not None
    assert sync_io.load.users > int(str(sync_io.settings["web_workers"]))
    assert SEED_TABLE.phase("async-cpu").settings["web_workers"] == 1
    assert all(SEED_TABLE.rules_of(p.name) for p in SEED_TABLE.phases)


@pytest.mark.parametrize(
    ("users", "rate"), [(None, None), (2, 5.0), (0, None), (None, 0.0)], ids=str
)
def test_a_load_is_users_or_a_rate(users: int | None, rate: float | None) -> None:
    with pytest.raises(ValueError, match="load on /ping"):
        Load("/ping", users=users, rate=rate)


@pytest.mark.parametrize(
    "kwargs",
    [{"users": 1, "idle": 2}, {"rate": 1.0, "idle": 2}, {"idle": 0}, {"users": 1, "trickle": True}],
    ids=str,
)
def test_slow_clients_are_a_load_of_their_own(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="load on /ping"):
        Load("/ping", **kwargs)  # type: ignore[arg-type]


def test_slow_clients_describe_themselves() -> None:
    assert Load("/ping", idle=2).describe() == "2 idle connections, sending nothing"
    assert Load("/ping", idle=1, trickle=True).describe() == (
        "1 connection trickling GET /ping, never finished"
    )


def test_an_unknown_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown settings web_wokers"):
        phase(web_wokers=2)


def test_a_client_timeout_is_positive_and_told_with_the_load() -> None:
    with pytest.raises(ValueError, match="client_timeout_s must be positive"):
        dataclasses.replace(phase(), client_timeout_s=0.0)
    assert phase().describe_load() == "1 closed-loop user on /ping"
    patient = dataclasses.replace(phase(), client_timeout_s=0.3)
    assert patient.describe_load() == "1 closed-loop user on /ping, each giving up after 0.3 s"


@pytest.mark.parametrize("every", [0.0, -1.0])
def test_the_metrics_are_read_at_a_positive_interval(every: float) -> None:
    assert phase().scrape_every_s == 1.0
    with pytest.raises(ValueError, match="scrape_every_s must be positive"):
        dataclasses.replace(phase(), scrape_every_s=every)


def test_a_rule_must_name_a_phase_of_the_exercise() -> None:
    with pytest.raises(ValueError, match="no phase b"):
        exercise((phase(),), (rule("b"),))
    with pytest.raises(ValueError, match="no phase c"):
        exercise((phase(),), (rule(bound=Of("c", "p50")),))


def test_a_probe_quantity_needs_a_probe() -> None:
    with pytest.raises(ValueError, match="a has no probe"):
        exercise((phase(),), (rule(measure="probe_p99"),))
    exercise((phase(probe=Probe()),), (rule(measure="probe_p99"),))


@pytest.mark.parametrize("measure", ["ttfb_p50", "ttfb_p95", "lcp_p50", "lcp_p95"])
def test_a_browser_quantity_needs_a_browser(measure: str) -> None:
    with pytest.raises(ValueError, match="a has no browser"):
        exercise((phase(),), (rule(measure=measure),))
    with pytest.raises(ValueError, match="a has no browser"):
        exercise((phase(), phase("b")), (rule("b", bound=Of("a", measure)),))  # type: ignore[arg-type]
    with_browser = dataclasses.replace(phase(), browser=Browser("/page/async"))
    exercise((with_browser,), (rule(measure=measure),))


def test_an_unknown_quantity_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown p75"):
        exercise((phase(),), (rule(measure="p75"),))


def test_a_knee_names_phases_of_the_exercise_and_positive_bounds() -> None:
    def with_knee(knee: Knee) -> Exercise:
        return Exercise("x", "question?", (phase(),), (rule(),), "explanation", knees=(knee,))

    assert with_knee(Knee("loop", {"a": 25.0})).knees[0].below == 0.8
    with pytest.raises(ValueError, match="knee loop: no phase b"):
        with_knee(Knee("loop", {"a": 25.0, "b": 100.0}))
    with pytest.raises(ValueError, match="knee loop: no phase named"):
        with_knee(Knee("loop", {}))
    with pytest.raises(ValueError, match="knee loop: unknown p75"):
        with_knee(Knee("loop", {"a": 25.0}, measure="p75"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="must be positive"):
        with_knee(Knee("loop", {"a": 0.0}))


def test_the_run_time_adds_up_the_phases() -> None:
    from exercises.seed_table import EXERCISE

    full, short = EXERCISE.run_seconds(), EXERCISE.run_seconds(short=True)
    assert short < full
    assert full == sum(SERVER_START_S + p.warmup_s + p.duration_s for p in EXERCISE.phases)


def test_a_phase_like_the_one_before_shares_its_server_unless_it_reads_what_it_keeps() -> None:
    base = Phase(name="a", pattern="p", blocking="b", server="asgi", load=Load("/ping", users=1))
    same = dataclasses.replace(base, name="b")
    other = dataclasses.replace(base, name="c", settings={"web_workers": 1})
    keeps = dataclasses.replace(base, name="d", settings={"web_workers": 1})
    rule = Rule("d", "t", "threads_per_in_flight", "<=", 1, "w")
    exercise = Exercise("x", "q", (base, same, other, keeps), (rule,), "e")

    starts = [exercise.starts_server(i) for i in range(4)]
    assert starts == [True, False, True, True]
    assert exercise.run_seconds() == 3 * SERVER_START_S + sum(
        p.warmup_s + p.duration_s for p in exercise.phases
    )


def test_quiz_evidence_on_what_a_server_keeps_comes_from_a_server_of_its_own() -> None:
    from exercises.quiz import QUESTIONS
    from exercises.spec import SERVER_HISTORY

    exercises = catalogue()
    for question in QUESTIONS:
        for e in question.evidence:
            if e.quantity in SERVER_HISTORY:
                exercise = exercises[e.exercise]
                index = [p.name for p in exercise.phases].index(e.phase)
                assert exercise.starts_server(index), (e.exercise, e.phase, e.quantity)


def test_every_exercise_builds_under_its_file_name() -> None:
    import importlib
    import pkgutil

    import exercises

    modules = [
        m.name for m in pkgutil.iter_modules(exercises.__path__) if m.name not in NOT_EXERCISES
    ]
    names = [importlib.import_module(f"exercises.{m}").EXERCISE.name for m in modules]
    assert names == [m.replace("_", "-") for m in modules]
    assert len(set(names)) == len(names)
    assert sorted(catalogue()) == sorted(names)


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_every_exercise_is_complete(name: str) -> None:
    ex = catalogue()[name]
    assert ex.question.endswith("?")
    assert ex.explanation
    phases = {p.name for p in ex.phases}
    assert all(p.expected for p in ex.phases)
    assert all(ex.rules_of(p) for p in phases), "every row is judged"
    for r in ex.rules:
        assert r.phase in phases
        assert r.text
        assert r.why
        if isinstance(r.bound, Of):
            assert r.bound.phase in phases
            assert r.bound.phase != r.phase


def test_gthread_runs_users_below_and_above_its_threads_on_both_servers() -> None:
    ex = catalogue()["gthread"]
    pools = {p.settings["web_threads"] for p in ex.phases if p.server == "wsgi"}
    assert len(pools) == 1
    threads = int(str(pools.pop()))
    users = {
        s: sorted(p.load.users or 0 for p in ex.phases if p.server == s) for s in ("wsgi", "asgi")
    }
    assert users["wsgi"] == users["asgi"]
    assert users["wsgi"][0] < threads < users["wsgi"][-1]
    assert all(p.settings["web_workers"] == 1 for p in ex.phases)
    # More users than the async client's pool would make the loop queue for a connection too.
    assert users["asgi"][-1] <= LabSettings().upstream_pool_size


def test_cpu_chunks_changes_only_the_view_and_its_chunk_is_far_below_the_work() -> None:
    ex = catalogue()["cpu-chunks"]
    shapes = {(p.server, tuple(p.settings.items()), p.load.users, p.probe) for p in ex.phases}
    assert len(shapes) == 1
    assert ex.phases[0].settings["web_workers"] == 1
    assert ex.phases[0].probe is not None
    chunked = [
        parse_qs(urlsplit(p.load.path).query) for p in ex.phases if "chunk_ms" in p.load.path
    ]
    assert len(chunked) == 1
    assert int(chunked[0]["chunk_ms"][0]) * 100 <= int(chunked[0]["cpu_ms"][0])


def test_servers_puts_the_same_loads_on_six_configurations_with_the_contracts_n() -> None:
    """Every configuration's N (its Little's-law concurrency) and its one-thread-ness are the
    ones contracts/servers.py reports for those settings, not figures of the exercise's own."""
    from contracts.servers import shape
    from exercises import servers

    ex = catalogue()["servers"]
    shapes = set()
    for c in servers.CONFIGS:
        mine = [p for p in ex.phases if p.name.startswith(f"{c.name}-")]
        assert len(mine) == 3, c.name
        lab = dataclasses.replace(LabSettings(), **c.settings)  # type: ignore[arg-type]
        s = shape(c.server, lab)
        assert (s.workers, s.concurrency) == (1, c.n), c.name
        shapes.add((c.server, s.implementation, s.worker_class))
        # One thread runs every request: a sync worker, gevent's hub, an event loop.
        assert c.one_thread == (s.threads == 1 or s.worker_class == "gevent"), c.name
        assert all(p.server == c.server and dict(p.settings) == c.settings for p in mine)
        paths = [urlsplit(p.load.path) for p in mine]
        assert [(u.path.split("/")[1], parse_qs(u.query)) for u in paths] == [
            ("io", {"delay_ms": [str(servers.D_MS)]}),
            ("cpu", {"cpu_ms": [str(servers.P_MS)]}),
            ("ping", {}),
        ]
        assert all(p.load.users == u for p, u in zip(mine, (servers.C, 1, 4), strict=True))
    assert len(shapes) == 6, shapes
    # Both sides of the rules: some configurations hold every user's wait, some cannot.
    assert {c.n >= servers.C for c in servers.CONFIGS} == {True, False}
