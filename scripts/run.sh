#!/usr/bin/env bash
# One command on a fresh machine: installs what is missing, then runs a just recipe.
#   scripts/run.sh demo     set up and run the demo (add --headless to walk the flows in Chromium)
#   scripts/run.sh test     set up and run every test
set -euo pipefail
cd "$(dirname "$0")/.."
# The demo needs a fraction of what the tests need (Chromium only with --headless).
case "${1:-test} ${*:2}" in
  "demo "*--headless*) bash scripts/bootstrap.sh --demo-browser ;;
  "demo "*) bash scripts/bootstrap.sh --demo ;;
  *) bash scripts/bootstrap.sh ;;
esac
export PATH="$PWD/.venv/bin:$HOME/.cargo/bin:$PATH"
export VIRTUAL_ENV="$PWD/.venv"
exec just "${@:-test}"
