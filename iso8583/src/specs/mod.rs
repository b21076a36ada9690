//! The shipped specs, written as Rust constants in the same schema that JSON/TOML spec files
//! use: ISO 8583:1987 ASCII and binary/BCD, ISO 8583:1993 ASCII, ISO 8583:2003 binary, and the
//! China UnionPay POS spec.

mod cup;
mod iso2003;
mod iso87;
mod iso93;
mod table;

pub use cup::CUP_POS;
pub use iso87::{ISO87_ASCII, ISO87_BINARY};
pub use iso93::ISO93_ASCII;
pub use iso2003::ISO2003_BINARY;

use crate::spec::Spec;

/// One field definition in one line (shipped specs only).
macro_rules! f {
    ($n:expr, $name:expr, $class:ident, $enc:ident, $len:expr, $prefix:expr, $pad:expr, $nib:expr, $mask:ident, $sub:expr) => {
        FieldSpec {
            number: $n,
            name: Cow::Borrowed($name),
            class: Class::$class,
            encoding: Encoding::$enc,
            length: $len,
            prefix: $prefix,
            pad: $pad,
            pad_nibble: $nib,
            mask: Mask::$mask,
            sub: $sub,
        }
    };
}
pub(crate) use f;

/// Every shipped spec.
pub const ALL: &[&Spec] = &[
    &ISO87_ASCII,
    &ISO87_BINARY,
    &ISO93_ASCII,
    &ISO2003_BINARY,
    &CUP_POS,
];

/// A shipped spec by name (`iso87ascii`, `iso87binary`, `iso93ascii`, `iso2003binary`, `cup-pos`).
///
/// ```
/// assert_eq!(mpay_iso8583::specs::by_name("cup-pos").unwrap().header_len, 11);
/// ```
pub fn by_name(name: &str) -> Option<&'static Spec> {
    ALL.iter().copied().find(|s| s.name == name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn shipped_specs_validate() {
        for s in super::ALL {
            s.validate().unwrap();
        }
    }
}
