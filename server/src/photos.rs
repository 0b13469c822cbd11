//! Photo checks and derived files on the server: bounded, upright decoding (from the
//! core) and the thumbnail shown in lists.

use image::ImageFormat;
use std::io::Cursor;
pub use zaofaxian_shared::photo::{MAX_PIXELS, MAX_SIDE, PhotoError, claimed_dimensions};

/// Largest upload accepted.
pub const MAX_BYTES: i64 = zaofaxian_shared::photo::MAX_UPLOAD_BYTES;
/// Longest side the server accepts. The app sends every photo at 1600 px; a larger
/// canvas is a file not made by the app, and decoding one costs 4 bytes a pixel twice
/// over (EXIF rotation): a 212 KB PNG claiming 7071×7071 cost 400 MB before this.
pub const SERVER_MAX_SIDE: u32 = 2048;
/// 2048 × 2048: at most 16 MB of pixels per check (32 MB while turned upright).
pub const SERVER_MAX_PIXELS: u64 = (SERVER_MAX_SIDE as u64) * (SERVER_MAX_SIDE as u64);

/// Memory the photo checks may hold at once, in MiB (see [`check_cost_mib`]): one of
/// the largest accepted photos, or four of the app's 1600 px ones.
pub const CHECK_BUDGET_MIB: u32 = 96;

/// What checking a file costs in memory, in MiB, from the canvas its header claims.
/// A PNG: the file, the decoded RGBA pixels, their upright copy and the hash's grey
/// copy (12 bytes a pixel, measured: 8 concurrent 2048² checks peaked at 216 MiB when
/// charged 8). A JPEG is decoded reduced; a progressive one still keeps every DCT
/// coefficient (2 bytes a sample, 3 samples a pixel at most): 6 bytes a pixel. A header
/// that cannot be read is charged as the largest accepted photo.
pub fn check_cost_mib(header: &[u8], file_len: u64) -> u32 {
    let pixels = claimed_dimensions(header)
        .ok()
        .map(|(w, h)| u64::from(w.min(SERVER_MAX_SIDE)) * u64::from(h.min(SERVER_MAX_SIDE)))
        .unwrap_or(SERVER_MAX_PIXELS);
    let per_pixel = if header.starts_with(&[0xFF, 0xD8]) { 6 } else { 12 };
    let bytes = pixels * per_pixel + file_len;
    u32::try_from(bytes.div_ceil(1 << 20) + 1)
        .unwrap_or(CHECK_BUDGET_MIB)
        .min(CHECK_BUDGET_MIB)
}

/// Long side of the thumbnail shown in lists.
pub const THUMB_SIDE: u32 = 320;

/// A checked photo: upright dimensions and a JPEG thumbnail.
#[derive(Debug, Clone)]
pub struct Checked {
    pub width: u32,
    pub height: u32,
    pub thumbnail_jpeg: Vec<u8>,
    pub perceptual_hash: String,
}

/// Checks the size a file claims, decodes it within limits, turns it upright by its
/// EXIF orientation and makes a thumbnail. A JPEG (all the app sends) is decoded
/// reduced: every coefficient is still read, so a broken file is still refused, but
/// only the thumbnail's pixels are ever held. Other formats are decoded whole.
pub fn check(bytes: &[u8]) -> Result<Checked, PhotoError> {
    let (img, width, height) = if bytes.starts_with(&[0xFF, 0xD8]) {
        reduced_jpeg(bytes)?
    } else {
        let img = zaofaxian_shared::photo::decode_upright_within(bytes, SERVER_MAX_SIDE, SERVER_MAX_PIXELS)?;
        let (w, h) = (img.width(), img.height());
        (img, w, h)
    };
    let thumb = img.thumbnail(THUMB_SIDE, THUMB_SIDE).to_rgb8();
    let mut out = Cursor::new(Vec::new());
    thumb
        .write_to(&mut out, ImageFormat::Jpeg)
        .map_err(|e| PhotoError::Decode(e.to_string()))?;
    Ok(Checked {
        width,
        height,
        thumbnail_jpeg: out.into_inner(),
        perceptual_hash: zaofaxian_shared::photo::perceptual_hash(&img),
    })
}

