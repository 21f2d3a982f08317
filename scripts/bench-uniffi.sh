#!/usr/bin/env bash
# UniFFI call cost on the JVM, side by side in one run against one local server:
#   - the Kotlin client (release build of libcadenya_uniffi, from the Maven-built classes),
#   - java.net.http.HttpClient plus a JSON parse making the same call (GET /v1/account),
#   - the Python binding's sequential calls with busy polling off (CADENYA_BUSY_POLL_US=0),
#   - the Rust client itself (core/examples/sequential.rs: no FFI), the ceiling for any binding.
# Reports calls/s, CPU per call and context switches per call (/proc/self/task/*/status) for
# each, then the ratios. The last line is
#   kotlin/python seq ratio: R; cpu ratio: C
# (R = Kotlin calls/s over Python's, C = Kotlin CPU per call over Python's). Floors: R >= 0.5,
# C <= 2, Kotlin >= 3x HttpClient; the script prints whether each holds and exits 0 either way.
#
#   scripts/bench-uniffi.sh [CALLS]      (default 3000)
#
# The Python package is pip-installed from this tree (a release build) into
# ${CADENYA_CACHE:-target}/bench-venv. The JVM sides are warmed up (JIT) with max(CALLS, 20000) calls each
# and print, on stderr, per thread: context switches (involuntary ones apart) and CPU per call; the line `kotlin-32` (32
# coroutines at once) is for information. Every side runs three rounds and reports its median
# round by calls/s (the machine may be shared).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
calls="${1:-3000}"
cache="${CADENYA_CACHE:-$root/target}"
mkdir -p "$cache"
m2="${CADENYA_M2_REPO:-$cache/m2}"
mvn_q=(mvn -B -q -ntp "-Dmaven.repo.local=$m2")

target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
echo "==> building: local server (release), Kotlin classes with the release native library" >&2
cargo build -q --release -p cadenya-server
cargo build -q --release -p cadenya --example sequential
server_bin="$target_dir/release/cadenya-server"
"${mvn_q[@]}" -f kotlin/pom.xml -DskipTests -Dcadenya.cargo.profile=release test-compile
cpfile="$(mktemp)"
trap 'rm -f "$cpfile"; [[ -n ${server_pid:-} ]] && kill "$server_pid" 2>/dev/null; true' EXIT
"${mvn_q[@]}" -f kotlin/pom.xml dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cpfile"

# The Python side is always a release build of this tree, installed into its own virtualenv:
# pip builds the wheel through maturin's PEP 517 backend, which builds with `--release` (a venv
# set up by `maturin develop` would hold a debug build, and an older venv older code).
venv="$cache/bench-venv"
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
echo "==> pip install ./python (release build) into $venv" >&2
"$venv/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps ./python
py="$venv/bin/python"

# One server for every side.
coproc SERVER { exec "$server_bin" --port 0 --step-delay-ms 2 --exit-on-stdin-close; }
server_pid=$SERVER_PID
read -r info <&"${SERVER[0]}"
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$info" "$1"; }
base_url=$(field base_url) api_key=$(field api_key) workspace_id=$(field workspace_id)

out="$(mktemp)"
echo "==> JVM: Kotlin client, HttpClient, $calls sequential calls each, then Kotlin with 32 coroutines (after a warm-up)" >&2
java -cp "kotlin/target/test-classes:kotlin/target/classes:$(cat "$cpfile")" com.cadenya.bench.UniffiBench \
  "$base_url" "$api_key" "$workspace_id" "$calls" | tee "$out"
echo "==> Python binding, CADENYA_BUSY_POLL_US=0, $calls sequential calls (after a warm-up)" >&2
CADENYA_BUSY_POLL_US=0 "$py" - "$base_url" "$api_key" "$workspace_id" "$calls" <<'PY' | tee -a "$out"
import glob, resource, sys, time
import cadenya

base_url, api_key, workspace_id, calls = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
client = cadenya.Cadenya(api_key=api_key, base_url=base_url, workspace_id=workspace_id)

def ctx() -> int:
    total = 0
    for path in glob.glob("/proc/self/task/*/status"):
        try:
            for line in open(path):
                if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                    total += int(line.split(":")[1])
        except OSError:
            pass
    return total

def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

for _ in range(calls // 5 + 50):
    client.account.retrieve()
rounds = []
for _ in range(3):  # three rounds, the median by calls/s is printed (as on the JVM side)
    c0, x0, t0 = cpu(), ctx(), time.perf_counter()
    for _ in range(calls):
        client.account.retrieve()
    rounds.append((time.perf_counter() - t0, (cpu() - c0) * 1e6 / calls, (ctx() - x0) / calls))
secs, cpu_us, ctx_per = sorted(rounds)[1]
print(f"side python calls {calls} seconds {secs:.3f} cpu_us_per_call {cpu_us:.1f} ctx_per_call {ctx_per:.2f}")
PY
echo "==> Rust client (no FFI, the ceiling for any binding), $calls sequential calls (after a warm-up)" >&2
"$target_dir/release/examples/sequential" "$base_url" "$api_key" "$workspace_id" "$calls" | tee -a "$out"

python3 - "$out" <<'PY'
import sys
sides = {}
for line in open(sys.argv[1]):
    f = line.split()
    if f and f[0] == "side":
        kv = dict(zip(f[2::2], f[3::2]))
        sides[f[1]] = {"rate": int(kv["calls"]) / float(kv["seconds"]), "cpu": float(kv["cpu_us_per_call"]), "ctx": float(kv["ctx_per_call"])}
print()
print(f"{'side':<12}{'calls/s':>10}{'CPU us/call':>14}{'ctx sw/call':>14}")
for name, s in sides.items():
    print(f"{name:<12}{s['rate']:>10.0f}{s['cpu']:>14.1f}{s['ctx']:>14.2f}")
k, h, p = sides["kotlin"], sides["httpclient"], sides["python"]
r, c, vs_http = k["rate"] / p["rate"], k["cpu"] / p["cpu"], k["rate"] / h["rate"]
print(f"floors: R >= 0.5 {'met' if r >= 0.5 else 'NOT met'}; C <= 2 {'met' if c <= 2 else 'NOT met'}; "
      f"kotlin/httpclient {vs_http:.2f}x (>= 3x {'met' if vs_http >= 3 else 'NOT met'})")
if "rust" in sides:
    rust = sides["rust"]
    print(f"ceiling: the Rust client alone makes {rust['rate'] / h['rate']:.2f}x HttpClient's calls/s; "
          f"kotlin reaches {k['rate'] / rust['rate']:.2f} of the Rust client's calls/s")
print(f"kotlin/python seq ratio: {r:.2f}; cpu ratio: {c:.2f}")
PY
