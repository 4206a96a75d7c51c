# The two commands the README opens with, plus the pieces CI and developers share.
.PHONY: demo test test-core test-python test-uniffi parity bench

# The Quick Start end to end against a local sandbox (no token needed).
demo:
	bash scripts/demo.sh

# Everything CI runs: installs what it needs, then every check of every part.
test:
	bash scripts/ci/test-all.sh

test-core:
	bash scripts/ci/test-core.sh

test-python:
	bash scripts/ci/test-python.sh

test-uniffi:
	bash scripts/ci/test-uniffi.sh

# Every shared vector x every language, as one table; any divergence fails.
parity:
	bash scripts/ci/parity.sh

bench:
	cargo bench -p antonnia-core --bench core
