#!/usr/bin/env bash
# Node 20's --test takes paths, not globs: list the test files ourselves.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find src test -name '*.test.ts' -not -path '*/node_modules/*' | sort)
exec node --import tsx --test --test-concurrency=2 --test-timeout=300000 "${files[@]}" "$@"
