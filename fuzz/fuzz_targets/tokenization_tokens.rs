//! Untrusted token and PAN text: PAN parsing, FF1 PAN-token detokenization under every Luhn mode,
//! FF1 numeral strings of any radix <= 36, lookup-table detokenization. No input may panic;
//! whatever tokenizes must detokenize back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mpay_tokenization::ff1::{CipherKind, DynFf1};
use mpay_tokenization::lookup::LookupTokenizer;
use mpay_tokenization::pan::{FpeTokenizerAes128, LuhnMode, Pan, PanPolicy, TweakContext};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let ctx = TweakContext::new().with("merchant", "fuzz");
    let mode = [LuhnMode::Valid, LuhnMode::Invalid, LuhnMode::Any][usize::from(sel % 3)];
    let keep_bin = if sel & 4 == 0 { 6 } else { 8 };
    let t = FpeTokenizerAes128::new(
        &[7; 16],
        PanPolicy {
            keep_bin,
            keep_last: 4,
            luhn: mode,
        },
    )
    .unwrap();
    let _ = t.detokenize(text, &ctx);
    if let Ok(pan) = Pan::parse(text) {
        if let Ok(tok) = t.tokenize(&pan, &ctx) {
            assert_eq!(t.detokenize(&tok, &ctx).unwrap(), pan);
        }
    }
    let radix = 2 + u32::from(sel % 35);
    let f = DynFf1::new(CipherKind::Aes, &[9; 16], radix).unwrap();
    if let Ok(c) = f.encrypt_str(b"tw", text) {
        assert_eq!(f.decrypt_str(b"tw", &c).unwrap(), text.to_ascii_lowercase());
    }
    let l = LookupTokenizer::from_key(&[3; 32], 1 + usize::from(sel % 4), 2).unwrap();
    let _ = l.detokenize(text);
    if let Ok(tok) = l.tokenize(text) {
        assert_eq!(l.detokenize(&tok).unwrap(), text);
    }
});
