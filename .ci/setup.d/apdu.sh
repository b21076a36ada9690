# apdu: the PC/SC end-to-end test (apdu/tests/pcsc_vpcd.rs, feature `pcsc`) drives a software card
# through pcscd with vsmartcard's vpcd reader driver ("Virtual PCD 00 00", card socket
# 127.0.0.1:35963). libpcsclite-dev is needed to link the `pcsc` crate.
apt_install pcscd vsmartcard-vpcd libpcsclite-dev pcsc-tools
if [ -S /run/pcscd/pcscd.comm ] && pidof pcscd >/dev/null; then
    echo "apdu: using the pcscd already running"
else
    pcscd --foreground >"$CI_TMP/pcscd.log" 2>&1 &
    APDU_PCSCD_PID=$!
    on_exit "kill $APDU_PCSCD_PID"
    for _ in $(seq 1 100); do
        [ -S /run/pcscd/pcscd.comm ] && break
        kill -0 "$APDU_PCSCD_PID" 2>/dev/null || { cat "$CI_TMP/pcscd.log"; break; }
        sleep 0.1
    done
    [ -S /run/pcscd/pcscd.comm ] || { echo "apdu: pcscd did not start" >&2; cat "$CI_TMP/pcscd.log" >&2; }
fi
export MPAY_PCSC=1
extra_test "cargo test -p mpay-apdu --features pcsc"
