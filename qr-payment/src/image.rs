//! Payment codes as images: QR codes (the `qrcode` crate) and Code 128 barcodes (the `barcoders`
//! crate, set C for digit pairs), rendered to PNG or SVG; QR decoding of images with `rqrr`.
//!
//! ```
//! use mpay_qr_payment::image::{EcLevel, Render, decode_qr_png, qr};
//!
//! let code = qr("120061098828009406", EcLevel::M)?;
//! assert_eq!(code.width(), 21); // version 1: 18 digits fit numeric mode
//! let png = code.to_png(&Render::default())?;
//! assert_eq!(decode_qr_png(&png)?, ["120061098828009406"]);
//! # Ok::<(), mpay_qr_payment::Error>(())
//! ```

use crate::Error;
use std::fmt::Write as _;
use std::io::Cursor;

/// QR error-correction level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EcLevel {
    /// About 7% of codewords recoverable.
    L,
    /// About 15%.
    M,
    /// About 25%.
    Q,
    /// About 30%.
    H,
}

impl EcLevel {
    /// All four levels, lowest first.
    pub const ALL: [EcLevel; 4] = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H];

    fn to_qrcode(self) -> qrcode::EcLevel {
        match self {
            EcLevel::L => qrcode::EcLevel::L,
            EcLevel::M => qrcode::EcLevel::M,
            EcLevel::Q => qrcode::EcLevel::Q,
            EcLevel::H => qrcode::EcLevel::H,
        }
    }
}

/// A grid of dark and light modules: a QR symbol (square) or a linear barcode (one row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Modules {
    width: usize,
    height: usize,
    dark: Vec<bool>,
    linear: bool,
}

/// How to draw modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Render {
    /// Pixels (PNG) or user units (SVG) per module.
    pub module_px: u32,
    /// Light margin, in modules, on every side (QR needs 4, Code 128 needs 10).
    pub quiet_zone: u32,
    /// Height of a linear barcode, in modules (ignored for QR).
    pub bar_height: u32,
}

impl Default for Render {
    /// 4 px per module, quiet zone 4 (QR) — for barcodes [`Render::barcode`].
    fn default() -> Self {
        Render {
            module_px: 4,
            quiet_zone: 4,
            bar_height: 60,
        }
    }
}

impl Render {
    /// Defaults for Code 128: 2 px per module, quiet zone 10, 60 modules tall.
    pub fn barcode() -> Self {
        Render {
            module_px: 2,
            quiet_zone: 10,
            bar_height: 60,
        }
    }
}

/// A QR code for `text` at error-correction level `ec`, in the smallest version that holds it.
/// Segments are chosen by the encoder, so digit strings use numeric mode.
pub fn qr(text: &str, ec: EcLevel) -> Result<Modules, Error> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), ec.to_qrcode())
        .map_err(|e| Error::QrEncode {
            what: e.to_string(),
        })?;
    Ok(from_qrcode(&code))
}

/// A QR code of a fixed `version` (1–40).
pub fn qr_with_version(text: &str, version: u8, ec: EcLevel) -> Result<Modules, Error> {
    if !(1..=40).contains(&version) {
        return Err(Error::QrEncode {
            what: format!("version {version} is not 1-40"),
        });
    }
    let code = qrcode::QrCode::with_version(
        text.as_bytes(),
        qrcode::Version::Normal(i16::from(version)),
        ec.to_qrcode(),
    )
    .map_err(|e| Error::QrEncode {
        what: format!("version {version}: {e}"),
    })?;
    Ok(from_qrcode(&code))
}

fn from_qrcode(code: &qrcode::QrCode) -> Modules {
    let width = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Modules {
        width,
        height: width,
        dark,
        linear: false,
    }
}

