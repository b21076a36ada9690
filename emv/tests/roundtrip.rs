//! Property tests: PIN blocks and script encryption round-trip; MACs reject any change.

use mpay_emv::crypto::keys::{AesKey, TdesKey};
use mpay_emv::crypto::mac::{self, Padding};
use mpay_emv::crypto::{pin, sm};
use proptest::prelude::*;

proptest! {
    #[test]
    fn pin_blocks_round_trip(p in "[0-9]{4,12}", pan in "[0-9]{13,19}", fill in any::<[u8; 14]>(), r in any::<[u8; 8]>(), k in any::<[u8; 32]>()) {
        let b0 = pin::format0(&p, &pan).unwrap();
        prop_assert_eq!(pin::decode_clear(&b0, Some(&pan)).unwrap().expose_secret(), p.clone());
        let b1 = pin::format1(&p, &fill).unwrap();
        prop_assert_eq!(pin::decode_clear(&b1, None).unwrap().expose_secret(), p.clone());
        let b3 = pin::format3(&p, &pan, &fill).unwrap();
        prop_assert_eq!(pin::decode_clear(&b3, Some(&pan)).unwrap().expose_secret(), p.clone());
        let key = AesKey::from_slice(&k).unwrap();
        let b4 = pin::format4_encipher(&key, &p, &pan, &r).unwrap();
        prop_assert_eq!(pin::format4_decipher(&key, &b4, &pan).unwrap().expose_secret(), p);
    }

    #[test]
    fn decode_never_panics(block in any::<[u8; 8]>(), b16 in any::<[u8; 16]>(), pan in "[0-9]{0,20}") {
        let _ = pin::decode_clear(&block, Some(&pan));
        let _ = pin::decode_clear(&block, None);
        let _ = pin::format4_decipher(&AesKey::from_slice(&[1; 16]).unwrap(), &b16, &pan);
    }

    #[test]
    fn script_data_round_trips(data in prop::collection::vec(any::<u8>(), 0..64), k in any::<[u8; 16]>()) {
        let key = TdesKey::new(k);
        for m in [sm::Encryption::Visa, sm::Encryption::Emv] {
            let c = sm::encrypt_command_data(&key, &data, m).unwrap();
            prop_assert_eq!(sm::decrypt_command_data(&key, &c, m).unwrap(), data.clone());
        }
    }

    #[test]
    fn mac_detects_any_flip(data in prop::collection::vec(any::<u8>(), 1..64), k in any::<[u8; 16]>(), i in any::<prop::sample::Index>(), bit in 0u8..8) {
        let key = TdesKey::new(k);
        let m = mac::retail_mac(&key, &data, Padding::Method2);
        let mut changed = data.clone();
        changed[i.index(data.len())] ^= 1 << bit;
        prop_assert!(mac::verify("MAC", &mac::retail_mac(&key, &changed, Padding::Method2), &m).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    /// SM2 certificates and signed data: what is signed verifies back to the same fields, and
    /// the parsers never panic on a changed byte.
    #[test]
    fn sm2_oda_objects_round_trip(
        seeds in any::<[u8; 3]>(),
        pan in "[1-9][0-9]{12,18}",
        sd in prop::collection::vec(any::<u8>(), 0..120),
        serial in any::<[u8; 3]>(),
        idd in prop::collection::vec(any::<u8>(), 0..40),
        flip in any::<prop::sample::Index>(),
    ) {
        use mpay_emv::oda::sm2;
        use mpay_gmt::sm2::PrivateKey;
        let key = |s: u8| PrivateKey::from_bytes(&[(s & 0x7F) | 1; 32]).unwrap();
        let (ca, iss, icc) = (key(seeds[0]), key(seeds[1]), key(seeds[2]));
        let mut iid = [0xFF; 4];
        iid[..3].copy_from_slice(&hex::decode(&pan[..6]).unwrap());
        let today = [0x26, 0x11];
        let c90 = sm2::sign_issuer_certificate(&ca, &iss.public_key(), iid, [0x12, 0x30], serial).unwrap();
        let ik = sm2::verify_issuer_certificate(&ca.public_key(), &c90, &pan, today).unwrap();
        prop_assert_eq!((ik.key, ik.issuer_id, ik.expiry, ik.serial), (iss.public_key(), iid, [0x12, 0x30], serial));
        let c46 = sm2::sign_icc_certificate(&iss, &icc.public_key(), &pan, [0x12, 0x30], serial, &sd).unwrap();
        let ck = sm2::verify_icc_certificate(&iss.public_key(), &c46, &sd, &pan, today).unwrap();
        prop_assert_eq!((ck.key, ck.serial), (icc.public_key(), serial));
        let sdad = sm2::sign_dda(&icc, &idd, &sd).unwrap();
        prop_assert_eq!(sm2::verify_dda(&icc.public_key(), &sdad, &sd).unwrap(), idd);
        let mut bad = c46.clone();
        let i = flip.index(bad.len());
        bad[i] ^= 0x40;
        prop_assert!(sm2::verify_icc_certificate(&iss.public_key(), &bad, &sd, &pan, today).is_err());
    }
}
