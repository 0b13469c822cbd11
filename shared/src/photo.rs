//! Decoding photos we did not make, safely: the canvas a file claims is checked
//! before any pixel is decoded (a 100 KB PNG can claim 10 gigapixels), decoding
//! runs under allocation limits, and the pixels are turned upright by the EXIF
//! orientation, because every re-encode downstream drops the tag.

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// Largest canvas accepted, in pixels (a 12 MP phone photo is 12 million; 48 MP
/// sensors bin to 12 MP by default).
pub const MAX_PIXELS: u64 = 50_000_000;
pub const MAX_SIDE: u32 = 12_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("不是可识别的JPEG或PNG图片 / not a readable JPEG or PNG image")]
    Format,
    #[error("图片尺寸过大：{0}×{1} / image too large: {0}×{1}")]
    TooLarge(u32, u32),
    #[error("图片无法解码 / the image cannot be decoded: {0}")]
    Decode(String),
}

fn reader(bytes: &[u8]) -> Result<ImageReader<Cursor<&[u8]>>, PhotoError> {
    let r = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| PhotoError::Format)?;
    match r.format() {
        Some(ImageFormat::Jpeg | ImageFormat::Png) => Ok(r),
        _ => Err(PhotoError::Format),
    }
}

/// Reads only the header: the canvas size a file claims.
pub fn claimed_dimensions(bytes: &[u8]) -> Result<(u32, u32), PhotoError> {
    let mut r = reader(bytes)?;
    // Reading the header allocates nothing: lift the limits so a huge claim is
    // reported as such (and refused by `decode_upright`), not as an unreadable file.
    r.no_limits();
    r.into_dimensions().map_err(|_| PhotoError::Format)
}

/// Decodes a JPEG or PNG within the limits above and applies its EXIF orientation.
pub fn decode_upright(bytes: &[u8]) -> Result<DynamicImage, PhotoError> {
    decode_upright_within(bytes, MAX_SIDE, MAX_PIXELS)
}

/// [`decode_upright`] with tighter limits (the server takes only what the app sends).
pub fn decode_upright_within(bytes: &[u8], max_side: u32, max_pixels: u64) -> Result<DynamicImage, PhotoError> {
    let (max_side, max_pixels) = (max_side.min(MAX_SIDE), max_pixels.min(MAX_PIXELS));
    let (w, h) = claimed_dimensions(bytes)?;
    if w == 0 || h == 0 || w > max_side || h > max_side || u64::from(w) * u64::from(h) > max_pixels {
        return Err(PhotoError::TooLarge(w, h));
    }
    let decode_err = |e: image::ImageError| PhotoError::Decode(e.to_string());
    let mut decoder = reader(bytes)?.into_decoder().map_err(decode_err)?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(max_side);
    limits.max_image_height = Some(max_side);
    limits.max_alloc = Some(max_pixels * 4 + (16 << 20));
    decoder.set_limits(limits).map_err(decode_err)?;
    let orientation = decoder.orientation().map_err(decode_err)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(decode_err)?;
    img.apply_orientation(orientation);
    Ok(img)
}

/// A 64-bit gradient (dHash-style) perceptual hash, hex encoded. The phone computes it
/// after the watermark; the server again from the uploaded file, so both agree.
pub fn perceptual_hash(img: &DynamicImage) -> String {
    let hasher = image_hasher::HasherConfig::new()
        .hash_alg(image_hasher::HashAlg::Gradient)
        .hash_size(8, 8)
        .to_hasher();
    hex::encode(hasher.hash_image(img).as_bytes())
}

/// Bits that differ between two perceptual hashes (0 = same picture).
pub fn hash_distance(a: &str, b: &str) -> Option<u32> {
    let (a, b) = (hex::decode(a).ok()?, hex::decode(b).ok()?);
    (a.len() == b.len()).then(|| a.iter().zip(&b).map(|(x, y)| (x ^ y).count_ones()).sum())
}

/// Photos this close are taken as the same picture (the same scene re-encoded or
/// with another watermark measures ≤6 in the tests; different scenes ≥10).
pub const SAME_PICTURE_MAX_DISTANCE: u32 = 6;

/// The largest photo upload the server takes (a 12 MP phone JPEG is 3–8 MB; the app
/// sends ≤300 KB).
pub const MAX_UPLOAD_BYTES: i64 = 20 * 1024 * 1024;
