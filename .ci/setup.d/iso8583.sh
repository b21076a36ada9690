# iso8583: pyiso8583 is the differential peer (tests/pyiso.rs reads MPAY_PYTHON); the tokio
# feature (framing codec, Mux and its 10,000-request loopback test) and derive are tested separately.
pip_install pyiso8583==4.0.1
extra_test "cargo test -p mpay-iso8583 --features tokio,derive"
