# Shared helpers for the CI scripts (sourced, not run).
step() { printf '\n==> %s\n' "$*"; }
