//! Voice notes: a household that cannot write says what happened. A recording goes up
//! like a photo (the same resumable upload and access rules); the server tells the two
//! apart by their first bytes and files a recording as it is.

/// The longest recording the app makes; at the browsers' usual 32–64 kbit/s Opus it
/// stays well under [`MAX_VOICE_BYTES`].
pub const MAX_VOICE_SECONDS: u32 = 120;

/// The largest voice note the server files.
pub const MAX_VOICE_BYTES: usize = 2 * 1024 * 1024;

/// What the app asks the page's MediaRecorder for, best first: the first type the
/// platform supports is used, else its own default. Opus first: small at speech rates,
/// and WebKitGTK (the desktop window) on GStreamer 1.22 records nothing in its default
/// MP4 with AAC but records Opus in MP4. Every type is one the server files.
pub const RECORDING_TYPES: [&str; 4] = [
    "audio/webm;codecs=opus",
    "audio/ogg;codecs=opus",
    "audio/mp4;codecs=opus",
    "audio/mp4",
];

/// The containers phones' browsers record into (Chromium and Firefox: WebM or Ogg with
/// Opus; Safari: MP4 with AAC; WebKitGTK: MP4 with Opus).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoiceFormat {
    Webm,
    Ogg,
    Mp4,
}

impl VoiceFormat {
    /// The format a file's first bytes announce, if it is one of these.
    pub fn sniff(head: &[u8]) -> Option<VoiceFormat> {
        if head.starts_with(&[0x1a, 0x45, 0xdf, 0xa3]) {
            Some(VoiceFormat::Webm)
        } else if head.starts_with(b"OggS") {
            Some(VoiceFormat::Ogg)
        } else if head.get(4..8) == Some(b"ftyp") {
            Some(VoiceFormat::Mp4)
        } else {
            None
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            VoiceFormat::Webm => "audio/webm",
            VoiceFormat::Ogg => "audio/ogg",
            VoiceFormat::Mp4 => "audio/mp4",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recordings_are_told_from_photos_by_their_first_bytes() {
        assert_eq!(
            VoiceFormat::sniff(&[0x1a, 0x45, 0xdf, 0xa3, 0x9f]),
            Some(VoiceFormat::Webm)
        );
        assert_eq!(VoiceFormat::sniff(b"OggS\0\x02"), Some(VoiceFormat::Ogg));
        assert_eq!(VoiceFormat::sniff(b"\0\0\0\x1cftypM4A "), Some(VoiceFormat::Mp4));
        assert_eq!(VoiceFormat::sniff(&[0xff, 0xd8, 0xff, 0xe0]), None, "a JPEG");
        assert_eq!(VoiceFormat::sniff(b""), None);
        assert_eq!(VoiceFormat::Webm.content_type(), "audio/webm");
    }

    #[test]
    fn the_app_asks_only_for_containers_the_server_files() {
        let filed = [VoiceFormat::Webm, VoiceFormat::Ogg, VoiceFormat::Mp4].map(VoiceFormat::content_type);
        for t in RECORDING_TYPES {
            let container = t.split(';').next().unwrap_or_default();
            assert!(filed.contains(&container), "{t}");
        }
        assert!(
            RECORDING_TYPES[0].ends_with("opus"),
            "Opus first: smallest at speech rates"
        );
    }
}
