//! `mpay emv …` end to end, against pyemv's HSM-checked CVN 18 vector and psec's examples.

use assert_cmd::Command;

const F55: &str = "9F02060000000040009F03060000000000009F1A02012495058000048000\
5F2A0201249A031911059C01019F370452BF4585820218009F3602001C9F100706011203A0B800";

fn mpay() -> Command {
    Command::cargo_bin("mpay").unwrap()
}

#[test]
fn arqc_and_arpc() {
    let base = [
        "emv",
        "arqc",
        "--cvn",
        "visa18",
        "--imk",
        "0123456789ABCDEFFEDCBA9876543210",
        "--pan",
        "1234567890123456",
        "--tx",
        F55,
    ];
    mpay()
        .args(base)
        .assert()
        .success()
        .stdout("7A788EA6B8A3E733\n");
    mpay()
        .args([
            "emv",
            "arpc",
            "--cvn",
            "visa18",
            "--imk",
            "0123456789ABCDEFFEDCBA9876543210",
        ])
        .args(["--pan", "1234567890123456", "--tx", F55])
        .args(["--arqc", "7A788EA6B8A3E733", "--csu", "00000000"])
        .assert()
        .success()
        .stdout("9AF514C1\n");
}

#[test]
fn pinblock_cvv_mac() {
    mpay()
        .args([
            "emv",
            "pinblock",
            "--format",
            "0",
            "--pin",
            "1234",
            "--pan",
            "5544332211009966",
        ])
        .assert()
        .success()
        .stdout("041277CDDEEFF669\n");
    mpay()
        .args(["emv", "cvv", "--cvk", "0123456789ABCDEFFEDCBA9876543210"])
        .args([
            "--pan",
            "1234567890123456",
            "--expiry",
            "9912",
            "--service-code",
            "220",
        ])
        .assert()
        .success()
        .stdout("170\n");
    // Visa dCVV: jPOS's published value (MK-dCVV 12345678 ×4, ATC 3210).
    mpay()
        .args(["emv", "cvv", "--cvk", "12345678123456781234567812345678"])
        .args(["--pan", "1234567890123456", "--expiry", "1310"])
        .args(["--service-code", "226", "--dcvv-atc", "3210"])
        .assert()
        .success()
        .stdout("422\n");
    mpay()
        .args(["emv", "cvv", "--cvk", "12345678123456781234567812345678"])
        .args([
            "--pan",
            "1234567890123456",
            "--expiry",
            "1310",
            "--dcvv-atc",
            "32",
        ])
        .assert()
        .code(2);
    let out = mpay()
        .args([
            "emv",
            "mac",
            "--key",
            "0123456789ABCDEFFEDCBA9876543210",
            "00112233",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(out.len(), 17);
}

#[test]
fn bad_input_is_one_line_and_status_2() {
    for args in [
        &[
            "emv", "arqc", "--cvn", "visa18", "--imk", "00", "--pan", "1", "--tx", F55,
        ][..],
        &[
            "emv",
            "arqc",
            "--cvn",
            "visa18",
            "--imk",
            "0123456789ABCDEFFEDCBA9876543210",
            "--pan",
            "1234567890123456",
            "--tx",
            "9F02",
        ],
        &[
            "emv",
            "pinblock",
            "--pin",
            "12",
            "--pan",
            "5544332211009966",
        ],
        &[
            "emv",
            "pinblock",
            "--format",
            "4",
            "--pin",
            "1234",
            "--pan",
            "5544332211009966",
        ],
    ] {
        let a = mpay().args(args).assert().failure().code(2);
        let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("mpay: "), "{err}");
    }
}

#[test]
fn pboc_sm4_cryptograms_and_sm4_pos_mac() {
    use mpay::emv::crypto::cvn::TransactionData;
    use mpay::emv::crypto::keys::Sm4Key;
    use mpay::emv::crypto::pboc::{PbocSm4, Sm4IssuerKeys};
    use mpay::emv::crypto::posmac::unionpay_pos_mac_sm4;
    // The same transaction with the PBOC IAD (07 DKI 01 03 CVR 04).
    let f55 = F55.replace("9F100706011203A0B800", "9F10080701010390000004");
    let imk = "0123456789ABCDEFFEDCBA9876543210";
    let tx = TransactionData::from_tlv(&hex::decode(&f55).unwrap()).unwrap();
    let card = PbocSm4::card_keys(
        &Sm4IssuerKeys::single(Sm4Key::from_hex(imk).unwrap()),
        "6228480000000000017",
        "01",
    )
    .unwrap();
    let arqc = PbocSm4::arqc(&card, &tx).unwrap();
    let args = [
        "--cvn",
        "pboc-sm4",
        "--imk",
        imk,
        "--pan",
        "6228480000000000017",
        "--psn",
        "01",
        "--tx",
        &f55,
    ];
    mpay()
        .args(["emv", "arqc"])
        .args(args)
        .assert()
        .success()
        .stdout(format!("{}\n", hex::encode_upper(arqc)));
    let arpc = PbocSm4::arpc(&card, &tx, arqc, *b"00");
    mpay()
        .args(["emv", "arpc"])
        .args(args)
        .args(["--arqc", &hex::encode(arqc), "--arc", "3030"])
        .assert()
        .success()
        .stdout(format!("{}\n", hex::encode_upper(arpc)));
    let mac = unionpay_pos_mac_sm4(&Sm4Key::from_hex(imk).unwrap(), b"0200 MAB");
    mpay()
        .args([
            "emv",
            "posmac",
            "--sm4",
            "--key",
            imk,
            &hex::encode(b"0200 MAB"),
        ])
        .assert()
        .success()
        .stdout(format!("{}\n", String::from_utf8_lossy(&mac)));
    // A 3DES-style IAD is refused for the SM4 profile, on one line with status 2.
    mpay()
        .args(["emv", "arqc"])
        .args(&args[..8])
        .args(["--tx", F55])
        .assert()
        .code(2);
}

#[test]
fn aes_profile_cryptograms_and_cmac() {
    use mpay::emv::crypto::cvn::{AcDataTail, ArpcInput, ArpcMethod, TransactionData};
    use mpay::emv::crypto::emv_aes::{AesEmv, AesIssuerKeys};
    use mpay::emv::crypto::keys::AesKey;
    use mpay::emv::crypto::mac::aes_cmac;
    let imk = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
    let tx = TransactionData::from_tlv(&hex::decode(F55).unwrap()).unwrap();
    let issuer = AesIssuerKeys::single(AesKey::from_hex(imk).unwrap());
    let m1 = AesEmv::new(AcDataTail::FullIad, ArpcMethod::Method1SessionKey);
    let card = m1.card_keys(&issuer, "4761739001010119", "01").unwrap();
    let arqc = m1.arqc(&card, &tx).unwrap();
    let args = [
        "--cvn",
        "aes",
        "--imk",
        imk,
        "--pan",
        "4761739001010119",
        "--psn",
        "01",
        "--tx",
        F55,
    ];
    mpay()
        .args(["emv", "arqc"])
        .args(args)
        .assert()
        .success()
        .stdout(format!("{}\n", hex::encode_upper(arqc)));
    // --arc: method 1 under the session key; --csu: method 2.
    let arpc1 = m1
        .arpc(&card, &tx, arqc, ArpcInput::ResponseCode(*b"00"))
        .unwrap();
    mpay()
        .args(["emv", "arpc"])
        .args(args)
        .args(["--arqc", &hex::encode(arqc), "--arc", "3030"])
        .assert()
        .success()
        .stdout(format!("{}\n", hex::encode_upper(arpc1)));
    let m2 = AesEmv::new(AcDataTail::FullIad, ArpcMethod::Method2);
    let input = ArpcInput::CardStatusUpdate {
        csu: [0, 0x80, 0, 0],
        proprietary: &[0xAB],
    };
    let arpc2 = m2.arpc(&card, &tx, arqc, input).unwrap();
    mpay()
        .args(["emv", "arpc"])
        .args(args)
        .args(["--arqc", &hex::encode(arqc), "--csu", "00800000"])
        .args(["--proprietary", "AB"])
        .assert()
        .success()
        .stdout(format!("{}\n", hex::encode_upper(arpc2)));
    // AES-CMAC: NIST SP 800-38B example 2, and the library on other data.
    mpay()
        .args(["emv", "mac", "--alg", "5", "--key"])
        .args([
            "2b7e151628aed2a6abf7158809cf4f3c",
            "6bc1bee22e409f96e93d7e117393172a",
        ])
        .assert()
        .success()
        .stdout("070A16B46B4D4144F79BDD9DD04A287C\n");
    let key = AesKey::from_hex(imk).unwrap();
    mpay()
        .args(["emv", "mac", "--alg", "5", "--key", imk, "DEADBEEF"])
        .assert()
        .success()
        .stdout(format!(
            "{}\n",
            hex::encode_upper(aes_cmac(&key, &[0xDE, 0xAD, 0xBE, 0xEF]))
        ));
    // A 20-byte AES key and algorithm 2 are refused on one line with status 2.
    let short_imk = [
        "emv",
        "arqc",
        "--cvn",
        "aes",
        "--imk",
        &imk[..40],
        "--pan",
        "4761739001010119",
        "--tx",
        F55,
    ];
    let alg2 = ["emv", "mac", "--alg", "2", "--key", &imk[..32], "00"];
    for bad in [&short_imk[..], &alg2[..]] {
        let a = mpay().args(bad).assert().code(2);
        let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}
