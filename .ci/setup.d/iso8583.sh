# iso8583: pyiso8583 is the differential peer (tests/pyiso.rs reads MPAY_PYTHON); the tokio
# feature (framing codec, Mux and its 10,000-request loopback test) and derive are tested separately,
# and the Mux test again in an optimised build (its reversal-latency bound is 10 ms either way).
pip_install pyiso8583==4.0.1
extra_test "cargo test -p mpay-iso8583 --features tokio,derive"
extra_test "cargo test --release -p mpay-iso8583 --features tokio --test mux"
