# Max-of-K certificate pipeline.  A fresh clone needs only:  make demo   and   make test
# `make help` lists every target.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
MAXK   := $(VENV)/bin/maxk
STAMP  := $(VENV)/.installed
MODEL  ?= artifacts/models/max4-seed123.safetensors
NAME   := $(basename $(notdir $(MODEL)))
CERT   := artifacts/certs/$(NAME).cert.json
EXACT_CERT := artifacts/certs/$(NAME).exact.cert.json

.PHONY: help venv demo test test-all mutants bench bounds certs replay coq-check coq-proof lean-check check archive clean

help:  ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -c constraints.txt -e '.[dev,plots]'
	touch $(STAMP)

venv: $(STAMP)  ## create .venv and install the package (torch pinned by constraints.txt)

demo: $(STAMP)  ## the whole pipeline on the shipped model (no training)
	$(MAXK) bound brute-force $(MODEL) --out artifacts/reports/$(NAME).brute-force.json
	$(MAXK) bound cubic $(MODEL) --out artifacts/reports/$(NAME).cubic.json
	$(MAXK) certify $(MODEL) --out $(CERT)
	$(MAXK) replay $(CERT)
	$(MAXK) export-lean $(CERT) --lean-dir lean
	@# exit 3 = no coqc / no Lean toolchain: said plainly, demo still succeeds; the summary names each status
	@c=0; $(MAXK) coq-check $(CERT) || c=$$?; \
	l=0; $(MAXK) lean-check || l=$$?; \
	echo; $(MAXK) summary $(MODEL) --reports-dir artifacts/reports --cert $(CERT) --lean-dir lean \
	  --coq-exit $$c --lean-exit $$l && [ $$c -eq 0 -o $$c -eq 3 ] && [ $$l -eq 0 -o $$l -eq 3 ]

# The auditor's path on any model: make audit MODEL=path/to/model.pt (or .safetensors)
AUDIT_OUT ?= maxk-out/audit-$(NAME)
.PHONY: audit
audit: $(STAMP)  ## maxk audit MODEL into AUDIT_OUT (default maxk-out/audit-NAME): brute force, certificate, replay, Coq + coqchk, Lean if present, archive, report.{md,json,html}
	$(MAXK) audit $(MODEL) --out $(AUDIT_OUT)

test: $(STAMP)  ## the default test suite (slow benchmarks skipped)
	$(PY) -m pytest

test-all: $(STAMP)  ## every test, including the slow ones
	$(PY) -m pytest -m ''

mutants: $(STAMP)  ## mutation harness (slow, ~6-16 min): every weakening of the sound core must fail a test
	$(PY) tests/mutants.py

bench: $(STAMP)  ## benchmarks: prints medians and ratios, never pass/fail on seconds
	$(PY) tests/bench.py

bounds: $(STAMP)  ## brute force + cubic on the shipped model: table in artifacts/reports/
	$(MAXK) bounds $(MODEL) --out-dir artifacts/reports

.PHONY: frontier
SEEDS := artifacts/models/max4-seed123.safetensors $(foreach s,1 2 3 4 5,artifacts/models/seeds/max4-seed$(s).safetensors)

frontier: $(STAMP)  ## brute force, the exact certificate, cubic, 100 subcubic configurations on the six seeds: artifacts/reports/frontier.{md,json,png}
	$(PY) -m pipeline.cli frontier $(SEEDS) --out-dir artifacts/reports

certs: $(STAMP)  ## certify the shipped model and render its Lean modules
	$(MAXK) certify $(MODEL) --out $(CERT)
	$(MAXK) export-lean $(CERT) --lean-dir lean

