#!/usr/bin/env bash
# Contract test of the local server: Schemathesis (pinned, in its own virtualenv) drives every
# operation of spec/openapi.yaml against a fresh cadenya-server through the coverage, fuzzing and
# stateful phases with a fixed seed and every check; any failure fails the script, and so do more
# than 5 operations named by the "repeatedly returned 404" or "mostly rejected generated data"
# warnings. Configuration: server/contract/schemathesis.toml; hooks: server/contract/hooks.py.
# The work directory (server output, NDJSON report) is kept only when the run fails.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

venv="${CADENYA_CACHE:-$root/target}/contract-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r server/contract/requirements.txt

cargo build -q -p cadenya-server
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')

work=$(mktemp -d)
trap 'status=$?; if [ "$status" -eq 0 ]; then rm -rf "$work"; else echo "contract test: report kept in $work" >&2; fi' EXIT
# stdin stays open on a pipe that closes when this script exits, so the server never outlives it.
exec 3> >(exec "$target_dir/debug/cadenya-server" --port 0 --step-delay-ms 1 --exit-on-stdin-close >"$work/server.json")
for _ in $(seq 100); do [ -s "$work/server.json" ] && break; sleep 0.1; done
read -r base token ws < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["base_url"], d["api_key"], d["workspace_id"])' "$work/server.json")

export CADENYA_CONTRACT_BASE_URL="$base" CADENYA_CONTRACT_TOKEN="$token" CADENYA_CONTRACT_WORKSPACE="$ws"
export PYTHONPATH="$root/server/contract${PYTHONPATH:+:$PYTHONPATH}"
fixture_env=$("$venv/bin/python" "$root/server/contract/fixtures.py")
eval "$fixture_env"
cd "$work"
"$venv/bin/schemathesis" --config-file "$root/server/contract/schemathesis.toml" run "$root/spec/openapi.yaml" \
  --phases coverage,fuzzing,stateful --checks all --no-color --report ndjson --report-dir "$work/report" "$@"
