"""The lab's exercises: one small file per exercise, declared as data.

Each module (but `spec` and `quiz`) defines `EXERCISE`, an `exercises.spec.Exercise`: the
question, the phases that answer it (which server, how it runs, what load) and the rules its
measurements are expected to obey. `lab exercise list` lists them, `lab exercise run NAME`
measures one for real (the engine lives in `lab/exercise/`). `quiz` holds the questions of
`lab quiz`, each answer citing an exercise's measurements. This package imports only
`contracts`.
"""
