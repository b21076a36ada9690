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
