"""One module per zoo model family; each registers its loaders with :func:`arena_check.kit.zoo.register`."""
