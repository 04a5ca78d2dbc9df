#!/usr/bin/env bash
# One entry point for a newcomer: creates/reuses .venv, installs dxsurvey, runs a job.
#   bash dx.sh demo    -> all reports on the demo study (data/demo), prints index.html path
#   bash dx.sh test    -> the test suite
#   bash dx.sh <any dxsurvey arguments>
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
py="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$py" -m venv .venv
fi
stamp=.venv/.dxsurvey-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "dxsurvey: installing into .venv (the first time takes a few minutes) ..." >&2
  if ! { .venv/bin/python -m pip install -q --upgrade pip &&
         .venv/bin/python -m pip install -q -e ".[test]"; } > .venv/install.log 2>&1; then
    cat .venv/install.log >&2
    echo "dxsurvey: installation failed; the log above is also in .venv/install.log" >&2
    exit 1
  fi
  touch "$stamp"
fi
cmd="${1:-demo}"
shift || true
case "$cmd" in
  test) exec .venv/bin/python -m pytest "$@" ;;
  *)    exec .venv/bin/dxsurvey "$cmd" "$@" ;;
esac
