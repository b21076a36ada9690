# otp: peers for the interop tests (oathtool from Debian; pyotp and gmssl from PyPI) and the
# SQLite replay-guard suite (rusqlite, bundled SQLite: no system library needed).
apt_install oathtool
pip_install pyotp gmssl
extra_test "cargo test -p mpay-otp --features sqlite"
