# wpki: the openssl CLI is the interop peer (tests/openssl.rs).
apt_install openssl
