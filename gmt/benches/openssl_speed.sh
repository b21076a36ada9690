#!/usr/bin/env bash
# Runs OpenSSL's `speed` and our criterion bench back to back on the same machine, so the README
# ratios come from one run. Usage (from the workspace root): bash gmt/benches/openssl_speed.sh
set -euo pipefail
SECS=${SECS:-2}
# Both sides report CPU time: OpenSSL's default, and the bench's CpuTime measurement (thread
# CPU time), so the ratios hold on a shared, loaded machine. Set E=-elapsed for wall-clock.
E=${E:-}
echo "== openssl $(openssl version)"
openssl speed $E -seconds "$SECS" -bytes 16384 -evp sm3 2>/dev/null | tail -1
openssl speed $E -seconds "$SECS" -bytes 1024 -evp sm3 2>/dev/null | tail -1
for c in sm4-ecb sm4-ctr sm4-cbc; do
    openssl speed $E -seconds "$SECS" -bytes 16384 -evp "$c" 2>/dev/null | tail -1
done
echo -n "sm4-cbc decrypt: "; openssl speed $E -decrypt -seconds "$SECS" -bytes 16384 -evp sm4-cbc 2>/dev/null | tail -1
# CMAC, like CBC encryption, is one block at a time (our `sm4/cmac` and `sm4/chained-blocks`).
openssl speed $E -seconds "$SECS" -bytes 16384 -cmac sm4-cbc 2>/dev/null | tail -1
openssl speed $E -seconds "$SECS" sm2 2>/dev/null | tail -2
# `openssl speed` has no SM2 decryption: a small EVP harness (CPU time) fills the gap.
if command -v cc >/dev/null && [ -e /usr/include/openssl/evp.h ]; then
    tmp=$(mktemp -d)
    cc -O2 -o "$tmp/sm2dec" "$(dirname "$0")/openssl_sm2_decrypt.c" -lcrypto && "$tmp/sm2dec" "$SECS"
    rm -rf "$tmp"
else
    echo "sm2 decrypt: skipped (needs cc and libssl-dev)"
fi
echo "load: $(uptime)"
echo "== mpay-gmt (criterion)"
cargo bench -p mpay-gmt --bench gmt -- --warm-up-time 1 --measurement-time "$SECS" 2>&1 | grep -E "^[a-z0-9/-]+|time:|thrpt:"
