//! A standard's data-element table, written once, and the dialects (encoding maps) that turn it
//! into a spec: which wire encoding each content class gets, and how length prefixes are
//! written. `build` runs at compile time, so the shipped specs stay plain constants.

use alloc::borrow::Cow;

use crate::field::{Class, Encoding, FieldSpec, LenEncoding, Mask, Pad, Prefix, Subfields, Unit};

/// Fixed length.
pub(crate) const FIX: u8 = 0;
/// LLVAR.
pub(crate) const LL: u8 = 2;
/// LLLVAR.
pub(crate) const LLL: u8 = 3;
/// LLLLVAR.
pub(crate) const LLLL: u8 = 4;

/// One data element of a standard: number, name, content class, (maximum) length in units and
/// length-prefix digits, independent of how a dialect writes it.
pub(crate) struct De {
    n: u16,
    name: &'static str,
    class: Class,
    len: u32,
    var: u8,
    mask: Mask,
    sub: Option<&'static Subfields>,
    as_text: bool,
}

/// A data element with no mask and no subfields.
pub(crate) const fn de(n: u16, name: &'static str, class: Class, len: u32, var: u8) -> De {
    De {
        n,
        name,
        class,
        len,
        var,
        mask: Mask::None,
        sub: None,
        as_text: false,
    }
}

impl De {
    /// Masked in `describe`.
    pub(crate) const fn mask(mut self, mask: Mask) -> De {
        self.mask = mask;
        self
    }

    /// With subfields.
    pub(crate) const fn sub(mut self, sub: &'static Subfields) -> De {
        self.sub = Some(sub);
        self
    }

    /// Written in the dialect's text encoding whatever its class (jPOS `iso87binary` packs
    /// track 3, field 36, as LLLCHAR).
    pub(crate) const fn text(mut self) -> De {
        self.as_text = true;
        self
    }
}

/// How a dialect writes a table.
pub(crate) struct Dialect {
    /// Fixed-length numerics (`n`, `x+n`, `z`).
    pub fixed_numeric: Encoding,
    /// Variable-length numerics and tracks (`n`, `z`).
    pub var_numeric: Encoding,
    /// Text classes (`a`, `an`, `ans`, `ns`).
    pub text: Encoding,
    /// Binary (`b`). With `HexAscii`, a variable field's prefix counts hex characters and its
    /// maximum is what the prefix can carry.
    pub binary: Encoding,
    /// Length prefixes.
    pub prefix: LenEncoding,
}

/// ASCII numerics, text and prefixes; binary as hex characters (jPOS `iso87ascii`, pyiso8583
/// `default_ascii`).
pub(crate) const ASCII: Dialect = Dialect {
    fixed_numeric: Encoding::Ascii,
    var_numeric: Encoding::Ascii,
    text: Encoding::Ascii,
    binary: Encoding::HexAscii,
    prefix: LenEncoding::Ascii,
};

/// BCD numerics (fixed right-aligned, variable left-aligned), ASCII text, raw binary, BCD
/// prefixes (jPOS `iso87binary`).
pub(crate) const BINARY: Dialect = Dialect {
    fixed_numeric: Encoding::BcdRight,
    var_numeric: Encoding::BcdLeft,
    text: Encoding::Ascii,
    binary: Encoding::Binary,
    prefix: LenEncoding::Bcd,
};

const PLACEHOLDER: FieldSpec = FieldSpec::new(0, "", Class::B, Encoding::Binary, 1, Prefix::FIXED);

/// The field definitions of `table` written the `d` way.
pub(crate) const fn build<const N: usize>(table: &[De; N], d: &Dialect) -> [FieldSpec; N] {
    let mut out = [PLACEHOLDER; N];
    let mut i = 0;
    while i < N {
        let f = &table[i];
        let numeric = matches!(f.class, Class::N | Class::Z | Class::Xn);
        let encoding = if f.as_text {
            d.text
        } else if matches!(f.class, Class::B) {
            d.binary
        } else if numeric && f.var == FIX {
            d.fixed_numeric
        } else if numeric {
            d.var_numeric
        } else {
            d.text
        };
        let mut len = f.len;
        let prefix = if f.var == FIX {
            Prefix::FIXED
        } else {
            let p = Prefix {
                digits: f.var,
                encoding: d.prefix,
                unit: Unit::Units,
            };
            if matches!(encoding, Encoding::HexAscii) {
                let mut max = 1u32;
                let mut k = 0;
                while k < f.var {
                    max *= 10;
                    k += 1;
                }
                let max = (max - 1) / 2;
                if len > max {
                    len = max;
                }
                p.counting_bytes()
            } else {
                p
            }
        };
        let pad = if f.var != FIX {
            Pad::None
        } else {
            match f.class {
                Class::N => Pad::Left('0'),
                Class::A | Class::An | Class::Ans | Class::Ns => Pad::Right(' '),
                Class::B | Class::Z | Class::Xn => Pad::None,
            }
        };
        let spec = FieldSpec {
            number: f.n,
            name: Cow::Borrowed(f.name),
            class: f.class,
            encoding,
            length: len,
            prefix,
            pad,
            pad_nibble: 0,
            mask: f.mask,
            sub: match f.sub {
                Some(s) => Some(Cow::Borrowed(s)),
                None => None,
            },
        };
        core::mem::forget(core::mem::replace(&mut out[i], spec));
        i += 1;
    }
    out
}
