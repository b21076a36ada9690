# mpay-gmt: interop peers — the openssl CLI (SM2/SM3/SM4) and the gmssl Python package.
apt_install openssl
pip_install gmssl
