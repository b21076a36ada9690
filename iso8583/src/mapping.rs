//! Struct mapping: [`Iso8583`] (derived with `#[derive(Iso8583)]`, feature `derive`) and the
//! [`FieldValue`] conversions it uses for each struct field.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::error::{Error, Result};
use crate::message::Message;
use crate::mti::Mti;
use crate::spec::Spec;
use crate::sub::Value;

/// A type stored at a field number or path of a message.
pub trait FieldValue: Sized {
    /// Writes the value at `path` (a field number such as `"11"`, or `"60.1"`, `"55.9F26"`).
    fn put(&self, m: &mut Message<'_>, path: &str) -> Result<()>;
    /// Reads the value at `path`; absent is an error unless the type is an `Option`.
    fn get(m: &Message<'_>, path: &str) -> Result<Self>;
}

fn absent(path: &str) -> Error {
    Error::BadPath {
        path: path.to_string(),
        reason: "required field absent",
    }
}

fn wrong_kind(path: &str) -> Error {
    Error::BadPath {
        path: path.to_string(),
        reason: "the value has another kind (text, bytes or subfields)",
    }
}

impl FieldValue for String {
    fn put(&self, m: &mut Message<'_>, path: &str) -> Result<()> {
        m.set_path(path, self.as_str())
    }
    fn get(m: &Message<'_>, path: &str) -> Result<Self> {
        match m.get_path(path)? {
            Some(Value::Text(s)) => Ok(s),
            Some(_) => Err(wrong_kind(path)),
            None => Err(absent(path)),
        }
    }
}

impl FieldValue for Vec<u8> {
    fn put(&self, m: &mut Message<'_>, path: &str) -> Result<()> {
        m.set_path(path, self.as_slice())
    }
    fn get(m: &Message<'_>, path: &str) -> Result<Self> {
        match m.get_path(path)? {
            Some(Value::Bytes(b)) => Ok(b),
            Some(_) => Err(wrong_kind(path)),
            None => Err(absent(path)),
        }
    }
}

macro_rules! numeric {
    ($($t:ty),*) => {$(
        impl FieldValue for $t {
            fn put(&self, m: &mut Message<'_>, path: &str) -> Result<()> {
                match path.parse::<u16>() {
                    // A whole field: zero-padded to its fixed length.
                    Ok(n) => m.set_u64(n, u64::from(*self)),
                    Err(_) => m.set_path(path, self.to_string()),
                }
            }
            fn get(m: &Message<'_>, path: &str) -> Result<Self> {
                let s = String::get(m, path)?;
                s.parse().map_err(|_| Error::BadPath {
                    path: path.to_string(),
                    reason: "not a number that fits the struct field",
                })
            }
        }
    )*};
}
numeric!(u64, u32, u16);

impl<T: FieldValue> FieldValue for Option<T> {
    fn put(&self, m: &mut Message<'_>, path: &str) -> Result<()> {
        match self {
            Some(v) => v.put(m, path),
            None => Ok(()),
        }
    }
    fn get(m: &Message<'_>, path: &str) -> Result<Self> {
        if m.get_path(path)?.is_none() {
            return Ok(None);
        }
        T::get(m, path).map(Some)
    }
}

/// A struct mapped to a message (derive it with `#[derive(Iso8583)]`).
///
/// ```
/// # #[cfg(feature = "derive")] {
/// use mpay_iso8583::{Iso8583, specs::CUP_POS};
///
/// #[derive(Iso8583, Debug, PartialEq)]
/// struct Purchase {
///     #[iso8583(2)]
///     pan: String,
///     #[iso8583(4)]
///     amount: u64,
///     #[iso8583(11)]
///     stan: u32,
///     #[iso8583("60.1")]
///     kind: String,
///     #[iso8583("55.9F26")]
///     arqc: Vec<u8>,
///     #[iso8583(39)]
///     response: Option<String>,
/// }
///
/// let p = Purchase { pan: "6212345678901234567".into(), amount: 100, stan: 17,
///                    kind: "22".into(), arqc: vec![0x11; 8], response: None };
/// let m = p.to_message(&CUP_POS, "0200".parse().unwrap()).unwrap();
/// assert_eq!(m.text(4), Some("000000000100"));
/// assert_eq!(Purchase::read_from(&m).unwrap(), p);
/// # }
/// ```
pub trait Iso8583: Sized {
    /// Writes the struct's fields into `m`.
    fn write_to(&self, m: &mut Message<'_>) -> Result<()>;
    /// Reads the struct from `m`.
    fn read_from(m: &Message<'_>) -> Result<Self>;
    /// A new message of `spec` with this MTI and the struct's fields.
    fn to_message<'s>(&self, spec: &'s Spec, mti: Mti) -> Result<Message<'s>> {
        let mut m = Message::new(spec, mti);
        self.write_to(&mut m)?;
        Ok(m)
    }
}
