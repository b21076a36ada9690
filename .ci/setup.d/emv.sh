# emv: pyemv and psec (PyPI) are the differential peers of the card-scheme cryptography
# (emv/tests/pyemv_interop.rs); `cryptography` comes with them and checks the UnionPay POS MAC;
# gmssl (PyPI) recomputes the PBOC/UICS SM4 cryptograms and SM2 certificates
# (emv/tests/pboc_gmssl.rs).
pip_install pyemv psec gmssl
# The openssl CLI recomputes the AES profile (AES-ECB derivations, CMAC, AES-CBC) and the SM4
# script secure messaging (SM4-ECB/CBC) in emv/tests/aes_sm4_sm.rs.
apt_install openssl
extra_test "cargo test -p mpay-emv --features iso8583"
# The kernel against the card through pcscd + vpcd (emv/tests/pcsc_kernel.rs, reader
# "Virtual PCD 00 01"): apdu.sh installs and starts pcscd; start it here if it is not running.
apt_install pcscd vsmartcard-vpcd libpcsclite-dev
if ! { [ -S /run/pcscd/pcscd.comm ] && pidof pcscd >/dev/null; }; then
    pcscd --foreground >"$CI_TMP/emv-pcscd.log" 2>&1 &
    EMV_PCSCD_PID=$!
    on_exit "kill $EMV_PCSCD_PID"
    for _ in $(seq 1 100); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.1; done
fi
export MPAY_PCSC=1
extra_test "cargo test -p mpay-emv --features pcsc --test pcsc_kernel"
