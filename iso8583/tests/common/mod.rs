//! Random messages for round-trip and differential tests.
#![allow(dead_code)]

use mpay_iso8583::field::{Class, Encoding, FieldSpec};
use mpay_iso8583::{Message, Spec, Value};

/// xorshift64*: deterministic, no dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0 | 1;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Whether pyiso8583 can express the field (it has no x+n BCD amounts and uses 65 as its
/// tertiary bitmap indicator).
pub fn pyiso_can(fs: &FieldSpec) -> bool {
    fs.number != 65
        && !(fs.class == Class::Xn && matches!(fs.encoding, Encoding::BcdLeft | Encoding::BcdRight))
}

/// A random value fitting `fs` (text or bytes; never subfields).
pub fn random_value(fs: &FieldSpec, rng: &mut Rng) -> Value {
    let max = (fs.length as usize).min(48);
    let units = if fs.is_variable() {
        rng.below(max + 1)
    } else {
        fs.length as usize
    };
    const AN: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ";
    const ANS: &[u8] = b"ABCXYZabcxyz0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    const NS: &[u8] = b"0123456789 !#$%&()*+,-./:;<=>?@";
    match fs.class {
        Class::B => Value::Bytes((0..units).map(|_| rng.next() as u8).collect()),
        c => {
            let s: String = (0..units)
                .map(|i| {
                    let set: &[u8] = match c {
                        Class::N => b"0123456789",
                        Class::A => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ abcxyz",
                        Class::An => AN,
                        Class::Ans => ANS,
                        Class::Ns => NS,
                        Class::Z => b"0123456789=",
                        Class::Xn if i == 0 => b"CD",
                        _ => b"0123456789",
                    };
                    set[rng.below(set.len())] as char
                })
                .collect();
            Value::Text(s)
        }
    }
}

/// A random message: MTI, header and a random subset of the fields `keep` accepts.
pub fn random_message<'s>(
    spec: &'s Spec,
    rng: &mut Rng,
    keep: impl Fn(&FieldSpec) -> bool,
) -> Message<'s> {
    let mti = [
        "0100", "0110", "0200", "0210", "0400", "0420", "0800", "0810",
    ][rng.below(8)];
    let mut m = Message::new(spec, mti.parse().unwrap());
    m.header = (0..spec.header_len).map(|_| rng.next() as u8).collect();
    let pick = 1 + rng.below(24);
    for _ in 0..pick {
        let fs = &spec.fields[rng.below(spec.fields.len())];
        if !keep(fs) {
            continue;
        }
        let v = random_value(fs, rng);
        m.set(fs.number, v).unwrap();
    }
    m
}

/// A spec exercising EBCDIC (037 text, EBCDIC prefixes, EBCDIC MTI, EBCDIC hex bitmaps) and a
/// tertiary bitmap (fields 129–192).
pub fn ebcdic_tertiary_spec() -> &'static Spec {
    use mpay_iso8583::bitmap::BitmapEncoding;
    use mpay_iso8583::field::Prefix;
    use mpay_iso8583::mti::MtiEncoding;
    use std::borrow::Cow;
    use std::sync::OnceLock;
    static S: OnceLock<Spec> = OnceLock::new();
    S.get_or_init(|| {
        let mut fields = vec![
            FieldSpec::new(
                2,
                "PAN",
                Class::N,
                Encoding::Ebcdic037,
                19,
                Prefix::ebcdic(2),
            ),
            FieldSpec::new(
                3,
                "Processing code",
                Class::N,
                Encoding::Ebcdic037,
                6,
                Prefix::FIXED,
            ),
            FieldSpec::new(11, "STAN", Class::N, Encoding::BcdRight, 6, Prefix::FIXED),
            FieldSpec::new(
                35,
                "Track 2",
                Class::Z,
                Encoding::BcdRight,
                37,
                Prefix::bcd(2),
            ),
            FieldSpec::new(
                43,
                "Name",
                Class::Ans,
                Encoding::Ebcdic037,
                40,
                Prefix::ebcdic(2),
            ),
            FieldSpec::new(
                48,
                "Private",
                Class::Ans,
                Encoding::Ebcdic037,
                999,
                Prefix::ebcdic(3),
            ),
            FieldSpec::new(52, "PIN", Class::B, Encoding::Binary, 8, Prefix::FIXED),
            FieldSpec::new(
                70,
                "Network code",
                Class::N,
                Encoding::Ebcdic037,
                3,
                Prefix::FIXED,
            ),
            FieldSpec::new(
                100,
                "Receiving institution",
                Class::N,
                Encoding::BcdLeft,
                11,
                Prefix::bcd(2),
            ),
            FieldSpec::new(
                104,
                "Data",
                Class::B,
                Encoding::Binary,
                999,
                Prefix::binary(3),
            ),
            FieldSpec::new(
                130,
                "Tertiary text",
                Class::Ans,
                Encoding::Ebcdic037,
                20,
                Prefix::ebcdic(2),
            ),
            FieldSpec::new(
                192,
                "Tertiary MAC",
                Class::B,
                Encoding::Binary,
                8,
                Prefix::FIXED,
            ),
        ];
        fields[3].pad_nibble = 0xF;
        Spec {
            name: Cow::Borrowed("test-ebcdic-tertiary"),
            header_len: 0,
            mti: MtiEncoding::Ebcdic,
            bitmap: BitmapEncoding::HexEbcdic,
            tertiary: true,
            mac: None,
            fields: Cow::Owned(fields),
        }
    })
}
