# nfc-ndef: ndeflib (interop), cryptography (independent P-256 check of signed messages),
# gmssl (independent check of the mpay SM2 extension).
pip_install ndeflib cryptography gmssl
extra_test "cargo test -p mpay-nfc-ndef --features sm2,t4t"
