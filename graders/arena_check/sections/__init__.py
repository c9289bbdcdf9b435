"""One module of checks per section, named ``s<chapter>_<section>_<slug>.py`` (e.g. ``s0_0_tensors_and_einops``).

Each module imports its reference solutions from :mod:`arena_check.reference` (generated from the
book) and registers checks with :func:`arena_check.registry.check`.
"""
