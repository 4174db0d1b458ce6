"""`lab sweep`: the server × concurrency × upstream delay grid, each curve climbed until its
knee, written as one JSON document (`lab/sweep/results.py` describes it)."""
