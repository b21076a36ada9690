# emv: pyemv and psec (PyPI) are the differential peers of the card-scheme cryptography
# (emv/tests/pyemv_interop.rs); `cryptography` comes with them and checks the UnionPay POS MAC.
pip_install pyemv psec
extra_test "cargo test -p mpay-emv --features iso8583"
