//! Photo pipeline time per 12 MP photo, beside ImageMagick's `convert -resize` on the
//! same file, in one run. `cargo bench -p zaofaxian-mobile --bench photo_pipeline`
//! (scripts/bench.sh installs ImageMagick and a CJK font).

#![allow(clippy::unwrap_used)] // a benchmark: a panic is the report

use image::{ImageEncoder, RgbImage};
use std::time::Instant;
use zaofaxian_mobile::photo::{PipelineOptions, Watermark, find_cjk_font, process};

fn main() {
    let (w, h) = (4000u32, 3000u32);
    let mut s = 1u32;
    let img = RgbImage::from_fn(w, h, |x, y| {
        s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let n = (s >> 27) as u8;
        image::Rgb([(x * 255 / w) as u8 / 2 + n, (y * 255 / h) as u8 / 2 + n, 120 + n])
    });
    let mut input = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut input, 92)
        .write_image(&img, w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    let dir = std::env::temp_dir().join(format!("zfx-photo-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("camera.jpg");
    std::fs::write(&src, &input).unwrap();

    let font = find_cjk_font().expect("a CJK font: apt-get install fonts-wqy-microhei");
    let wm = Watermark {
        taken_at: chrono::Utc::now().fixed_offset(),
        place: "红塔区荷花社区 24.35°N 102.54°E".into(),
        collector: "张三".into(),
    };
    let runs = 5;
    let mut ours = Vec::new();
    let mut size = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let out = process(&input, &wm, &font, PipelineOptions::default()).unwrap();
        ours.push(t.elapsed().as_secs_f64() * 1000.0);
        size = out.jpeg.len();
    }
    ours.sort_by(f64::total_cmp);
    println!("input: {w}×{h} JPEG, {} KB", input.len() / 1024);
    println!(
        "zaofaxian pipeline (decode, orient, resize 1600, watermark, pHash, JPEG ≤300 KB): median {:.0} ms, min {:.0} ms, output {} KB",
        ours[runs / 2],
        ours[0],
        size / 1024
    );

    let magick = std::process::Command::new("convert").arg("-version").output();
    let real = magick
        .as_ref()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("ImageMagick"));
    if !real {
        println!("ImageMagick: not installed (apt-get install imagemagick)");
        return;
    }
    let mut theirs = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let st = std::process::Command::new("convert")
            .arg(&src)
            .args(["-resize", "1600x1600", "-quality", "82"])
            .arg(dir.join("magick.jpg"))
            .status()
            .unwrap();
        assert!(st.success());
        theirs.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    theirs.sort_by(f64::total_cmp);
    let size = std::fs::metadata(dir.join("magick.jpg")).unwrap().len();
    println!(
        "ImageMagick convert -resize 1600x1600 -quality 82 (resize only, no watermark): median {:.0} ms, min {:.0} ms, output {} KB",
        theirs[runs / 2],
        theirs[0],
        size / 1024
    );
    std::fs::remove_dir_all(dir).ok();
}
