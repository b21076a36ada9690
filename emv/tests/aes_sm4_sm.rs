//! The AES profile and the AES/SM4 issuer-script secure messaging.
//!
//! No open implementation publishes AES EMV vectors (EMVCo's own are not public; AWS Payment
//! Cryptography, payShield and Futurex document the options but print no raw-key values), so
//! every AES building block is recomputed here by an independent implementation, the openssl
//! CLI, on random inputs: AES-ECB of the option C and session-key derivation blocks, `openssl
//! mac … CMAC` for the cryptograms, ARPCs and script MACs, AES-CBC for the script data. The SM4
//! script keys, MAC and data go through openssl's SM4-ECB and SM4-CBC the same way. Property
//! tests then check the round trips and that a wrong key or a changed byte is rejected.
//!
//! The openssl tests skip (with a message) when `openssl` is not on PATH, unless
//! `MPAY_REQUIRE_PEERS` is set.

use std::io::Write;
use std::process::{Command, Stdio};

use mpay_emv::Error;
use mpay_emv::crypto::cvn::{AcDataTail, ArpcInput, ArpcMethod, TransactionData};
use mpay_emv::crypto::emv_aes::{AesCardKeys, AesEmv, AesIssuerKeys};
use mpay_emv::crypto::keys::{AesKey, Sm4Key};
use mpay_emv::crypto::pboc::{self, PbocSm4, Sm4CardKeys, Sm4IssuerKeys};
use mpay_emv::crypto::{kd, sm};
use proptest::collection::vec;
use proptest::prelude::*;

/// Whether the openssl CLI can be run; panics instead of skipping under `MPAY_REQUIRE_PEERS`.
fn openssl_available() -> bool {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("MPAY_REQUIRE_PEERS").is_none(),
            "the openssl CLI must be on PATH"
        );
        eprintln!("skipping: openssl CLI not found");
    }
    ok
}

/// Runs `openssl args…` with `input` on stdin and returns its stdout.
fn openssl(args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run openssl");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `openssl enc` with no padding: ECB, or CBC with a zero IV.
fn enc(cipher: &str, key: &[u8], input: &[u8]) -> Vec<u8> {
    let k = hex::encode(key);
    let mut args = vec!["enc", cipher, "-K", &k, "-nopad"];
    let iv = "00".repeat(16);
    if cipher.ends_with("cbc") {
        args.extend(["-iv", &iv]);
    }
    openssl(&args, input)
}

fn aes_cipher(key: &[u8], mode: &str) -> String {
    format!("-aes-{}-{mode}", key.len() * 8)
}

/// AES-CMAC by `openssl mac`.
fn cmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let cipher = format!("AES-{}-CBC", key.len() * 8);
    let keyopt = format!("hexkey:{}", hex::encode(key));
    let out = openssl(
        &["mac", "-cipher", &cipher, "-macopt", &keyopt, "CMAC"],
        data,
    );
    hex::decode(String::from_utf8(out).unwrap().trim()).unwrap()
}

/// ISO/IEC 9797-1 padding method 2 to 16-byte blocks, written out here.
fn pad2(data: &[u8]) -> Vec<u8> {
    let mut v = data.to_vec();
    v.push(0x80);
    while !v.len().is_multiple_of(16) {
        v.push(0);
    }
    v
}

/// The common session key derivation by openssl: leftmost k bytes of E(MK)[F1] ‖ E(MK)[F2].
fn csk_openssl(mk: &[u8], r: &[u8; 16]) -> Vec<u8> {
    let mut blocks = [*r, *r];
    blocks[0][2] = 0xF0;
    blocks[1][2] = 0x0F;
    let out = enc(&aes_cipher(mk, "ecb"), mk, blocks.as_flattened());
    out[..mk.len()].to_vec()
}

