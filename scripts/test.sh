#!/usr/bin/env bash
# Installs the Debian packages, builds everything and runs the whole test suite (unit, OpenSPF
# conformance, knotd lab, short fuzz runs). This is the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j "$(nproc)"
ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
