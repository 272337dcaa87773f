#!/usr/bin/env bash
# Node 20's --test takes paths, not globs: list the test files ourselves.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find src test -name '*.test.ts' -not -path '*/node_modules/*' | sort)
# Every temporary file and folder the tests make (os.tmpdir()) goes in one folder that is
# removed afterwards, so a test that forgets to clean up leaves nothing behind.
# Named datasets come from the shared folder's copy (one data mirror among others, docs/data.md),
# so the tests never reach for the hub; the hub download tests use their own local hub.
export CHORUS_DATA_MIRROR="${CHORUS_DATA_MIRROR-$(cd "${CHORUS_SHARED_DIR:-../shared}" 2>/dev/null && pwd)/datasets}"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/chorus-tests-XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
# A file may take minutes on a loaded 2-core box (the smoke build trains a model): 10 minutes each.
TMPDIR="$scratch" node --import tsx --test --test-concurrency=2 --test-timeout=600000 "$@" "${files[@]}"