/// A Code 128 barcode for a string of digits (payment codes): set C for each digit pair, and a
/// switch to set B for a final odd digit.
///
/// ```
/// let bars = mpay_qr_payment::image::code128("120061098828009406")?;
/// // start + 9 pairs + check + stop: 11 modules each, the stop 13.
/// assert_eq!(bars.width(), 11 * 11 + 13);
/// # Ok::<(), mpay_qr_payment::Error>(())
/// ```
pub fn code128(digits: &str) -> Result<Modules, Error> {
    if let Some(i) = digits.chars().position(|c| !c.is_ascii_digit()) {
        return Err(Error::Barcode {
            index: i,
            reason: "only digits are encoded (set C)",
        });
    }
    if digits.len() < 2 {
        return Err(Error::Barcode {
            index: digits.len(),
            reason: "at least two digits are needed",
        });
    }
    let even = digits.len() & !1;
    let mut data = format!("Ć{}", &digits[..even]);
    if even < digits.len() {
        data.push('Ɓ');
        data.push_str(&digits[even..]);
    }
    let code = barcoders::sym::code128::Code128::new(&data).map_err(|_| Error::Barcode {
        index: 0,
        reason: "rejected by the Code 128 encoder",
    })?;
    let dark: Vec<bool> = code.encode().into_iter().map(|b| b == 1).collect();
    Ok(Modules {
        width: dark.len(),
        height: 1,
        dark,
        linear: true,
    })
}

impl Modules {
    /// Width in modules.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in modules (1 for a linear barcode).
    pub fn height(&self) -> usize {
        self.height
    }

    /// Whether the module at column `x`, row `y` is dark (out of range: light).
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.height && self.dark[y * self.width + x]
    }

    fn rows_drawn(&self, r: &Render) -> usize {
        if self.linear {
            r.bar_height as usize
        } else {
            self.height
        }
    }

    /// 8-bit greyscale pixels (0 dark, 255 light): `(width, height, pixels)`.
    pub fn to_luma(&self, r: &Render) -> (usize, usize, Vec<u8>) {
        let px = r.module_px.max(1) as usize;
        let q = r.quiet_zone as usize;
        let rows = self.rows_drawn(r);
        let (w, h) = ((self.width + 2 * q) * px, (rows + 2 * q) * px);
        let mut img = vec![255u8; w * h];
        for my in 0..rows {
            let src_y = if self.linear { 0 } else { my };
            for mx in 0..self.width {
                if !self.dark[src_y * self.width + mx] {
                    continue;
                }
                for dy in 0..px {
                    let y = (my + q) * px + dy;
                    let start = y * w + (mx + q) * px;
                    img[start..start + px].fill(0);
                }
            }
        }
        (w, h, img)
    }

    /// A greyscale PNG.
    pub fn to_png(&self, r: &Render) -> Result<Vec<u8>, Error> {
        let (w, h, pixels) = self.to_luma(r);
        let png_err = |e: png::EncodingError| Error::Png {
            what: e.to_string(),
        };
        let mut out = Vec::new();
        let dims = (
            u32::try_from(w).map_err(|_| Error::Png {
                what: "image too wide".into(),
            })?,
            u32::try_from(h).map_err(|_| Error::Png {
                what: "image too tall".into(),
            })?,
        );
        let mut enc = png::Encoder::new(&mut out, dims.0, dims.1);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(png_err)?;
        writer.write_image_data(&pixels).map_err(png_err)?;
        writer.finish().map_err(png_err)?;
        Ok(out)
    }

    /// An SVG document: a white background and one path of dark modules.
    pub fn to_svg(&self, r: &Render) -> String {
        let px = r.module_px.max(1) as usize;
        let q = r.quiet_zone as usize;
        let rows = self.rows_drawn(r);
        let (w, h) = ((self.width + 2 * q) * px, (rows + 2 * q) * px);
        let mut s = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" \
             version=\"1.1\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
             shape-rendering=\"crispEdges\">\n<rect width=\"{w}\" height=\"{h}\" fill=\"#fff\"/>\n\
             <path fill=\"#000\" d=\""
        );
        let draw_rows = if self.linear { 1 } else { self.height };
        let bar = if self.linear { rows * px } else { px };
        for y in 0..draw_rows {
            let mut x = 0;
            while x < self.width {
                if !self.dark[y * self.width + x] {
                    x += 1;
                    continue;
                }
                let run = self.dark[y * self.width + x..(y + 1) * self.width]
                    .iter()
                    .take_while(|d| **d)
                    .count();
                let _ = write!(
                    s,
                    "M{} {}h{}v{}h-{}z",
                    (x + q) * px,
                    (y + q) * px,
                    run * px,
                    bar,
                    run * px
                );
                x += run;
            }
        }
        s.push_str("\"/>\n</svg>\n");
        s
    }
}

