"""`lab exercise`: run the exercises declared in `exercises/` against real servers, measure,
and judge each rule (catalogue, engine, measure, verdict, report, results, progress, cli)."""
