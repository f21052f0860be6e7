# Sourced by scripts/run and scripts/test: make .venv with Python 3.11+ and install
# requirements.txt into it whenever the file changed since the last install.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

find_python() {
    for candidate in python3.13 python3.12 python3.11 python3 python; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return
        fi
    done
    echo "Tutela needs Python 3.11 or newer on PATH." >&2
    exit 1
}

if [ ! -x .venv/bin/python ]; then
    echo "Creating .venv ..."
    "$(find_python)" -m venv .venv
fi
stamp=.venv/.requirements.sha256
wanted=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    echo "Installing requirements into .venv ..."
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
    echo "$wanted" > "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
mkdir -p var
