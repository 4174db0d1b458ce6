"""`lab quiz`: the questions of `exercises/quiz.py`, each answer shown with the measurements
of the exercise that proves it."""
