# Sourced by scripts/serve and scripts/test: create .venv with Python >= 3.11 and install into it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -x .venv/bin/python ]; then
    PY=""
    for candidate in python3.11 python3.12 python3.13 python3; do
        if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
            PY="$candidate"
            break
        fi
    done
    [ -n "$PY" ] || { echo "newsarchive needs Python 3.11 or newer" >&2; exit 1; }
    "$PY" -m venv .venv
fi
# Install only when the dependencies changed since the last install (a stamp in .venv): a start
# needs no package index, and takes no time, once the environment is complete.
STAMP=".venv/.installed"
WANT="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1) ${EXTRAS:-}"
if [ ! -f "$STAMP" ] || ! grep -qxF -- "$WANT" "$STAMP"; then
    echo "setting up .venv (the first run takes about a minute; later starts install nothing)" >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".${EXTRAS:-}"
    echo "$WANT" > "$STAMP"
    if [ -n "${EXTRAS:-}" ]; then  # a [dev] install also satisfies a plain one
        echo "${WANT% *} " >> "$STAMP"
    fi
fi
