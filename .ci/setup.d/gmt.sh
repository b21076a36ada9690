# mpay-gmt: interop peers — the openssl CLI (SM2/SM3/SM4) and the gmssl Python package.
apt_install openssl
pip_install gmssl
# The no_std + alloc build with SM2 (own fixed-base table behind once_cell's race::OnceBox, no
# `std`/`critical-section` needed); the lib's unit tests cover the SM2 scalar multiplications.
extra_test "cargo test -p mpay-gmt --no-default-features --lib"
