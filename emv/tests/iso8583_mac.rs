//! `emv`'s MACs plugged into `mpay-iso8583`'s MAC hook (feature `iso8583`).
#![cfg(feature = "iso8583")]

use mpay_emv::crypto::keys::AesKey;
use mpay_emv::crypto::keys::TdesKey;
use mpay_emv::crypto::posmac::{CmacMac, MacKey, UnionPayPosMac, X919Mac};
use mpay_iso8583::{Message, MessageView, specs::CUP_POS};

#[test]
fn unionpay_and_x919_macs_protect_a_message() {
    let mut m = Message::new(&CUP_POS, "0200".parse().unwrap());
    m.set(3, "000000").unwrap();
    m.set(4, "000000001234").unwrap();
    m.set(11, "000123").unwrap();
    m.set(41, "12345678").unwrap();
    let up = UnionPayPosMac(MacKey::single([
        0xC2, 0x4A, 0x8F, 0xB5, 0x7A, 0xA2, 0x01, 0x23,
    ]));
    let x919 = X919Mac {
        key: TdesKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap(),
        len: 8,
    };
    let cmac = CmacMac {
        key: AesKey::from_slice(&[0x2B; 16]).unwrap(),
        len: 8,
    };
    for mac in [&up as &dyn mpay_iso8583::mac::Mac, &x919, &cmac] {
        let mut buf = Vec::new();
        m.pack_with_mac(mac, &mut buf).unwrap();
        let v = MessageView::unpack(&CUP_POS, &buf).unwrap();
        assert!(v.verify_mac(mac).is_ok());
        // Any change to the MAB is caught.
        let mut bad = buf.clone();
        let i = bad.len() - 12;
        bad[i] ^= 0x01;
        if let Ok(v) = MessageView::unpack(&CUP_POS, &bad) {
            assert!(v.verify_mac(mac).is_err());
        }
    }
}
