//! A voice note for those who cannot write: recorded by the page's MediaRecorder (in
//! the browser through the web build's own script; in the desktop window's webview
//! through Dioxus' script bridge), kept on the phone and uploaded like a photo.

use crate::local_store::PendingPhoto;
use sha2::{Digest, Sha256};
use zaofaxian_shared::Text;
use zaofaxian_shared::voice::{MAX_VOICE_BYTES, MAX_VOICE_SECONDS, VoiceFormat};

/// The upload-queue entry for recorded `bytes`, filed under the name `place` gives
/// for `<sha>.voice`. No picture, so no perceptual hash.
pub fn pending(bytes: &[u8], place: impl Fn(String) -> std::path::PathBuf) -> PendingPhoto {
    let sha256 = hex::encode(Sha256::digest(bytes));
    PendingPhoto {
        path: place(format!("{sha256}.voice")),
        sha256,
        size: bytes.len() as i64,
        perceptual_hash: String::new(),
    }
}

/// Whether `bytes` are a recording the server will file, or why not.
pub fn check(bytes: &[u8]) -> Result<(), Text> {
    if bytes.is_empty() {
        return Err(Text::new("没有录到声音，请再录一次", "nothing was recorded: try again"));
    }
    if bytes.len() > MAX_VOICE_BYTES || VoiceFormat::sniff(bytes).is_none() {
        return Err(Text::new(
            "这段录音无法保存，请再录一次",
            "this recording cannot be kept: record it again",
        ));
    }
    Ok(())
}

fn why_not(code: &str) -> Text {
    match code {
        "denied" => Text::new(
            "麦克风权限被拒绝：请在设置中允许使用麦克风，或改为文字说明",
            "microphone refused: allow it in the settings, or write instead",
        ),
        "unsupported" => Text::new(
            "此设备不能录音，请改为文字说明",
            "this device cannot record: write instead",
        ),
        _ => Text::new(
            "无法录音，请稍后再试或改为文字说明",
            "cannot record: try again later or write instead",
        ),
    }
}

/// Records until [`stop`] or [`MAX_VOICE_SECONDS`]; the recording's bytes.
pub async fn record() -> Result<Vec<u8>, Text> {
    let bytes = capture(std::time::Duration::from_secs(u64::from(MAX_VOICE_SECONDS))).await?;
    check(&bytes)?;
    Ok(bytes)
}

#[cfg(target_arch = "wasm32")]
async fn capture(max: std::time::Duration) -> Result<Vec<u8>, Text> {
    crate::web::record_voice(max).await.map_err(|c| why_not(&c))
}

/// Built without a window (tests, tools): nothing to record with.
#[cfg(not(any(target_arch = "wasm32", feature = "desktop", feature = "mobile")))]
async fn capture(_max: std::time::Duration) -> Result<Vec<u8>, Text> {
    Err(why_not("unsupported"))
}

/// Lets the window's webview give the page the microphone when it asks (WebKitGTK
/// denies every media request the application does not answer). Audio only: a
/// request for a camera or anything else is left to WebKit's default, a refusal.
/// Called once, from the app's root.
#[cfg(all(feature = "desktop", target_os = "linux"))]
pub fn allow_microphone() {
    use webkit2gtk::glib::Cast;
    use webkit2gtk::{PermissionRequestExt, UserMediaPermissionRequest, UserMediaPermissionRequestExt, WebViewExt};
    use wry::WebViewExtUnix;
    // Outside a window (component tests) there is nothing to allow.
    let Some(window) = dioxus::prelude::try_consume_context::<dioxus::desktop::DesktopContext>() else {
        return;
    };
    let webview = window.webview.webview();
    webview.connect_permission_request(|_, request| {
        let audio_only = request
            .downcast_ref::<UserMediaPermissionRequest>()
            .is_some_and(|m| m.is_for_audio_device() && !m.is_for_video_device());
        if audio_only {
            request.allow();
        }
        audio_only
    });
}

/// Elsewhere the platform asks the user itself (browser, phone).
#[cfg(not(all(feature = "desktop", target_os = "linux")))]
pub fn allow_microphone() {}

/// Ends the recording under way.
pub fn stop() {
    #[cfg(target_arch = "wasm32")]
    crate::web::stop_voice();
    #[cfg(all(not(target_arch = "wasm32"), any(feature = "desktop", feature = "mobile")))]
    {
        let _ = dioxus::document::eval(
            "if (window.__zfxVoice && window.__zfxVoice.state === 'recording') window.__zfxVoice.stop();",
        );
    }
}

/// The desktop window: the webview's MediaRecorder, its bytes sent back as hex.
#[cfg(all(not(target_arch = "wasm32"), any(feature = "desktop", feature = "mobile")))]
async fn capture(max: std::time::Duration) -> Result<Vec<u8>, Text> {
    let script = format!(
        r#"(async () => {{
  try {{
    if (!navigator.mediaDevices || !window.MediaRecorder) {{ dioxus.send({{ error: 'unsupported' }}); return; }}
    const stream = await navigator.mediaDevices.getUserMedia({{ audio: true }});
    const chunks = [];
    const type = {types}.find((t) => MediaRecorder.isTypeSupported(t));
    const r = type ? new MediaRecorder(stream, {{ mimeType: type }}) : new MediaRecorder(stream);
    window.__zfxVoice = r;
    r.ondataavailable = (e) => {{ if (e.data && e.data.size) chunks.push(e.data); }};
    r.onstop = async () => {{
      stream.getTracks().forEach((t) => t.stop());
      const buf = new Uint8Array(await new Blob(chunks, {{ type: r.mimeType }}).arrayBuffer());
      dioxus.send({{ hex: Array.from(buf, (b) => b.toString(16).padStart(2, '0')).join('') }});
    }};
    r.start(1000);
    setTimeout(() => {{ if (r.state === 'recording') r.stop(); }}, {ms});
  }} catch (e) {{
    dioxus.send({{ error: e && e.name === 'NotAllowedError' ? 'denied' : 'unavailable' }});
  }}
}})();"#,
        ms = max.as_millis(),
        types = serde_json::to_string(&zaofaxian_shared::voice::RECORDING_TYPES).unwrap_or_default(),
    );
    let mut eval = dioxus::document::eval(&script);
    let answer: serde_json::Value = eval.recv().await.map_err(|_| why_not("unavailable"))?;
    match (answer["hex"].as_str(), answer["error"].as_str()) {
        (Some(h), _) => hex::decode(h).map_err(|_| why_not("unavailable")),
        (None, code) => Err(why_not(code.unwrap_or_default())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recording_is_kept_by_its_hash_and_checked_first() {
        let webm = [0x1a, 0x45, 0xdf, 0xa3, 1, 2, 3];
        let p = pending(&webm, |name| std::path::PathBuf::from("/phone").join(name));
        assert_eq!(p.sha256.len(), 64);
        assert_eq!(p.path, std::path::PathBuf::from(format!("/phone/{}.voice", p.sha256)));
        assert_eq!((p.size, p.perceptual_hash.as_str()), (7, ""));
        assert!(check(&webm).is_ok());
        assert!(check(&[]).unwrap_err().zh.contains("没有录到"));
        assert!(check(&[0xff, 0xd8, 0xff]).is_err(), "a photo is no recording");
        assert!(check(&vec![0x1a; MAX_VOICE_BYTES + 1]).is_err());
    }
}
