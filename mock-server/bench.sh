#!/usr/bin/env bash
# The mock's benchmark (acceptance 10): installs wrk and nginx if missing (Debian), builds in release, runs.
# Prints figures only; about 30 seconds once built.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} (apt-get)" >&2
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi
export PATH="$PATH:/usr/sbin"
cargo build --release -p mde-mock --example bench
exec target/release/examples/bench
