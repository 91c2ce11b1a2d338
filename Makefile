# Safeguard Studio: `make run` starts the app, `make test` runs the tests.
# Both create .venv and install what they need; later runs reuse it (pip's wheel cache
# keeps the llama.cpp build too). Set CMAKE_ARGS for a GPU build, see README.md.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: run test fuzz lint format bench screenshots walkthrough clean sysdeps package package-test

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -e '.[test]'
	touch $(STAMP)

# Qt needs shared libraries that minimal Linux images (and some desktops) lack, its xcb
# platform a dozen libxcb-* ones: check them all; as root install what is missing, otherwise
# name the packages (app/gui/shared/system_libs.py holds the list; standard library only).
sysdeps:
	@$(PYTHON) app/gui/shared/system_libs.py --install

run: $(STAMP) sysdeps
	$(VENV)/bin/safeguard-studio

test: $(STAMP) sysdeps
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

# The property tests with many more examples than make test gives them (tests/properties).
fuzz: $(STAMP) sysdeps
	HYPOTHESIS_PROFILE=fuzz QT_QPA_PLATFORM=offscreen $(PY) -m pytest tests/properties -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check app tests benchmarks scripts packaging
	$(VENV)/bin/ruff format --check app tests benchmarks scripts packaging

format: $(STAMP)
	$(VENV)/bin/ruff format app tests benchmarks scripts packaging
	$(VENV)/bin/ruff check --fix app tests benchmarks scripts packaging

# Each benchmark prints ratios measured in one run against its target (see benchmarks/).
# Not here: benchmarks/gpu.sh (an NVIDIA machine) and llama-server, which remote_throughput
# uses only when the optional extra is installed (pip install -e '.[llama-server]').
BENCHMARKS := engine_bench prefix_restore remote_throughput gui_highlight gui_stall gui_testset review \
	robustness
# All of them run; the target fails at the end if any missed its target or broke.
bench: $(STAMP) sysdeps
	@failed=""; for b in $(BENCHMARKS); do echo "== benchmarks.$$b"; \
	  QT_QPA_PLATFORM=offscreen $(PY) -m benchmarks.$$b || failed="$$failed $$b"; done; \
	  if [ -n "$$failed" ]; then echo "over target or failed:$$failed"; exit 1; fi

screenshots: $(STAMP) sysdeps
	QT_QPA_PLATFORM=offscreen $(PY) -m scripts.screenshots

# The journeys of a new user in a real X window (Xvfb, no window manager), screenshots
# of each step at 1024x700 and 1280x800 in docs/screenshots (apt-get install xvfb imagemagick).
walkthrough: $(STAMP) sysdeps
	$(PY) -m scripts.walkthrough
	$(PY) -m scripts.walkthrough_views
	$(PY) -m scripts.screenshots_robustness

# The desktop app: a PyInstaller folder in dist/safeguard-studio/ for this platform, built
# with the llama.cpp backend of the venv; on Linux also the .tar.gz and the .deb beside it.
# See packaging/README.md.
PACKAGE_STAMP := $(VENV)/.packaging
$(PACKAGE_STAMP): packaging/requirements.txt | $(STAMP)
	$(PY) -m pip install -q -r packaging/requirements.txt
	touch $(PACKAGE_STAMP)

package: $(STAMP) $(PACKAGE_STAMP) sysdeps
	QT_QPA_PLATFORM=offscreen $(PY) packaging/icons.py build/icons
	$(PY) -m PyInstaller --noconfirm --log-level WARN --distpath dist \
	  --workpath build/pyinstaller packaging/safeguard-studio.spec
	@if [ "$$(uname)" = Linux ]; then $(PY) packaging/linux.py --out dist; fi
	@du -sh dist/safeguard-studio

# Smoke test of the frozen build (CI runs it after `make test`): the executable's --version,
# classify on the synthetic model, the window offscreen; installs and removes the .deb.
package-test: package
	SAFEGUARD_BUNDLE=dist/safeguard-studio QT_QPA_PLATFORM=offscreen $(PY) -m pytest tests/frozen

clean:
	rm -rf $(VENV) .cache .pytest_cache build dist
