//! The photo pipeline on a 12-megapixel camera JPEG.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use ab_glyph::FontArc;
use image::{ImageEncoder, RgbImage};
use zaofaxian_mobile::photo::{PipelineOptions, Watermark, find_cjk_font, hash_distance, process};

/// A 4000×3000 scene with texture everywhere (sky gradient, a "house", noise), like
/// a real photo as far as the JPEG encoder is concerned.
fn camera_jpeg(w: u32, h: u32, seed: u32) -> Vec<u8> {
    let mut s = seed;
    let img = RgbImage::from_fn(w, h, |x, y| {
        s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let n = (s >> 27) as u8; // 0..31 of sensor noise
        let house = x > w / 3 && x < 2 * w / 3 && y > h / 2;
        let base = if house {
            [150u8, 110, 80]
        } else if y < h / 2 {
            [90, (140 + y * 60 / h) as u8, 220]
        } else {
            [70, (120 + (x * 40 / w)) as u8, 60]
        };
        image::Rgb([
            base[0].saturating_add(n),
            base[1].saturating_add(n),
            base[2].saturating_add(n),
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92)
        .write_image(&img, w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

fn font() -> FontArc {
    find_cjk_font().expect("a CJK font (scripts/test.sh installs fonts-wqy-microhei)")
}

fn watermark() -> Watermark {
    Watermark {
        taken_at: "2025-10-09T10:32:00+08:00".parse().unwrap(),
        place: "红塔区玉兴街道荷花社区 24.35412°N 102.54310°E".into(),
        collector: "张三（村干部）".into(),
    }
}

#[test]
fn a_12_megapixel_photo_becomes_a_watermarked_jpeg_under_300_kb() {
    let input = camera_jpeg(4000, 3000, 1);
    assert!(input.len() > 1_000_000, "input is a realistic size: {}", input.len());
    let out = process(&input, &watermark(), &font(), PipelineOptions::default()).unwrap();
    assert!(out.jpeg.len() <= 300 * 1024, "{} bytes", out.jpeg.len());
    assert_eq!((out.width, out.height), (1600, 1200));
    assert_eq!(out.sha256.len(), 64);
    // The watermark band: the bottom rows are darkened and carry bright text pixels.
    let img = image::load_from_memory(&out.jpeg).unwrap().to_rgb8();
    let bright_in_band = (1100..1200)
        .flat_map(|y| (0..800).map(move |x| (x, y)))
        .filter(|&(x, y)| img.get_pixel(x, y).0.iter().all(|c| *c > 220))
        .count();
    assert!(bright_in_band > 500, "text pixels in the band: {bright_in_band}");
    let sky = img.get_pixel(800, 100).0;
    assert!(sky[2] > 150, "above the band the photo is untouched: {sky:?}");
}

#[test]
fn the_perceptual_hash_matches_the_same_scene_and_not_another() {
    let a = process(
        &camera_jpeg(2000, 1500, 1),
        &watermark(),
        &font(),
        PipelineOptions::default(),
    )
    .unwrap();
    // The same scene, shot with different noise and sent at another size.
    let small = PipelineOptions {
        long_side: 800,
        max_bytes: 100 * 1024,
    };
    let b = process(&camera_jpeg(2000, 1500, 2), &watermark(), &font(), small).unwrap();
    assert!(hash_distance(&a.perceptual_hash, &b.perceptual_hash).unwrap() <= 6);
    // Another picture: the house on the other side.
    let other = {
        let img = image::load_from_memory(&camera_jpeg(2000, 1500, 1))
            .unwrap()
            .fliph()
            .to_rgb8();
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut out)
            .write_image(&img, 2000, 1500, image::ExtendedColorType::Rgb8)
            .unwrap();
        out
    };
    let c = process(&other, &watermark(), &font(), PipelineOptions::default()).unwrap();
    assert!(
        hash_distance(&a.perceptual_hash, &c.perceptual_hash).unwrap() >= 10,
        "{} vs {}",
        a.perceptual_hash,
        c.perceptual_hash
    );
}

#[test]
fn portrait_photos_stay_portrait_and_bad_input_is_refused() {
    // A phone held upright stores landscape pixels with EXIF orientation 6.
    let mut jpeg = camera_jpeg(1200, 900, 3);
    let mut tiff = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    tiff.extend([0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]);
    let mut app1 = b"Exif\x00\x00".to_vec();
    app1.extend(tiff);
    let mut seg = vec![0xff, 0xe1];
    seg.extend(((app1.len() + 2) as u16).to_be_bytes());
    seg.extend(app1);
    jpeg.splice(2..2, seg);
    let out = process(&jpeg, &watermark(), &font(), PipelineOptions::default()).unwrap();
    assert_eq!((out.width, out.height), (900, 1200));
    assert!(process(b"not a photo", &watermark(), &font(), PipelineOptions::default()).is_err());
}
