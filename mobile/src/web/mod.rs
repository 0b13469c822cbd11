//! The browser build: the store worker's client, the phone's GPS through
//! `navigator.geolocation`, timers and the start-up checks. Small JavaScript shims do
//! what the browser only offers to JavaScript; everything else is the same Rust as on
//! phones and the desktop.

mod worker;

use crate::local_store::{LocalError, LocalResult, PendingPhoto};
use crate::location::{Fix, LocationProvider};
use crate::photo::{PipelineOptions, Watermark};
use crate::store_api::StoreCall;
use js_sys::{Promise, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use zaofaxian_shared::{GeoPoint, Text};

pub use worker::store_worker_call;

#[wasm_bindgen(inline_js = r#"
let worker = null;
let next = 1;
const waiting = new Map();
function start() {
  if (worker) return worker;
  worker = new Worker(new URL('./store-worker.js', document.baseURI), { type: 'module' });
  worker.onmessage = (e) => {
    const d = e.data;
    const w = waiting.get(d.id);
    if (!w) return;
    waiting.delete(d.id);
    if (d.error !== undefined) w.reject(d.error); else w.resolve(d);
  };
  worker.onerror = (e) => {
    for (const w of waiting.values()) w.reject('store worker failed: ' + (e.message || 'unknown'));
    waiting.clear();
    worker = null;
  };
  return worker;
}
export function store_post(op, bytes) {
  const w = start();
  const id = next++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    w.postMessage({ id, op, bytes }, bytes ? [bytes.buffer] : []);
  });
}
export function locate(timeoutMs) {
  return new Promise((resolve, reject) => {
    if (!window.isSecureContext) { reject('insecure'); return; }
    if (!navigator.geolocation) { reject('unsupported'); return; }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy }),
      (e) => reject(e.code === 1 ? 'denied' : e.code === 3 ? 'timeout' : 'unavailable'),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 0 });
  });
}
export function sleep_ms(ms) { return new Promise((r) => setTimeout(r, ms)); }
// A parameter of the page's address, remembered: the installed app starts at ./
// without the poster's ?village=….
export function page_param(name) {
  const v = new URL(location.href).searchParams.get(name);
  const key = 'zaofaxian.' + name;
  try {
    if (v) localStorage.setItem(key, v);
    return v || localStorage.getItem(key);
  } catch (_) {
    return v;
  }
}
export function page_origin() { return location.origin; }
// One voice note at a time: recorded until voice_stop() or the limit, then its bytes.
let recorder = null;
export function voice_record(maxMs, types) {
  return new Promise(async (resolve, reject) => {
    try {
      if (!navigator.mediaDevices || !window.MediaRecorder) { reject('unsupported'); return; }
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const chunks = [];
      const type = types.split(',').find((t) => MediaRecorder.isTypeSupported(t));
      const r = type ? new MediaRecorder(stream, { mimeType: type }) : new MediaRecorder(stream);
      recorder = r;
      r.ondataavailable = (e) => { if (e.data && e.data.size) chunks.push(e.data); };
      r.onstop = async () => {
        stream.getTracks().forEach((t) => t.stop());
        recorder = null;
        const buf = await new Blob(chunks, { type: r.mimeType }).arrayBuffer();
        resolve(new Uint8Array(buf));
      };
      r.start(1000);
      setTimeout(() => { if (r.state === 'recording') r.stop(); }, maxMs);
    } catch (e) {
      reject(e && e.name === 'NotAllowedError' ? 'denied' : 'unavailable');
    }
  });
}
export function voice_stop() { if (recorder && recorder.state === 'recording') recorder.stop(); }
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    fn store_post(op: &str, bytes: Option<Uint8Array>) -> Result<Promise, JsValue>;
    fn locate(timeout_ms: u32) -> Promise;
    fn sleep_ms(ms: u32) -> Promise;
    fn page_param(name: &str) -> Option<String>;
    fn voice_record(max_ms: u32, types: &str) -> Promise;
    fn voice_stop();
    fn page_origin() -> String;
}

/// What the page's main thread asks the store worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "worker", rename_all = "snake_case")]
pub enum WorkerOp {
    Store {
        call: StoreCall,
    },
    /// Process the attached camera bytes on the worker's canvas and keep the result.
    KeepPhoto {
        lines: [String; 3],
        long_side: u32,
        max_bytes: usize,
    },
    /// The kept bytes of a photo (attached to the answer).
    PhotoBytes {
        path: String,
    },
    /// Keep the attached voice note as it was recorded, for upload like a photo.
    KeepVoice,
}

