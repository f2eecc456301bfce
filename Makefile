# Every target sets itself up: a fresh clone needs only `make demo` or `make test`.
VENV     := .venv
PY       := $(VENV)/bin/python
STAMP    := $(VENV)/.installed
SEEDS    := ../shared/seeds
# `make demo` builds the store every later shell sees: the per-user default
# ($XDG_DATA_HOME/stancegraph/store), or STORE=URI when given.
STORE    ?=
ifneq ($(STORE),)
export STANCEGRAPH_STORE := $(STORE)
endif

.PHONY: demo test lint bench clean

$(PY):
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	mkdir -p build
	$(VENV)/bin/stancegraph build $(if $(wildcard $(SEEDS)),--texts $(SEEDS))
	$(VENV)/bin/stancegraph query cosponsors --param resolution=res:unhrc-dprk-2021
	$(VENV)/bin/stancegraph query allies-disagree
	$(VENV)/bin/stancegraph gaps --limit 5
	$(VENV)/bin/stancegraph render --view states --color clusters -o build/stancegraph.html
	$(VENV)/bin/stancegraph render --view gaps -o build/gaps.html
	@echo "Next, in this or any new shell: . .venv/bin/activate  (puts stancegraph on PATH)"

test: $(STAMP)
	bash scripts/test-prerequisites.sh
	STANCEGRAPH_STORE=oxigraph:build/test-store $(PY) -m pytest -q -n 2 --dist loadgroup

bench: $(STAMP)
	$(PY) scripts/bench.py

lint: $(STAMP)
	$(VENV)/bin/ruff check graph tests scripts

clean:
	rm -rf build .pytest_cache
