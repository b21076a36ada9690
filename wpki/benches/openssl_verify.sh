#!/usr/bin/env bash
# Runs the path-validation bench, which times mpay-wpki and `openssl verify` on the same
# 3-certificate SM2 and P-256 chains in one run, both in CPU time (see benches/validate.rs),
# and prints the OpenSSL version and the machine load next to the figures.
# Usage (from the workspace root): bash wpki/benches/openssl_verify.sh
set -euo pipefail
SECS=${SECS:-3}
echo "== $(openssl version)"
echo "load before: $(uptime)"
cargo bench -p mpay-wpki --bench validate -- --warm-up-time 1 --measurement-time "$SECS" 2>&1 |
    grep -E "^validate_3cert_chain|time:"
echo "load after: $(uptime)"
