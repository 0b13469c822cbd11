//! Photo checks and derived files on the server: bounded, upright decoding (from the
//! core) and the thumbnail shown in lists.

use image::ImageFormat;
use std::io::Cursor;
pub use zaofaxian_shared::photo::{MAX_PIXELS, MAX_SIDE, PhotoError, claimed_dimensions};

/// Largest upload accepted (a 12 MP phone JPEG is 3–8 MB).
pub const MAX_BYTES: i64 = 20 * 1024 * 1024;
/// Longest side the server accepts. The app sends every photo at 1600 px; a larger
/// canvas is a file not made by the app, and decoding one costs 4 bytes a pixel twice
/// over (EXIF rotation): a 212 KB PNG claiming 7071×7071 cost 400 MB before this.
pub const SERVER_MAX_SIDE: u32 = 2048;
/// 2048 × 2048: at most 16 MB of pixels per check (32 MB while turned upright).
pub const SERVER_MAX_PIXELS: u64 = (SERVER_MAX_SIDE as u64) * (SERVER_MAX_SIDE as u64);

/// Memory the photo checks may hold at once, in MiB (see [`check_cost_mib`]): one of
/// the largest accepted photos, or four of the app's 1600 px ones.
pub const CHECK_BUDGET_MIB: u32 = 96;

/// What checking a file costs in memory, in MiB, from the canvas its header claims:
/// the file, the decoded RGBA pixels, their upright copy and the hash's grey copy
/// (12 bytes a pixel, measured: 8 concurrent 2048² checks peaked at 216 MiB when
/// charged 8). A header that cannot be read is charged as the largest accepted photo.
pub fn check_cost_mib(header: &[u8], file_len: u64) -> u32 {
    let pixels = claimed_dimensions(header)
        .ok()
        .map(|(w, h)| u64::from(w.min(SERVER_MAX_SIDE)) * u64::from(h.min(SERVER_MAX_SIDE)))
        .unwrap_or(SERVER_MAX_PIXELS);
    let bytes = pixels * 12 + file_len;
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
/// EXIF orientation and makes a thumbnail.
pub fn check(bytes: &[u8]) -> Result<Checked, PhotoError> {
    let img = zaofaxian_shared::photo::decode_upright_within(bytes, SERVER_MAX_SIDE, SERVER_MAX_PIXELS)?;
    let thumb = img.thumbnail(THUMB_SIDE, THUMB_SIDE).to_rgb8();
    let mut out = Cursor::new(Vec::new());
    thumb
        .write_to(&mut out, ImageFormat::Jpeg)
        .map_err(|e| PhotoError::Decode(e.to_string()))?;
    Ok(Checked {
        width: img.width(),
        height: img.height(),
        thumbnail_jpeg: out.into_inner(),
        perceptual_hash: zaofaxian_shared::photo::perceptual_hash(&img),
    })
}

/// Unfinished uploads older than this are forgotten and their partial files removed.
pub const STALE_UPLOAD_MS: i64 = 7 * 24 * 3600 * 1000;

/// Forgets uploads that never finished within [`STALE_UPLOAD_MS`] and removes their
/// partial files (kept under `photo_dir/partial/`); returns how many.
pub async fn drop_stale_uploads(state: &crate::state::AppState) -> crate::store::StoreResult<usize> {
    let stale = state.store.drop_stale_uploads(state.now_ms() - STALE_UPLOAD_MS).await?;
    for sha in &stale {
        let _ = std::fs::remove_file(state.photo_dir.join("partial").join(sha));
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
        // The app's 1600×1200 photo of 300 KB: 23 MiB; the largest accepted canvas: 48 MiB.
        assert_eq!(check_cost_mib(&jpeg_claiming(1_600, 1_200), 300 << 10), 24);
        assert_eq!(check_cost_mib(&jpeg_claiming(2_048, 2_048), 0), 49);
        // A bomb's claim is capped at what would be accepted (it is refused from its header).
        assert_eq!(check_cost_mib(&jpeg_claiming(65_000, 65_000), 0), 49);
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