/// Reads a PNG (any colour type or depth) into 8-bit greyscale: `(width, height, pixels)`.
pub fn png_to_luma(png_bytes: &[u8]) -> Result<(usize, usize, Vec<u8>), Error> {
    let err = |e: png::DecodingError| Error::Png {
        what: e.to_string(),
    };
    let mut decoder = png::Decoder::new(Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(err)?;
    let size = reader.output_buffer_size().ok_or(Error::Png {
        what: "image too large".into(),
    })?;
    let mut buf = vec![0u8; size];
    let info = reader.next_frame(&mut buf).map_err(err)?;
    let (w, h) = (info.width as usize, info.height as usize);
    let channels = info.color_type.samples();
    let mut luma = Vec::with_capacity(w * h);
    for y in 0..h {
        let row = &buf[y * info.line_size..y * info.line_size + w * channels];
        for p in row.chunks_exact(channels) {
            let v = match channels {
                1 | 2 => u32::from(p[0]),
                _ => (299 * u32::from(p[0]) + 587 * u32::from(p[1]) + 114 * u32::from(p[2])) / 1000,
            };
            // Transparent pixels count as light (paper behind the code).
            let alpha = if channels == 2 || channels == 4 {
                u32::from(p[channels - 1])
            } else {
                255
            };
            luma.push(((v * alpha + 255 * (255 - alpha)) / 255) as u8);
        }
    }
    Ok((w, h, luma))
}

/// Decodes every QR code in a greyscale image (`pixels` row-major, `width × height`).
pub fn decode_qr_luma(width: usize, height: usize, pixels: &[u8]) -> Result<Vec<String>, Error> {
    if pixels.len() != width * height {
        return Err(Error::QrDecode {
            what: format!("{} pixels for a {width}x{height} image", pixels.len()),
        });
    }
    let mut img =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| pixels[y * width + x]);
    let grids = img.detect_grids();
    if grids.is_empty() {
        return Err(Error::QrDecode {
            what: "no QR code found".into(),
        });
    }
    grids
        .iter()
        .map(|g| {
            g.decode()
                .map(|(_, text)| text)
                .map_err(|e| Error::QrDecode {
                    what: e.to_string(),
                })
        })
        .collect()
}

/// Decodes every QR code in a PNG image.
pub fn decode_qr_png(png_bytes: &[u8]) -> Result<Vec<String>, Error> {
    let (w, h, luma) = png_to_luma(png_bytes)?;
    decode_qr_luma(w, h, &luma)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_round_trip_rqrr_and_svg() {
        let text = "00020101021129370016A000000677010111011300668012345675802TH530376463046197";
        for ec in EcLevel::ALL {
            let m = qr(text, ec).unwrap();
            let png = m.to_png(&Render::default()).unwrap();
            assert_eq!(decode_qr_png(&png).unwrap(), [text]);
            let svg = m.to_svg(&Render::default());
            assert!(svg.starts_with("<?xml") && svg.ends_with("</svg>\n"));
        }
    }

    #[test]
    fn numeric_mode_fits_version_1() {
        // 18 digits in numeric mode: 4 + 10 + 60 bits fit version 1 at L, M and Q (not H).
        for ec in [EcLevel::L, EcLevel::M, EcLevel::Q] {
            assert_eq!(qr("120061098828009406", ec).unwrap().width(), 21);
        }
        assert_eq!(qr("120061098828009406", EcLevel::H).unwrap().width(), 25);
        assert!(qr_with_version("x".repeat(100).as_str(), 1, EcLevel::H).is_err());
        assert!(qr_with_version("1", 41, EcLevel::H).is_err());
    }

    #[test]
    fn code128_shapes() {
        let m = code128("1234567").unwrap();
        // Start C, 3 pairs, switch to B, '7', check, stop.
        assert_eq!(m.width(), 11 * 7 + 13);
        assert!(m.is_dark(0, 0));
        assert!(code128("12a4").is_err());
        assert!(code128("1").is_err());
        let (w, h, px) = m.to_luma(&Render::barcode());
        assert_eq!((w, h), ((90 + 20) * 2, (60 + 20) * 2));
        assert_eq!(px.len(), w * h);
    }

    #[test]
    fn png_errors() {
        assert!(matches!(
            decode_qr_png(b"not a png"),
            Err(Error::Png { .. })
        ));
        let blank = Modules {
            width: 3,
            height: 3,
            dark: vec![false; 9],
            linear: false,
        };
        let png = blank.to_png(&Render::default()).unwrap();
        assert!(matches!(decode_qr_png(&png), Err(Error::QrDecode { .. })));
    }
}