replay: $(STAMP)  ## exact Python replay of every certificate in artifacts/certs/
	@set -e; for c in artifacts/certs/*.cert.json; do $(MAXK) replay $$c; done

# Sweeps are never part of `make test`.  Both resume: re-running skips every finished step.  The report
# is written even when a step failed (failures are listed in it); make then exits with the sweep's status.
.PHONY: sweep sweep-small
SWEEP_DIR       := artifacts/sweeps/max4-paper-seeds
SWEEP_SMALL_DIR := artifacts/sweeps/max4-small
JOBS            ?= $(shell nproc 2>/dev/null || echo 2)

sweep: $(STAMP)  ## K=4 over the paper's 151 seeds on all cores (JOBS=N to change), then its report
	$(MAXK) sweep --k 4 --seeds paper --jobs $(JOBS) --out $(SWEEP_DIR); s=$$?; \
	$(MAXK) report $(SWEEP_DIR) && exit $$s

sweep-small: $(STAMP)  ## K=4 over the first 6 paper seeds, then its report
	$(MAXK) sweep --k 4 --seeds paper:6 --jobs $(JOBS) --out $(SWEEP_SMALL_DIR); s=$$?; \
	$(MAXK) report $(SWEEP_SMALL_DIR) && exit $$s

# `maxk lean-check` exits 3 when there is no toolchain; GNU make itself can only exit 0/1/2, so
# `make lean-check` then reports "Error 3" and exits 2.
lean-check: $(STAMP)  ## lake build in lean/ if a Lean toolchain exists; otherwise say so (exit 3)
	@$(MAXK) lean-check

# `maxk coq-check` exits 3 when coqc is missing (make then reports "Error 3" and exits 2).
coq-check: $(STAMP)  ## render the shipped certificate into coq/Certs/ and prove check cert = true with coqc
	@$(MAXK) coq-check $(CERT)

.PHONY: coq-check-exact
coq-check-exact: $(STAMP)  ## prove the shipped model's exact accuracy in Coq: count_correct = 16771732 (exact certificate; ~3.5 min)
	@$(MAXK) coq-check $(EXACT_CERT)

check: replay coq-check lean-check  ## replay, then the Coq check, then the Lean check

archive: $(STAMP)  ## archive the shipped model, its certificate, Lean modules and reports
	$(MAXK) archive --model $(MODEL) --cert $(CERT) --out artifacts/archives/$(NAME).tar.gz \
		$(foreach r,$(wildcard artifacts/reports/$(NAME).*),--report $(r))

# Everything shipped under artifacts/ except the long sweeps (their results stay; only their reports
# are redone), each step with its paths, the archive last so that it carries the fresh reports; then
# the check that all of them agree (tests/test_artifacts_agree.py) and verify-archive.
ARTIFACT_SWEEPS := artifacts/sweeps/max4-paper-seeds artifacts/sweeps/max5-paper-seeds
.PHONY: artifacts
artifacts: $(STAMP)  ## regenerate everything shipped under artifacts/ except the long sweeps: certificates (cubic and exact), bounds report, frontier, bench, both sweep reports (report only), then the archive
	$(MAXK) certify $(MODEL) --out $(CERT)
	$(MAXK) certify $(MODEL) --exact --out $(EXACT_CERT)
	$(MAXK) bounds $(MODEL) --out-dir artifacts/reports
	$(PY) -m pipeline.cli frontier $(SEEDS) --out-dir artifacts/reports
	$(PY) tests/bench.py --out-dir artifacts/reports
	@set -e; for d in $(ARTIFACT_SWEEPS); do echo "$(MAXK) report $$d --out-dir $$d"; $(MAXK) report $$d --out-dir $$d; done
	$(MAKE) --no-print-directory archive
	$(PY) -m pytest tests/test_artifacts_agree.py -q
	$(MAXK) verify-archive artifacts/archives/$(NAME).tar.gz

# The hand-written Coq project: coq/_CoqProject lists its files; coqdep orders them.
coq-proof: $(STAMP)  ## compile the checker, Spec.v, ModelOf.v and the proof of checker_sound in a fresh folder, print their axioms (Proof/Audit.v)
	@$(MAXK) coq-proof

clean:  ## remove the venv and caches (keeps artifacts/)
	rm -rf $(VENV) .pytest_cache lean/.lake coq/Certs
	find coq \( -name '*.vo' -o -name '*.vok' -o -name '*.vos' -o -name '*.glob' -o -name '.*.aux' \) -delete
