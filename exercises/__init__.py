"""The lab's exercises: one small file per exercise, declared as data.

Each module (but `spec`) defines `EXERCISE`, an `exercises.spec.Exercise`: the question, the
phases that answer it (which server, how it runs, what load) and the rules its measurements
are expected to obey. `lab exercise list` lists them, `lab exercise run NAME` measures one
for real (the engine lives in `lab/exercise/`). This package imports only `contracts`.
"""
