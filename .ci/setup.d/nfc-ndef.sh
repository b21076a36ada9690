# nfc-ndef: ndeflib (interop) and cryptography (independent P-256 check of signed messages).
pip_install ndeflib cryptography
extra_test "cargo test -p mpay-nfc-ndef --features signature,t4t"
