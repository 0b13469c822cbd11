//! The pipeline on the phone's CPU with the `image` crate and a system CJK font.

use super::{PipelineOptions, ProcessedPhoto, Watermark, perceptual_hash};
use ab_glyph::{Font, FontArc, PxScale, ScaleFont};
use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, RgbImage};
use sha2::{Digest, Sha256};
use zaofaxian_shared::photo::{PhotoError, decode_upright};

/// Where a CJK font may be found: `ZAOFAXIAN_FONT`, Android's system font, Debian's
/// WenQuanYi or Noto CJK.
pub fn find_cjk_font() -> Option<FontArc> {
    let env = std::env::var("ZAOFAXIAN_FONT").ok();
    let candidates = env.iter().map(String::as_str).chain([
        "/system/fonts/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    ]);
    candidates.filter_map(|p| std::fs::read(p).ok()).find_map(|bytes| {
        ab_glyph::FontVec::try_from_vec_and_index(bytes, 0)
            .ok()
            .map(FontArc::new)
    })
}

/// Runs the whole pipeline on a camera JPEG.
pub fn process(
    input: &[u8],
    wm: &Watermark,
    font: &FontArc,
    opts: PipelineOptions,
) -> Result<ProcessedPhoto, PhotoError> {
    let img = decode_upright(input)?;
    let (w, h) = (img.width(), img.height());
    let scale = f64::from(opts.long_side) / f64::from(w.max(h));
    let mut rgb: RgbImage = if scale < 1.0 {
        let nw = ((f64::from(w) * scale).round() as u32).max(1);
        let nh = ((f64::from(h) * scale).round() as u32).max(1);
        img.resize_exact(nw, nh, FilterType::Triangle).to_rgb8()
    } else {
        img.to_rgb8()
    };
    burn_watermark(&mut rgb, wm, font);
    let perceptual_hash = perceptual_hash(&DynamicImage::ImageRgb8(rgb.clone()));
    let (jpeg, quality) = encode_within(rgb, opts.max_bytes)?;
    let decoded = image::load_from_memory(&jpeg).map_err(|e| PhotoError::Decode(e.to_string()))?;
    Ok(ProcessedPhoto {
        sha256: hex::encode(Sha256::digest(&jpeg)),
        width: decoded.width(),
        height: decoded.height(),
        jpeg,
        quality,
        perceptual_hash,
    })
}

/// JPEG at falling quality, then smaller, until it fits `max_bytes`.
fn encode_within(mut rgb: RgbImage, max_bytes: usize) -> Result<(Vec<u8>, u8), PhotoError> {
    loop {
        for quality in [82u8, 74, 66, 58, 50] {
            let mut out = Vec::with_capacity(max_bytes);
            JpegEncoder::new_with_quality(&mut out, quality)
                .encode_image(&rgb)
                .map_err(|e| PhotoError::Decode(e.to_string()))?;
            if out.len() <= max_bytes || rgb.width() <= 320 {
                return Ok((out, quality));
            }
        }
        let (w, h) = (rgb.width() * 4 / 5, rgb.height() * 4 / 5);
        rgb = image::imageops::resize(&rgb, w.max(1), h.max(1), FilterType::Triangle);
    }
}

/// A dark band along the bottom with three lines of white text.
fn burn_watermark(img: &mut RgbImage, wm: &Watermark, font: &FontArc) {
    let lines = wm.lines();
    let px = (img.height().min(img.width()) as f32 / 28.0).max(12.0);
    let scaled = font.as_scaled(PxScale::from(px));
    let line_h = scaled.height() + scaled.line_gap();
    let band = (line_h * lines.len() as f32 + px * 0.8) as u32;
    let top = img.height().saturating_sub(band);
    for y in top..img.height() {
        for x in 0..img.width() {
            let p = img.get_pixel_mut(x, y);
            for c in p.0.iter_mut() {
                *c = (u16::from(*c) * 2 / 5) as u8; // darken to 40%: text stays readable on snow or sky
            }
        }
    }
    for (i, line) in lines.iter().enumerate() {
        let mut x = px * 0.5;
        let baseline = top as f32 + px * 0.4 + scaled.ascent() + line_h * i as f32;
        let mut prev = None;
        for ch in line.chars() {
            let id = font.glyph_id(ch);
            if let Some(p) = prev {
                x += scaled.kern(p, id);
            }
            let glyph = id.with_scale_and_position(PxScale::from(px), ab_glyph::point(x, baseline));
            x += scaled.h_advance(id);
            prev = Some(id);
            if let Some(outline) = font.outline_glyph(glyph) {
                let b = outline.px_bounds();
                outline.draw(|gx, gy, coverage| {
                    let (px_x, px_y) = (b.min.x as i64 + i64::from(gx), b.min.y as i64 + i64::from(gy));
                    if px_x < 0 || px_y < 0 || px_x >= i64::from(img.width()) || px_y >= i64::from(img.height()) {
                        return;
                    }
                    let p = img.get_pixel_mut(px_x as u32, px_y as u32);
                    for c in p.0.iter_mut() {
                        *c = (f32::from(*c) * (1.0 - coverage) + 255.0 * coverage) as u8;
                    }
                });
            }
        }
    }
}

/// Writes a processed photo under `dir` (named by its hash, written whole before it
/// appears) and returns it ready for the upload queue.
pub fn keep(dir: &std::path::Path, p: &ProcessedPhoto) -> std::io::Result<crate::local_store::PendingPhoto> {
    use std::io::Write;
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("{}.jpg", p.sha256));
    let tmp = dir.join(format!("{}.part", p.sha256));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(&p.jpeg)?;
    f.sync_all()?;
    std::fs::rename(&tmp, &path)?;
    Ok(crate::local_store::PendingPhoto {
        sha256: p.sha256.clone(),
        path,
        size: p.jpeg.len() as i64,
        perceptual_hash: p.perceptual_hash.clone(),
    })
}