fn js_text(e: JsValue) -> String {
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

async fn post(op: &WorkerOp, bytes: Option<Vec<u8>>) -> LocalResult<(Value, Option<Vec<u8>>)> {
    let json = serde_json::to_string(op).map_err(|e| LocalError::Corrupt(e.to_string()))?;
    let bytes = bytes.map(|b| Uint8Array::from(b.as_slice()));
    let promise = store_post(&json, bytes).map_err(|e| LocalError::Worker(js_text(e)))?;
    let reply = JsFuture::from(promise)
        .await
        .map_err(|e| LocalError::Worker(js_text(e)))?;
    let answer = Reflect::get(&reply, &"answer".into())
        .ok()
        .and_then(|a| a.as_string())
        .unwrap_or_default();
    let value = serde_json::from_str(&answer).map_err(|e| LocalError::Corrupt(e.to_string()))?;
    let bytes = Reflect::get(&reply, &"bytes".into())
        .ok()
        .filter(|b| !b.is_undefined() && !b.is_null())
        .map(|b| Uint8Array::new(&b).to_vec());
    Ok((value, bytes))
}

/// The page's handle on the store worker. The worker owns the database; this side
/// only sends messages, so it holds nothing and is freely shared.
#[derive(Debug, Clone, Copy, Default)]
pub struct WorkerStore;

impl WorkerStore {
    pub async fn call_value(&self, call: StoreCall) -> LocalResult<Value> {
        post(&WorkerOp::Store { call }, None).await.map(|(v, _)| v)
    }

    pub async fn photo_bytes(&self, photo: &PendingPhoto) -> LocalResult<Vec<u8>> {
        let op = WorkerOp::PhotoBytes {
            path: photo.path.to_string_lossy().into_owned(),
        };
        let (_, bytes) = post(&op, None).await?;
        bytes.ok_or_else(|| LocalError::PhotoLost(photo.sha256.clone()))
    }

    /// Keeps a recorded voice note on OPFS, waiting for upload like a photo.
    pub async fn keep_voice(&self, bytes: Vec<u8>) -> Result<PendingPhoto, Text> {
        let (v, _) = post(&WorkerOp::KeepVoice, Some(bytes))
            .await
            .map_err(|e| Text::from_pair(&e.to_string()))?;
        serde_json::from_value(v).map_err(|e| Text::from_pair(&e.to_string()))
    }

    /// Runs the photo pipeline in the worker (off the page's thread) and keeps the
    /// result for upload.
    pub async fn keep_photo(&self, bytes: Vec<u8>, wm: &Watermark) -> Result<PendingPhoto, Text> {
        let opts = PipelineOptions::default();
        let op = WorkerOp::KeepPhoto {
            lines: wm.lines(),
            long_side: opts.long_side,
            max_bytes: opts.max_bytes,
        };
        let (v, _) = post(&op, Some(bytes))
            .await
            .map_err(|e| Text::from_pair(&e.to_string()))?;
        serde_json::from_value(v).map_err(|e| Text::from_pair(&e.to_string()))
    }
}

/// Waits without blocking the page.
pub async fn sleep(d: std::time::Duration) {
    let ms = u32::try_from(d.as_millis()).unwrap_or(u32::MAX);
    let _ = JsFuture::from(sleep_ms(ms)).await;
}

/// A query parameter of the page's address (`?village=…` from the notice-board poster).
pub fn param(name: &str) -> Option<String> {
    page_param(name)
}

/// Records a voice note until [`stop_voice`] or `max`; its bytes, or why not (a
/// refused microphone, none at all).
pub async fn record_voice(max: std::time::Duration) -> Result<Vec<u8>, String> {
    let ms = u32::try_from(max.as_millis()).unwrap_or(u32::MAX);
    let bytes = JsFuture::from(voice_record(ms, &zaofaxian_shared::voice::RECORDING_TYPES.join(",")))
        .await
        .map_err(js_text)?;
    Ok(Uint8Array::new(&bytes).to_vec())
}

/// Ends the recording under way (its bytes go to [`record_voice`]).
pub fn stop_voice() {
    voice_stop();
}

/// The server that served the app: the API is on the same origin.
pub fn origin() -> String {
    page_origin()
}

/// The phone's GPS through the browser, which asks the user first.
#[derive(Debug, Clone, Copy, Default)]
pub struct BrowserLocation;

fn why_no_fix(code: &str) -> Text {
    match code {
        "denied" => Text::new(
            "定位权限被拒绝：请在浏览器设置中允许本网站使用位置信息，然后重试",
            "location permission refused: allow this site to use your location in the browser's settings, then retry",
        ),
        "timeout" => Text::new(
            "定位超时：请到户外开阔处稍候再试",
            "no fix in time: step outside into the open and retry",
        ),
        "insecure" => Text::new(
            "此网址不安全（非HTTPS），浏览器不允许定位：请用https地址打开",
            "this address is not secure (not HTTPS), so the browser refuses location: open the https address",
        ),
        "unsupported" => Text::new("此浏览器不支持定位", "this browser has no location service"),
        _ => Text::new("暂时无法定位，请稍后重试", "no position available yet: retry shortly"),
    }
}

impl LocationProvider for BrowserLocation {
    fn current(&self) -> Fix<'_> {
        Box::pin(async {
            let fix = JsFuture::from(locate(30_000))
                .await
                .map_err(|e| why_no_fix(&js_text(e)))?;
            let num = |k: &str| Reflect::get(&fix, &k.into()).ok().and_then(|v| v.as_f64());
            let (Some(lat), Some(lon)) = (num("lat"), num("lon")) else {
                return Err(why_no_fix("unavailable"));
            };
            let point = GeoPoint::new(lat, lon).map_err(|e| Text::from_pair(&e.to_string()))?;
            Ok(match num("accuracy") {
                Some(acc) => point.with_accuracy(acc),
                None => point,
            })
        })
    }
}
