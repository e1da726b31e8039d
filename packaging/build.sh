#!/usr/bin/env bash
# Build the frozen app dist/sdstudio/ (PyInstaller onedir) from this checkout.
#
# Needs a Python environment where `pip install -e ".[dev]"` was run (with CPU torch for a
# small bundle; see README.md, "Packaging"). It uses, in order: $PYTHON, the active virtual
# environment, ./.venv, python3. Then run packaging/smoke.sh to check the result.
set -euo pipefail
cd "$(dirname "$0")/.."

python="${PYTHON:-}"
if [ -z "$python" ]; then
    if [ -n "${VIRTUAL_ENV:-}" ]; then
        python="$VIRTUAL_ENV/bin/python"
    elif [ -x .venv/bin/python ]; then
        python=.venv/bin/python
    else
        python=python3
    fi
fi

start=$(date +%s)
"$python" -m PyInstaller --noconfirm --clean --log-level WARN sdstudio.spec
seconds=$(($(date +%s) - start))
echo "built dist/sdstudio/ in ${seconds} s: $(du -sh dist/sdstudio | cut -f1)"
