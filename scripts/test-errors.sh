#!/usr/bin/env bash
# The cross-language error test: drives the same faults (404, 429 after retries, timeout, dropped
# connection, malformed JSON, a bad webhook signature) through Python, Node and Kotlin against one
# local server and fails on any difference in the class names or field values. Run after
# scripts/test-{python,node,kotlin}.sh, whose installs it uses.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
cache="${CADENYA_CACHE:-$root/target}"
cache="$(cd "$cache" && pwd)"
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
out="$(mktemp -d)"
trap 'kill "${server_pid:-}" 2>/dev/null || true; rm -rf "$out"' EXIT

cargo build -q -p cadenya-server
coproc SERVER { exec "$target_dir/debug/cadenya-server" --port 0 --step-delay-ms 2; }
server_pid=$SERVER_PID
read -r info <&"${SERVER[0]}"
eval "$(python3 -c 'import json,sys; i=json.loads(sys.argv[1]); print("export CADENYA_BASE_URL=%s CADENYA_API_KEY=%s CADENYA_WORKSPACE_ID=%s" % (i["base_url"], i["api_key"], i["workspace_id"]))' "$info")"
unset CADENYA_WEBHOOK_SECRET CADENYA_WEBHOOK_KEY CADENYA_CUSTOM_HEADERS

echo "==> Python"
"$cache/python-venv/bin/python" scripts/error-faults/faults.py | tee "$out/python.jsonl"
echo "==> Node"
node_project="$cache/node-scratch"
cp scripts/error-faults/faults.mjs "$node_project/error-faults.mjs"
(cd "$node_project" && node error-faults.mjs) | tee "$out/node.jsonl"
echo "==> Kotlin"
# The classes scripts/test-kotlin.sh built with Maven (the native library is a resource of
# kotlin/target/classes, as in the jar) and the test classpath Maven resolves from its local repository.
m2="${CADENYA_M2_REPO:-$cache/m2}"
mvn -B -q -ntp "-Dmaven.repo.local=$m2" -f kotlin/pom.xml dependency:build-classpath "-Dmdep.outputFile=$out/kotlin.classpath" -Dmdep.includeScope=test >/dev/null
kotlin_cp="$(cat "$out/kotlin.classpath")"
java -cp "kotlin/target/test-classes:kotlin/target/classes:$kotlin_cp" \
  com.cadenya.demo.ErrorFaultsKt | tee "$out/kotlin.jsonl"

python3 - "$out" <<'PY'
import json, sys
langs = ["python", "node", "kotlin"]
runs = {l: [json.loads(x) for x in open(f"{sys.argv[1]}/{l}.jsonl")] for l in langs}
faults = [r["fault"] for r in runs["python"]]
failed = passed = 0
for i, fault in enumerate(faults):
    rows = {l: runs[l][i] if i < len(runs[l]) else None for l in langs}
    same = all(rows[l] == rows["python"] for l in langs) and rows["python"].get("class") is not None
    if same:
        passed += 1
    else:
        failed += 1
        print(f"DIFFERENT for {fault}:")
        for l in langs:
            print(f"  {l:7} {rows[l]}")
if any(len(runs[l]) != len(faults) for l in langs):
    failed += 1
    print("the languages ran different numbers of faults")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
