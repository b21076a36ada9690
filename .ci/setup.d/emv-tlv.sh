# emv-tlv: pyemv is the independent peer of the TLV decoder (emv-tlv/tests/interop_pyemv.rs).
pip_install pyemv
# The no_std + alloc build (the umbrella always enables std).
extra_test "cargo test -p mpay-emv-tlv --no-default-features --features alloc"
