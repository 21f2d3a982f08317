#!/usr/bin/env bash
# Builds the `cadenya` Python package the way a user installs it (`pip install ./python`, which
# runs maturin on bindings/python; or installs $CADENYA_PYTHON_WHEEL, a wheel from scripts/dist.sh), type-checks the typed example with mypy --strict and pyright,
# then runs the pytest suite against the local server. Installs what it needs into a virtualenv
# under ${CADENYA_CACHE:-target}/python-venv. Ends with pytest's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
cache="${CADENYA_CACHE:-$root/target}"
venv="$cache/python-venv"
pip_q=(-q --disable-pip-version-check)

echo "==> Python virtualenv ($venv)"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install "${pip_q[@]}" "maturin>=1.5,<2" "pytest>=8" "pytest-asyncio>=0.23" "mypy>=1.10" "pyright>=1.1.380"

target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')

echo "==> local server"
cargo build -q -p cadenya-server
export CADENYA_SERVER_BIN="$target_dir/debug/cadenya-server"

if [ -n "${CADENYA_PYTHON_WHEEL:-}" ]; then
  # test-all.sh passes the release wheel scripts/dist.sh built: the tests run on what ships.
  echo "==> pip install $CADENYA_PYTHON_WHEEL"
  "$venv/bin/pip" install "${pip_q[@]}" --force-reinstall --no-deps "$CADENYA_PYTHON_WHEEL"
else
  echo "==> pip install ./python (maturin build of bindings/python)"
  "$venv/bin/pip" install "${pip_q[@]}" --force-reinstall --no-deps ./python
fi
"$venv/bin/python" -c 'import cadenya, cadenya._native; print("installed cadenya", cadenya.__version__, "from", cadenya.__file__)'

cd python
echo "==> mypy --strict (typed example, demo)"
"$venv/bin/mypy" --strict examples/typed_example.py examples/demo.py

echo "==> pyright (typed example, demo)"
"$venv/bin/pyright" --pythonpath "$venv/bin/python" examples/typed_example.py examples/demo.py

echo "==> pytest"
# `pytest` (not `python -m pytest`): the working directory must not shadow the installed package.
"$venv/bin/pytest" -q -p no:cacheprovider tests