fn tx_strategy() -> impl Strategy<Value = TransactionData> {
    (
        any::<[u8; 6]>(),
        any::<[u8; 6]>(),
        any::<[u8; 2]>(),
        any::<[u8; 5]>(),
        any::<[u8; 2]>(),
        any::<[u8; 3]>(),
        any::<u8>(),
        any::<[u8; 4]>(),
        any::<[u8; 2]>(),
        any::<[u8; 2]>(),
        vec(any::<u8>(), 7..=32),
    )
        .prop_map(
            |(a, o, c, tvr, cur, d, t, un, aip, atc, iad)| TransactionData {
                amount_authorised: a,
                amount_other: o,
                terminal_country: c,
                tvr,
                currency: cur,
                date: d,
                transaction_type: t,
                unpredictable_number: un,
                aip,
                atc,
                iad,
                counters: vec![],
            },
        )
}

fn aes_key_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        vec(any::<u8>(), 16),
        vec(any::<u8>(), 24),
        vec(any::<u8>(), 32)
    ]
}

fn pan_strategy() -> impl Strategy<Value = (String, String)> {
    ("[0-9]{12,19}", "[0-9]{2}")
}

fn aes_issuer(imk: &[u8]) -> AesIssuerKeys {
    AesIssuerKeys::new(
        AesKey::from_slice(imk).unwrap(),
        AesKey::from_slice(&imk.iter().map(|b| b ^ 0x5A).collect::<Vec<_>>()).unwrap(),
        AesKey::from_slice(&imk.iter().map(|b| b ^ 0xA5).collect::<Vec<_>>()).unwrap(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Every AES step against openssl: option C, the session keys, the AC, both ARPC
    /// methods, the script MAC, the script data and a whole PIN CHANGE command.
    #[test]
    fn aes_profile_agrees_with_openssl(
        imk in aes_key_bytes(),
        (pan, psn) in pan_strategy(),
        tx in tx_strategy(),
        arc in any::<[u8; 2]>(),
        csu in any::<[u8; 4]>(),
        proprietary in vec(any::<u8>(), 0..=8),
        header in any::<[u8; 5]>(),
        script in vec(any::<u8>(), 0..40),
    ) {
        if !openssl_available() {
            return Ok(());
        }
        let issuer = aes_issuer(&imk);
        let profile = AesEmv::new(AcDataTail::FullIad, ArpcMethod::Method1SessionKey);
        let card = profile.card_keys(&issuer, &pan, &psn).unwrap();
        let ecb = aes_cipher(&imk, "ecb");

        // Option C: Y = PAN ‖ PSN left-padded with zeros to 32 digits; Y and ¬Y under the IMK.
        let y = hex::decode(format!("{:0>32}", format!("{pan}{psn}"))).unwrap();
        let not_y: Vec<u8> = y.iter().map(|b| !b).collect();
        let y_blocks = [y, not_y].concat();
        let ac = enc(&ecb, &imk, &y_blocks);
        prop_assert_eq!(card.ac.expose_secret(), &ac[..imk.len()]);
        let smi = enc(&ecb, issuer.smi.expose_secret(), &y_blocks);
        prop_assert_eq!(card.smi.expose_secret(), &smi[..imk.len()]);

        // AC session key and AC.
        let mut r = [0u8; 16];
        r[..2].copy_from_slice(&tx.atc);
        let sk = csk_openssl(card.ac.expose_secret(), &r);
        let ours = profile.ac_session_key(&card, &tx);
        prop_assert_eq!(ours.expose_secret(), &sk[..]);
        let data = tx.ac_input(AcDataTail::FullIad).unwrap();
        let arqc = profile.arqc(&card, &tx).unwrap();
        prop_assert_eq!(&arqc[..], &cmac(&sk, &data)[..8]);

        // ARPC method 1 under the session key and under the master key, and method 2.
        let mut block = [0u8; 16];
        block[..8].copy_from_slice(&arqc);
        block[0] ^= arc[0];
        block[1] ^= arc[1];
        let arpc1 = profile.arpc(&card, &tx, arqc, ArpcInput::ResponseCode(arc)).unwrap();
        prop_assert_eq!(&arpc1[..], &enc(&aes_cipher(&sk, "ecb"), &sk, &block)[..8]);
        let mk_profile = AesEmv::new(AcDataTail::FullIad, ArpcMethod::Method1MasterKey);
        let mk = card.ac.expose_secret().to_vec();
        prop_assert_eq!(
            &mk_profile.arpc(&card, &tx, arqc, ArpcInput::ResponseCode(arc)).unwrap()[..],
            &enc(&aes_cipher(&mk, "ecb"), &mk, &block)[..8]
        );
        let m2 = AesEmv::new(AcDataTail::FullIad, ArpcMethod::Method2);
        let arpc2 = m2
            .arpc(&card, &tx, arqc, ArpcInput::CardStatusUpdate { csu, proprietary: &proprietary })
            .unwrap();
        let input2 = [&arqc[..], &csu, &proprietary].concat();
        prop_assert_eq!(&arpc2[..], &cmac(&sk, &input2)[..4]);

        // Secure messaging: SMI/SMC session keys with R = ARQC ‖ 00…00.
        let mut r_sm = [0u8; 16];
        r_sm[..8].copy_from_slice(&arqc);
        let sk_smi = csk_openssl(card.smi.expose_secret(), &r_sm);
        let sk_smc = csk_openssl(card.smc.expose_secret(), &r_sm);
        let mac = profile.script_mac(&card, &header, tx.atc, arqc, &script);
        let mac_input = [&header[..], &tx.atc, &arqc, &script].concat();
        prop_assert_eq!(&mac[..], &cmac(&sk_smi, &mac_input)[..8]);
        let c = profile.encrypt_script_data(&card, tx.atc, arqc, &script).unwrap();
        prop_assert_eq!(&c, &enc(&aes_cipher(&sk_smc, "cbc"), &sk_smc, &pad2(&script)));

        // PIN CHANGE: header, ISO format 2 block under AES-CBC, CMAC over the whole command.
        let cmd = profile.pin_change_command(&card, "98765", None, tx.atc, arqc).unwrap();
        let pin_block = hex::decode("2598765FFFFFFFFF").unwrap();
        let enc_pin = enc(&aes_cipher(&sk_smc, "cbc"), &sk_smc, &pad2(&pin_block));
        prop_assert_eq!(&cmd[..5], &[0x84, 0x24, 0x00, 0x02, 24][..]);
        prop_assert_eq!(&cmd[5..21], &enc_pin[..]);
        let pc_input = [&cmd[..5], &tx.atc, &arqc, &cmd[5..21]].concat();
        prop_assert_eq!(&cmd[21..], &cmac(&sk_smi, &pc_input)[..8]);
    }

    /// The SM4 script secure messaging of the PBOC/UICS profile against openssl's SM4:
    /// session keys (SM4-ECB), the SM4 MAC (the last block of SM4-CBC over the padded data),
    /// the script data (SM4-CBC) and a whole PIN CHANGE command.
    #[test]
    fn sm4_script_messaging_agrees_with_openssl(
        imk in any::<[u8; 16]>(),
        (pan, psn) in pan_strategy(),
        atc in any::<[u8; 2]>(),
        arqc in any::<[u8; 8]>(),
        header in any::<[u8; 5]>(),
        script in vec(any::<u8>(), 0..40),
    ) {
        if !openssl_available() {
            return Ok(());
        }
        let card = PbocSm4::card_keys(&Sm4IssuerKeys::single(Sm4Key::new(imk)), &pan, &psn).unwrap();
        let mut key_block = [0u8; 16];
        key_block[6..8].copy_from_slice(&atc);
        key_block[14] = !atc[0];
        key_block[15] = !atc[1];
        let sk = enc("-sm4-ecb", card.smi.expose_secret(), &key_block);
        let ours = pboc::session_key(&card.smi, atc);
        prop_assert_eq!(ours.expose_secret(), &sk[..]);

        let mac = PbocSm4::script_mac(&card, &header, atc, arqc, &script);
        let input = [&header[..], &atc, &arqc, &script].concat();
        let cbc = enc("-sm4-cbc", &sk, &pad2(&input));
        prop_assert_eq!(&mac[..], &cbc[cbc.len() - 16..cbc.len() - 8]);

        let c = PbocSm4::encrypt_script_data(&card, atc, arqc, &script).unwrap();
        prop_assert_eq!(&c, &enc("-sm4-cbc", &sk, &pad2(&script)));

        let cmd = PbocSm4::pin_change_command(&card, "1234", None, atc, arqc).unwrap();
        let pin_block = hex::decode("241234FFFFFFFFFF").unwrap();
        prop_assert_eq!(&cmd[5..21], &enc("-sm4-cbc", &sk, &pad2(&pin_block))[..]);
        let pc_input = [&cmd[..5], &atc, &arqc, &cmd[5..21]].concat();
        let cbc = enc("-sm4-cbc", &sk, &pad2(&pc_input));
        prop_assert_eq!(&cmd[21..], &cbc[cbc.len() - 16..cbc.len() - 8]);
    }
}

/// The card's side of a PIN CHANGE command: the MAC verifies over the received header and
/// data, the data deciphers to the ISO format 2 block of the new PIN.
fn card_reads_pin_change(
    cmd: &[u8],
    mac_of: impl Fn(&[u8], &[u8]) -> [u8; 8],
    decrypt: impl Fn(&[u8]) -> Result<Vec<u8>, Error>,
) -> Result<Vec<u8>, Error> {
    let (head, rest) = cmd.split_at(5);
    let (body, mac) = rest.split_at(rest.len() - 8);
    mpay_emv::crypto::mac::verify("script MAC", &mac_of(head, body), mac)?;
    decrypt(body)
}

fn aes_card(imk: &[u8], pan: &str) -> (AesEmv, AesCardKeys) {
    let profile = AesEmv::new(AcDataTail::VisaCvr, ArpcMethod::Method1SessionKey);
    let card = profile.card_keys(&aes_issuer(imk), pan, "00").unwrap();
    (profile, card)
}

fn sm4_card(imk: [u8; 16], pan: &str) -> Sm4CardKeys {
    PbocSm4::card_keys(&Sm4IssuerKeys::single(Sm4Key::new(imk)), pan, "01").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// decrypt ∘ encrypt = id for AES and SM4 script data; a wrong key never yields the
    /// plaintext.
    #[test]
    fn script_data_round_trips(
        imk in aes_key_bytes(),
        sm4_imk in any::<[u8; 16]>(),
        atc in any::<[u8; 2]>(),
        arqc in any::<[u8; 8]>(),
        data in vec(any::<u8>(), 0..70),
        garbage in vec(any::<u8>(), 0..70),
    ) {
        let (profile, card) = aes_card(&imk, "4761739001010119");
        // Arbitrary received bytes give data or an error, never a panic.
        let _ = profile.decrypt_script_data(&card, atc, arqc, &garbage);
        let _ = PbocSm4::decrypt_script_data(&sm4_card(sm4_imk, "6228480000000000017"), atc, arqc, &garbage);
        let c = profile.encrypt_script_data(&card, atc, arqc, &data).unwrap();
        prop_assert_eq!(c.len(), (data.len() / 16 + 1) * 16);
        prop_assert_eq!(&profile.decrypt_script_data(&card, atc, arqc, &c).unwrap(), &data);
        let mut other_arqc = arqc;
        other_arqc[7] ^= 1;
        prop_assert_ne!(profile.decrypt_script_data(&card, atc, other_arqc, &c).ok(), Some(data.clone()));

        let card = sm4_card(sm4_imk, "6228480000000000017");
        let c = PbocSm4::encrypt_script_data(&card, atc, arqc, &data).unwrap();
        prop_assert_eq!(&PbocSm4::decrypt_script_data(&card, atc, arqc, &c).unwrap(), &data);
        let other = sm4_card(sm4_imk, "6228480000000000025");
        prop_assert_ne!(PbocSm4::decrypt_script_data(&other, atc, arqc, &c).ok(), Some(data));
    }

    /// The ARQC and ARPC verify on the issuer's side and fail on any changed byte or with
    /// another card's keys; a PIN CHANGE command is read back by the card and fails its MAC
    /// on any changed byte.
    #[test]
    fn cryptograms_and_pin_change_round_trip(
        imk in aes_key_bytes(),
        tx in tx_strategy(),
        flip in 0usize..8,
        pin in "[0-9]{4,12}",
        cmd_flip in 0usize..29,
    ) {
        let (profile, card) = aes_card(&imk, "4761739001010119");
        let arqc = profile.arqc(&card, &tx).unwrap();
        prop_assert!(profile.verify_arqc(&card, &tx, &arqc).is_ok());
        let mut bad = arqc;
        bad[flip] ^= 0x01;
        prop_assert_eq!(
            profile.verify_arqc(&card, &tx, &bad),
            Err(Error::Verification { what: "ARQC" })
        );
        let (_, other) = aes_card(&imk, "4761739001010127");
        prop_assert!(profile.verify_arqc(&other, &tx, &arqc).is_err());
        let mut tx2 = tx.clone();
        tx2.unpredictable_number[0] ^= 0x80;
        prop_assert!(profile.verify_arqc(&card, &tx2, &arqc).is_err());
        let arpc = profile.arpc(&card, &tx, arqc, ArpcInput::ResponseCode(*b"00")).unwrap();
        prop_assert_ne!(
            arpc.clone(),
            profile.arpc(&card, &tx, arqc, ArpcInput::ResponseCode(*b"05")).unwrap()
        );
        prop_assert_ne!(arpc, profile.arpc(&other, &tx, arqc, ArpcInput::ResponseCode(*b"00")).unwrap());
        let wrong_input = ArpcInput::CardStatusUpdate { csu: [0; 4], proprietary: &[] };
        prop_assert!(profile.arpc(&card, &tx, arqc, wrong_input).is_err());

        let atc = tx.atc;
        let cmd = profile.pin_change_command(&card, &pin, None, atc, arqc).unwrap();
        prop_assert_eq!(cmd.len(), 29);
        let read = |cmd: &[u8]| card_reads_pin_change(
            cmd,
            |h, b| profile.script_mac(&card, h, atc, arqc, b),
            |b| profile.decrypt_script_data(&card, atc, arqc, b),
        );
        prop_assert_eq!(read(&cmd).unwrap(), sm::iso2_pin_block(&pin).unwrap().to_vec());
        let mut bad_cmd = cmd.clone();
        bad_cmd[cmd_flip] ^= 0x10;
        prop_assert!(read(&bad_cmd).is_err());
        prop_assert!(profile.pin_change_command(&card, &pin, Some("0000"), atc, arqc).is_err());

        let sm4 = sm4_card(imk[..16].try_into().unwrap(), "6228480000000000017");
        let cmd = PbocSm4::pin_change_command(&sm4, &pin, None, atc, arqc).unwrap();
        let read = |cmd: &[u8]| card_reads_pin_change(
            cmd,
            |h, b| PbocSm4::script_mac(&sm4, h, atc, arqc, b),
            |b| PbocSm4::decrypt_script_data(&sm4, atc, arqc, b),
        );
        prop_assert_eq!(read(&cmd).unwrap(), sm::iso2_pin_block(&pin).unwrap().to_vec());
        let mut bad_cmd = cmd;
        bad_cmd[cmd_flip] ^= 0x10;
        prop_assert!(read(&bad_cmd).is_err());
    }
}

#[test]
fn key_lengths_and_derivation_shapes() {
    // Option C for AES-128 is one AES block; AES-192 keeps half of the second block.
    for n in [16, 24, 32] {
        let imk = AesKey::from_slice(&vec![0x42; n]).unwrap();
        let mk = kd::icc_master_key_c(&imk, "1234567890123456789", "01").unwrap();
        assert_eq!(mk.len(), n);
        let sk = kd::common_session_key_aes(&mk, kd::r_emv_aes([0, 1]));
        assert_eq!(sk.len(), n);
        assert_ne!(sk, kd::common_session_key_aes(&mk, kd::r_emv_aes([0, 2])));
    }
    let imk = AesKey::from_slice(&[0x42; 16]).unwrap();
    assert!(matches!(
        kd::icc_master_key_c(&imk, "12345678901234567890", "01"),
        Err(Error::Digits { .. })
    ));
    assert!(matches!(
        kd::icc_master_key_c(&imk, "1234", "0A"),
        Err(Error::Character { position: 1, .. })
    ));
    // Enciphered data must be whole 16-byte blocks with 80 padding.
    let k = Sm4Key::new([1; 16]);
    assert!(sm::decrypt_command_data_16(&k, &[0; 15]).is_err());
    assert!(sm::decrypt_command_data_16(&k, &[]).is_err());
    let zero_block = sm::encrypt_command_data_16(&k, &[0; 15]);
    let mut forged = zero_block.clone();
    forged.truncate(16);
    // The 15 zero bytes plus 80 decrypt back; a block of all zeros has no 80 and is refused.
    assert_eq!(sm::decrypt_command_data_16(&k, &forged).unwrap(), [0; 15]);
    let mut all_zero = [0u8; 16];
    k.encrypt_block(&mut all_zero);
    assert!(matches!(
        sm::decrypt_command_data_16(&k, &all_zero),
        Err(Error::Malformed { .. })
    ));
}

/// Field 55 of an authorisation request carrying `tx` and its cryptogram.
fn field55(tx: &TransactionData, arqc: [u8; 8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut put = |tag: &[u8], value: &[u8]| {
        out.extend_from_slice(tag);
        out.push(value.len() as u8);
        out.extend_from_slice(value);
    };
    put(&[0x9F, 0x02], &tx.amount_authorised);
    put(&[0x9F, 0x03], &tx.amount_other);
    put(&[0x9F, 0x1A], &tx.terminal_country);
    put(&[0x95], &tx.tvr);
    put(&[0x5F, 0x2A], &tx.currency);
    put(&[0x9A], &tx.date);
    put(&[0x9C], &[tx.transaction_type]);
    put(&[0x9F, 0x37], &tx.unpredictable_number);
    put(&[0x82], &tx.aip);
    put(&[0x9F, 0x36], &tx.atc);
    put(&[0x9F, 0x10], &tx.iad);
    put(&[0x9F, 0x26], &arqc);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// The issuer's side of an AES card: the ARQC in field 55 verifies and tag 91 carries the
    /// profile's ARPC; a changed cryptogram or amount is refused.
    #[test]
    fn issuer_authorises_aes_cards(imk in aes_key_bytes(), tx in tx_strategy(), method2 in any::<bool>()) {
        let method = if method2 { ArpcMethod::Method2 } else { ArpcMethod::Method1SessionKey };
        let profile = AesEmv::new(AcDataTail::FullIad, method);
        let issuer = aes_issuer(&imk);
        let card = profile.card_keys(&issuer, "4761739001010119", "01").unwrap();
        let arqc = profile.arqc(&card, &tx).unwrap();
        let f55 = field55(&tx, arqc);
        let auth = mpay_emv::issuer::authorise_aes(&issuer, profile, "4761739001010119", "01", &f55, *b"00").unwrap();
        let (input, tail) = if method2 {
            (ArpcInput::CardStatusUpdate { csu: [0, 0x80, 0, 0], proprietary: &[] }, vec![0, 0x80, 0, 0])
        } else {
            (ArpcInput::ResponseCode(*b"00"), b"00".to_vec())
        };
        let expected = [profile.arpc(&card, &tx, arqc, input).unwrap(), tail].concat();
        prop_assert_eq!(&auth.issuer_authentication_data, &expected);
        prop_assert_eq!(auth.atc, u16::from_be_bytes(tx.atc));
        let mut bad = arqc;
        bad[3] ^= 0x40;
        prop_assert_eq!(
            mpay_emv::issuer::authorise_aes(&issuer, profile, "4761739001010119", "01", &field55(&tx, bad), *b"00"),
            Err(Error::Verification { what: "ARQC" })
        );
        let mut tx2 = tx.clone();
        tx2.amount_authorised[5] ^= 1;
        prop_assert!(mpay_emv::issuer::authorise_aes(&issuer, profile, "4761739001010119", "01", &field55(&tx2, arqc), *b"00").is_err());
    }
}