/// A JPEG decoded at the smallest DCT scale (1/8, 1/4, 1/2 or whole) that still covers
/// the thumbnail, upright; with the whole picture's upright size. A 1600 × 1200 photo
/// is held as 400 × 300 pixels (1/4 scale) instead of 1600 × 1200.
fn reduced_jpeg(bytes: &[u8]) -> Result<(image::DynamicImage, u32, u32), PhotoError> {
    use image::metadata::Orientation;
    use jpeg_decoder::PixelFormat;
    let (w, h) = claimed_dimensions(bytes)?;
    if w == 0 || h == 0 || w > SERVER_MAX_SIDE || h > SERVER_MAX_SIDE {
        return Err(PhotoError::TooLarge(w, h));
    }
    let err = |e: jpeg_decoder::Error| PhotoError::Decode(e.to_string());
    let mut d = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    d.set_max_decoding_buffer_size(usize::try_from(SERVER_MAX_PIXELS * 4).unwrap_or(usize::MAX));
    d.read_info().map_err(err)?;
    let side = u16::try_from(THUMB_SIDE).unwrap_or(u16::MAX);
    let (sw, sh) = d.scale(side, side).map_err(err)?;
    let pixels = d.decode().map_err(err)?;
    let format = d.info().map(|i| i.pixel_format);
    let (sw, sh) = (u32::from(sw), u32::from(sh));
    // Phones write 8-bit grey or colour; CMYK and 16-bit JPEGs are print and lab files.
    let decoded = match format {
        Some(PixelFormat::RGB24) => image::RgbImage::from_raw(sw, sh, pixels).map(image::DynamicImage::ImageRgb8),
        Some(PixelFormat::L8) => image::GrayImage::from_raw(sw, sh, pixels).map(image::DynamicImage::ImageLuma8),
        _ => None,
    };
    let mut img = decoded.ok_or_else(|| PhotoError::Decode("不是手机照片的JPEG格式 / not a phone's JPEG".into()))?;
    let orientation = d
        .exif_data()
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    img.apply_orientation(orientation);
    let turned = matches!(
        orientation,
        Orientation::Rotate90 | Orientation::Rotate270 | Orientation::Rotate90FlipH | Orientation::Rotate270FlipH
    );
    Ok(if turned { (img, h, w) } else { (img, w, h) })
}

/// The upload name of an account's claim on a photo: apart from the uploader's own
/// chunks, named without the account's id.
pub fn claim_file_name(sha256: &str, account_id: &str) -> String {
    use sha2::{Digest, Sha256};
    let who = hex::encode(Sha256::digest(account_id.as_bytes()));
    format!("{sha256}.{}", &who[..16])
}

/// Unfinished uploads older than this are forgotten and their partial files removed.
pub const STALE_UPLOAD_MS: i64 = 7 * 24 * 3600 * 1000;

/// Forgets uploads that never finished within [`STALE_UPLOAD_MS`] and removes their
/// chunks; returns how many.
pub async fn drop_stale_uploads(state: &crate::state::AppState) -> crate::store::StoreResult<usize> {
    let stale = state.store.drop_stale_uploads(state.now_ms() - STALE_UPLOAD_MS).await?;
    for name in &stale {
        if let Err(e) = state.photo_files.drop_upload(name).await {
            tracing::warn!(error = %e, name, "removing a stale upload's chunks failed");
        }
    }
    Ok(stale.len())
}

/// Creates `dir` (and its parents) readable by this service's user only: photos of
/// homes and families, and the database, are nobody else's on a shared machine. A
/// folder that already existed (say a configured shared one) is left as it is.
pub fn private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    if dir.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    restrict(dir, 0o700)
}

/// Takes group and other access off a folder made before folders were private (an
/// older release, or made by hand); true when it had any. Closing the top folder is
/// enough: nothing under it can be reached without passing through it.
pub fn tighten(dir: &std::path::Path) -> std::io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = match std::fs::metadata(dir) {
            Ok(m) => m.permissions().mode(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e),
        };
        if mode & 0o077 == 0 {
            return Ok(false);
        }
        restrict(dir, (mode & 0o700) | 0o700)?;
        Ok(true)
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(false)
    }
}

/// Sets a path's permission bits (Unix; elsewhere nothing to do).
pub fn restrict(path: &std::path::Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}

pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, RgbImage};

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut out)
            .write_image(&img, w, h, image::ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    /// A PNG header claiming 100000×100000 pixels with no pixel data behind it.
    fn png_bomb_header() -> Vec<u8> {
        let mut png = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend(100_000u32.to_be_bytes());
        ihdr.extend(100_000u32.to_be_bytes());
        ihdr.extend([8, 2, 0, 0, 0]);
        png.extend(13u32.to_be_bytes());
        png.extend(&ihdr);
        png.extend(crc32(&ihdr).to_be_bytes());
        // An empty IDAT and IEND: the file is tiny, the canvas it claims is 10 gigapixels.
        for (kind, data) in [
            (&b"IDAT"[..], &[0x78u8, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01][..]),
            (&b"IEND"[..], &[][..]),
        ] {
            let mut chunk = kind.to_vec();
            chunk.extend(data);
            png.extend((data.len() as u32).to_be_bytes());
            png.extend(&chunk);
            png.extend(crc32(&chunk).to_be_bytes());
        }
        png
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn a_photo_is_checked_and_thumbnailed() {
        let c = check(&jpeg(800, 600)).unwrap();
        assert_eq!((c.width, c.height), (800, 600));
        let t = image::load_from_memory(&c.thumbnail_jpeg).unwrap();
        assert_eq!((t.width(), t.height()), (320, 240));
    }

    /// The app's 1600 × 1200 photo is held as 400 × 300 pixels while it is checked (1/16
    /// of the memory); the sizes reported are the whole picture's.
    #[test]
    fn a_jpeg_is_checked_from_a_reduced_decode() {
        let photo = jpeg(1_600, 1_200);
        let (img, w, h) = reduced_jpeg(&photo).unwrap();
        assert_eq!((img.width(), img.height(), w, h), (400, 300, 1_600, 1_200));
        let c = check(&photo).unwrap();
        assert_eq!((c.width, c.height), (1_600, 1_200));
        let t = image::load_from_memory(&c.thumbnail_jpeg).unwrap();
        assert_eq!((t.width(), t.height()), (320, 240));
        // The same picture decoded whole hashes the same (duplicates are still found).
        let whole = zaofaxian_shared::photo::decode_upright(&photo).unwrap();
        let d = zaofaxian_shared::photo::hash_distance(
            &c.perceptual_hash,
            &zaofaxian_shared::photo::perceptual_hash(&whole),
        );
        assert!(d.is_some_and(|d| d <= 2), "{d:?}");
        // A broken stream is still refused: the coefficients are all read.
        let mut broken = photo.clone();
        broken.truncate(photo.len() / 3);
        assert!(check(&broken).is_err());
    }

    #[test]
    fn a_decompression_bomb_is_refused_from_its_header() {
        let bomb = png_bomb_header();
        assert_eq!(claimed_dimensions(&bomb), Ok((100_000, 100_000)));
        assert_eq!(check(&bomb).unwrap_err(), PhotoError::TooLarge(100_000, 100_000));
    }

    /// A small real JPEG whose frame header is rewritten to claim `w`×`h`.
    fn jpeg_claiming(w: u16, h: u16) -> Vec<u8> {
        let mut j = jpeg(16, 16);
        let sof = j.windows(2).position(|m| m == [0xff, 0xc0]).unwrap();
        // FFC0, length (2), precision (1), then height and width.
        j[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
        j[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
        j
    }

    #[test]
    fn jpeg_bombs_are_refused_before_decoding() {
        // 65,000 × 65,000 claimed by a 700-byte file.
        let bomb = jpeg_claiming(65_000, 65_000);
        assert!(bomb.len() < 2_000);
        assert_eq!(check(&bomb).unwrap_err(), PhotoError::TooLarge(65_000, 65_000));
        // Anything larger than the app sends is refused from its header: 20 MP claimed by
        // 700 bytes used to be believed and decoded (80 MB of pixels for nothing).
        assert_eq!(
            check(&jpeg_claiming(5_000, 4_000)).unwrap_err(),
            PhotoError::TooLarge(5_000, 4_000)
        );
        assert_eq!(
            check(&jpeg_claiming(7_071, 7_071)).unwrap_err(),
            PhotoError::TooLarge(7_071, 7_071)
        );
        // Within the limit the header is believed and the decoder fills in what is
        // missing: at most 2048 × 2048 × 4 bytes.
        let c = check(&jpeg_claiming(2_048, 1_536)).unwrap();
        assert_eq!((c.width, c.height), (2_048, 1_536));
    }

    #[test]
    fn checks_are_charged_by_the_canvas_they_claim() {
        // The app's 1600×1200 photo of 300 KB, decoded reduced: 11.3 MiB of coefficients
        // at most; the largest accepted JPEG canvas: 24 MiB.
        assert_eq!(check_cost_mib(&jpeg_claiming(1_600, 1_200), 300 << 10), 13);
        assert_eq!(check_cost_mib(&jpeg_claiming(2_048, 2_048), 0), 25);
        // A bomb's claim is capped at what would be accepted (it is refused from its header).
        assert_eq!(check_cost_mib(&jpeg_claiming(65_000, 65_000), 0), 25);
        // Anything else is decoded whole: 12 bytes a pixel.
        assert_eq!(check_cost_mib(b"not an image", 0), 49);
        const { assert!(CHECK_BUDGET_MIB >= 49) };
    }

    #[test]
    fn non_images_are_refused() {
        assert_eq!(check(b"GIF89a....").unwrap_err(), PhotoError::Format);
        assert_eq!(check(b"hello").unwrap_err(), PhotoError::Format);
        let mut truncated = jpeg(64, 64);
        truncated.truncate(40);
        assert!(check(&truncated).is_err());
    }
}
