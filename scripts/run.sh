#!/usr/bin/env bash
# Installs the Debian packages, builds mailhygiene and starts the service (`serve`: the HTTP API
# on 127.0.0.1:8080 with the SQLite store in var/); any arguments replace `serve`
# (e.g. `./scripts/run.sh check example.gov.vn`).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-deps.sh >/dev/null
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target mailhygiene
if [ "$#" -eq 0 ]; then
  set -- serve
fi
exec ./build/service/mailhygiene "$@"
