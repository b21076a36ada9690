//! The issuer's side on arbitrary input: an authorisation request's field 55 (read by
//! `TransactionData::from_tlv`, checked under a 3DES CVN, the PBOC SM4 and the AES profile) and
//! received issuer-script data (deciphered in every secure-messaging form) must give Ok or a
//! typed error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mpay_emv::crypto::cvn::{AcDataTail, ArpcMethod, Cvn, IssuerKeys, TransactionData};
use mpay_emv::crypto::emv_aes::{AesEmv, AesIssuerKeys};
use mpay_emv::crypto::keys::{AesKey, Sm4Key, TdesKey};
use mpay_emv::crypto::pboc::{PbocSm4, Sm4IssuerKeys};
use mpay_emv::crypto::sm::{self, Encryption};
use mpay_emv::issuer;

fuzz_target!(|data: &[u8]| {
    let pan = "4761739001010119";
    let tdes = TdesKey::new([0x4A; 16]);
    let sm4 = Sm4Key::new([0x5B; 16]);
    let aes = AesKey::from_slice(&[0x6C; 32]).expect("32 bytes");
    let _ = TransactionData::from_tlv(data);
    let _ = issuer::authorise(
        &IssuerKeys::single(tdes.clone()),
        Cvn::Mastercard17,
        pan,
        "01",
        data,
        *b"00",
    );
    let _ = issuer::authorise_sm4(&Sm4IssuerKeys::single(sm4.clone()), pan, "01", data, *b"00");
    let profile = AesEmv::new(AcDataTail::MastercardCvrAndCounters, ArpcMethod::Method2);
    let _ = issuer::authorise_aes(
        &AesIssuerKeys::single(aes.clone()),
        profile,
        pan,
        "01",
        data,
        *b"05",
    );

    for method in [Encryption::Visa, Encryption::Mastercard, Encryption::Emv] {
        let _ = sm::decrypt_command_data(&tdes, data, method);
    }
    let _ = sm::decrypt_command_data_16(&aes, data);
    if let Ok(card) = PbocSm4::card_keys(&Sm4IssuerKeys::single(sm4), pan, "01") {
        let _ = PbocSm4::decrypt_script_data(&card, [0, 1], [0; 8], data);
    }
});
