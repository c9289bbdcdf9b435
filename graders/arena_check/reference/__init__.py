"""Reference solutions, GENERATED from the book by ``tools/build_exercises.py``. Do not edit."""
