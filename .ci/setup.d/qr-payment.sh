# qr-payment: zxing-cpp (+ numpy) is the independent QR / Code 128 reader of
# qr-payment/tests/qr_interop.rs; reedsolo is the peer of the GF(32) Reed-Solomon codec
# (qr-payment/tests/rs_interop.rs). ggwave is only needed by the robustness benchmark
# (`cargo run --release -p mpay-qr-payment --example audio_robustness`), not by CI.
pip_install zxing-cpp numpy reedsolo
