#!/usr/bin/env bash
# Installs the Debian packages, builds mailhygiene and runs it; arguments go to the binary
# (e.g. `./scripts/run.sh check example.gov.vn`).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-deps.sh >/dev/null
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target mailhygiene
exec ./build/service/mailhygiene "$@"
