//! The phone's photo pipeline: upright, resized, watermarked with time, place and
//! collector (as field workers and auditors expect), re-encoded small for a weak
//! signal, hashed for upload, and given a perceptual hash so the server can spot
//! the same picture used for two households.

use chrono::{DateTime, FixedOffset};

// The browser build runs the same steps on the browser's canvas (web/photo_canvas.rs).
#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(not(target_arch = "wasm32"))]
pub use native::{find_cjk_font, keep, process};

/// What is burned into the picture.
#[derive(Debug, Clone, PartialEq)]
pub struct Watermark {
    pub taken_at: DateTime<FixedOffset>,
    /// Place in words and coordinates, e.g. `红塔区荷花社区 24.35412°N 102.54310°E`.
    pub place: String,
    pub collector: String,
}

impl Watermark {
    /// The three lines burned into the picture, the same on every build.
    pub fn lines(&self) -> [String; 3] {
        [
            format!("时间：{}", self.taken_at.format("%Y-%m-%d %H:%M")),
            format!("地点：{}", self.place),
            format!("采集人：{}", self.collector),
        ]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PipelineOptions {
    /// Long side after resizing (1600 px keeps a house readable).
    pub long_side: u32,
    /// Target size of the JPEG; quality, then size, step down until it fits.
    pub max_bytes: usize,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        PipelineOptions {
            long_side: 1600,
            max_bytes: 300 * 1024,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ProcessedPhoto {
    pub jpeg: Vec<u8>,
    /// Lowercase hex SHA-256 of `jpeg`: the upload's address.
    pub sha256: String,
    pub width: u32,
    pub height: u32,
    pub quality: u8,
    /// 64-bit gradient hash (hex), robust to re-encoding and resizing.
    pub perceptual_hash: String,
}

// The hash lives in the core so the server computes exactly the same one.
pub use zaofaxian_shared::photo::{hash_distance, perceptual_hash};
