# emv-tlv: pyemv is the independent peer of the TLV decoder (emv-tlv/tests/interop_pyemv.rs).
pip_install pyemv
