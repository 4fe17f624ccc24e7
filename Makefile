# zspace: the two set-up commands are `make demo` and `make test` (README.md).
# Both create .venv, install PyTorch 2.13.0 (the CPU build) first, then zspace with its extras (dev, models).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
FASHION_MNIST := /usr/share/datasets/fashion-mnist

.PHONY: install demo test test-slow test-all bench lint debian-packages clean

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first, pinned: a looser pin would pull a multi-GB CUDA build.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev,models]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(VENV)/bin/zspace demo --out zspace-demo --force

# Debian packages the tests use: Fashion-MNIST's IDX files, and chromium for the explorer's browser test
# (Playwright drives it; its own browser download cannot work offline). One apt-get update, only when
# something is missing; without root or apt the tests that need them skip and print why.
debian-packages:
	@missing=""; \
	[ -d $(FASHION_MNIST) ] || missing="$$missing dataset-fashion-mnist"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -n "$$missing" ] && command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
		|| echo "make: could not install$$missing; the tests that need them will skip"; \
	fi

# pytest exits 5 when no test ran: that fails make, so it can never pass silently.
test: install debian-packages
	$(PY) -m pytest -q

test-slow: install debian-packages
	$(PY) -m pytest -q -m slow

test-all: install debian-packages
	$(PY) -m pytest -q -m "slow or not slow"

# Every script in benchmarks/ (machine.py is their helper); results in benchmarks/results/*.json.
BENCHMARKS := $(filter-out benchmarks/machine.py,$(wildcard benchmarks/*.py))
bench: install
	@for script in $(BENCHMARKS); do echo "== $$script"; $(PY) $$script || exit 1; done

lint: install
	$(VENV)/bin/ruff check src tests benchmarks

clean:
	rm -rf $(VENV) zspace-demo .pytest_cache
