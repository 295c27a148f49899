#!/usr/bin/env bash
# The mock's soak benchmark (issue 12, point 7): resident memory under sustained load. Installs wrk if missing
# (Debian), builds the binary and examples/soak.rs in release, runs it. About 4 minutes; prints figures only.
#
#   mock-server/soak.sh                                   # the native binary
#   mock-server/soak.sh --command 'npx mde-mock'          # any mde-mock-compatible command line
#   MDE_MOCK_SOAK_COMMAND='node path/to/bin.js' mock-server/soak.sh --requests 2000000 --full-seconds 60
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
  echo "installing wrk (apt-get)" >&2
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
cargo build --release -p mde-mock --bin mde-mock --example soak
exec target/release/examples/soak "$@"
