#!/usr/bin/env bash
# One command on a fresh machine: installs what is missing, then runs a just recipe.
#   scripts/run.sh demo     set up and run the demo (add --headless to walk the flows in Chromium)
#   scripts/run.sh test     set up and run every test
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export PATH="$PWD/.venv/bin:$HOME/.cargo/bin:$PATH"
export VIRTUAL_ENV="$PWD/.venv"
exec just "${@:-test}"
