//! Pictures standing in for the camera's (tests and the desktop walk have no camera).

use image::ImageEncoder;
use sha2::Digest;
use zaofaxian_mobile::photo::ProcessedPhoto;

/// A small 320×240 JPEG, different for each `seed`, as the phone's pipeline leaves it.
pub fn sample_photo(seed: u32) -> ProcessedPhoto {
    let (w, h) = (320, 240);
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 200) as u8, (y % 180) as u8, (seed.wrapping_mul(37) % 251) as u8])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .write_image(&img, w, h, image::ExtendedColorType::Rgb8)
        .expect("encoding to memory");
    ProcessedPhoto {
        sha256: hex::encode(sha2::Sha256::digest(&jpeg)),
        perceptual_hash: zaofaxian_shared::photo::perceptual_hash(&image::DynamicImage::ImageRgb8(img)),
        width: w,
        height: h,
        quality: 85,
        jpeg,
    }
}
