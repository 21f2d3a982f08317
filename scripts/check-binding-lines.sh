#!/usr/bin/env bash
# Counts the hand-written lines of each binding crate (every .rs file of the crate, build.rs
# included, except files whose first line marks them `@generated`) and fails when one is above
# the limit: the bindings only convert to the core's binding contract (core/src/contract/), so
# they stay small.
set -euo pipefail
cd "$(dirname "$0")/.."
limit="${BINDING_LINE_LIMIT:-400}"
status=0
for crate in bindings/*/; do
  total=0
  while IFS= read -r -d '' f; do
    if head -n 1 "$f" | grep -q '@generated'; then continue; fi
    total=$((total + $(wc -l < "$f")))
  done < <(find "${crate%/}" -path "${crate%/}/target" -prune -o -type f -name '*.rs' -print0)
  verdict=ok
  if [ "$total" -gt "$limit" ]; then verdict="OVER the limit of $limit"; status=1; fi
  printf '%-20s %5d hand-written lines  %s\n' "${crate%/}" "$total" "$verdict"
done
exit "$status"
