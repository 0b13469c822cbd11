//! The store worker: the browser's only durable home for the outbox. SQLite runs on
//! OPFS through the `opfs-sahpool` VFS, which exists only in a dedicated worker;
//! `store-worker.js` loads this same module and hands every message to
//! [`store_worker_call`], one at a time. Photos are processed here too (canvas in
//! the worker, so the page never freezes) and kept as OPFS files beside the database.

use super::WorkerOp;
use crate::local_store::{LocalStore, PendingPhoto};
use js_sys::{Object, Promise, Reflect, Uint8Array};
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(inline_js = r#"
async function photos() {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle('photos', { create: true });
}
// Written whole and flushed before the database row that lists it is written.
export async function opfs_write(name, bytes) {
  const dir = await photos();
  const file = await dir.getFileHandle(name, { create: true });
  const h = await file.createSyncAccessHandle();
  try { h.truncate(0); h.write(bytes, { at: 0 }); h.flush(); } finally { h.close(); }
}
export async function opfs_read(name) {
  const dir = await photos();
  const file = await (await dir.getFileHandle(name)).getFile();
  return new Uint8Array(await file.arrayBuffer());
}
// Upright (EXIF), scaled to longSide, a dark band with three lines in the system's CJK
// font, then JPEG at falling quality (then smaller) until it fits maxBytes.
export async function process_photo(bytes, lines, longSide, maxBytes) {
  const bmp = await createImageBitmap(new Blob([bytes]), { imageOrientation: 'from-image' });
  const scale = Math.min(1, longSide / Math.max(bmp.width, bmp.height));
  let w = Math.max(1, Math.round(bmp.width * scale));
  let h = Math.max(1, Math.round(bmp.height * scale));
  try {
    for (;;) {
      const canvas = new OffscreenCanvas(w, h);
      const g = canvas.getContext('2d');
      g.drawImage(bmp, 0, 0, w, h);
      const px = Math.max(12, Math.min(w, h) / 28);
      const lineH = px * 1.3;
      const band = Math.round(lineH * lines.length + px * 0.8);
      g.fillStyle = 'rgba(0, 0, 0, 0.6)';
      g.fillRect(0, h - band, w, band);
      g.fillStyle = '#fff';
      g.textBaseline = 'top';
      g.font = `${px}px "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif`;
      lines.forEach((t, i) => g.fillText(t, px * 0.5, h - band + px * 0.4 + lineH * i));
      const rgba = g.getImageData(0, 0, w, h).data;
      for (const q of [0.82, 0.74, 0.66, 0.58, 0.5]) {
        const out = await canvas.convertToBlob({ type: 'image/jpeg', quality: q });
        if (out.size <= maxBytes || w <= 320) {
          return { jpeg: new Uint8Array(await out.arrayBuffer()), rgba: new Uint8Array(rgba.buffer), width: w, height: h };
        }
      }
      w = Math.round(w * 0.8);
      h = Math.round(h * 0.8);
    }
  } finally {
    bmp.close();
  }
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    fn opfs_write(name: &str, bytes: Uint8Array) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch)]
    fn opfs_read(name: &str) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch)]
    fn process_photo(bytes: Uint8Array, lines: Vec<String>, long_side: u32, max_bytes: u32)
    -> Result<Promise, JsValue>;
}

thread_local! {
    static STORE: RefCell<Option<Rc<LocalStore>>> = const { RefCell::new(None) };
}

/// The database file inside the OPFS pool.
const DB_NAME: &str = "zaofaxian-app.sqlite";

async fn await_js(p: Result<Promise, JsValue>) -> Result<JsValue, JsValue> {
    JsFuture::from(p?).await
}

/// Opens the store on first use. A second tab of the app finds the pool's files held
/// by the first one's worker and is told so.
async fn store() -> Result<Rc<LocalStore>, JsValue> {
    if let Some(s) = STORE.with(|s| s.borrow().clone()) {
        return Ok(s);
    }
    let cfg = sqlite_wasm_vfs::sahpool::OpfsSAHPoolCfg::default();
    sqlite_wasm_vfs::sahpool::install::<sqlite_wasm_rs::WasmOsCallback>(&cfg, false)
        .await
        .map_err(|e| {
            JsValue::from_str(&format!(
                "无法打开本机存储：本应用可能已在另一个标签页打开（请关闭后刷新），或此浏览器不支持离线存储（请用手机自带浏览器或新版Chrome） / cannot open the phone's storage: the app may be open in another tab (close it and reload), or this browser lacks offline storage ({e})"
            ))
        })?;
    let store = LocalStore::open_in_vfs(DB_NAME, &cfg.vfs_name).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let store = Rc::new(store);
    STORE.with(|s| *s.borrow_mut() = Some(store.clone()));
    Ok(store)
}

fn reply(answer: &serde_json::Value, bytes: Option<Uint8Array>) -> Result<JsValue, JsValue> {
    let out = Object::new();
    Reflect::set(&out, &"answer".into(), &answer.to_string().into())?;
    if let Some(b) = bytes {
        Reflect::set(&out, &"bytes".into(), &b)?;
    }
    Ok(out.into())
}

fn field(v: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    Reflect::get(v, &name.into())
}

/// One message from the page; `store-worker.js` awaits each before the next.
#[wasm_bindgen]
pub async fn store_worker_call(op: String, bytes: Option<Uint8Array>) -> Result<JsValue, JsValue> {
    let op: WorkerOp = serde_json::from_str(&op).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let store = store().await?;
    match op {
        WorkerOp::Store { call } => {
            let v = store.run(&call).map_err(|e| JsValue::from_str(&e.to_string()))?;
            reply(&v, None)
        }
        WorkerOp::PhotoBytes { path } => {
            let bytes = await_js(opfs_read(&path)).await?;
            reply(&serde_json::Value::Null, Some(Uint8Array::new(&bytes)))
        }
        WorkerOp::KeepVoice => {
            let input = bytes.ok_or_else(|| JsValue::from_str("no voice bytes"))?.to_vec();
            let photo = crate::voice::pending(&input, |name| name.into());
            await_js(opfs_write(
                &photo.path.to_string_lossy(),
                Uint8Array::from(input.as_slice()),
            ))
            .await?;
            store.add_photo(&photo).map_err(|e| JsValue::from_str(&e.to_string()))?;
            reply(
                &serde_json::to_value(&photo).map_err(|e| JsValue::from_str(&e.to_string()))?,
                None,
            )
        }
        WorkerOp::KeepPhoto {
            lines,
            long_side,
            max_bytes,
        } => {
            let input = bytes.ok_or_else(|| JsValue::from_str("no photo bytes"))?;
            let max = u32::try_from(max_bytes).unwrap_or(u32::MAX);
            let out = await_js(process_photo(input, lines.to_vec(), long_side, max))
                .await
                .map_err(|e| {
                    JsValue::from_str(&format!(
                        "无法处理这张照片，请换一张或重拍 / this photo cannot be processed: choose or take another ({e:?})"
                    ))
                })?;
            let jpeg = Uint8Array::new(&field(&out, "jpeg")?).to_vec();
            let rgba = Uint8Array::new(&field(&out, "rgba")?).to_vec();
            let dim = |k: &str| field(&out, k).ok().and_then(|v| v.as_f64()).unwrap_or(0.0) as u32;
            let img = image::RgbaImage::from_raw(dim("width"), dim("height"), rgba)
                .ok_or_else(|| JsValue::from_str("canvas pixels do not match its size"))?;
            let sha256 = hex::encode(Sha256::digest(&jpeg));
            let path = format!("{sha256}.jpg");
            await_js(opfs_write(&path, Uint8Array::from(jpeg.as_slice()))).await?;
            let photo = PendingPhoto {
                sha256,
                path: path.into(),
                size: jpeg.len() as i64,
                perceptual_hash: crate::photo::perceptual_hash(&image::DynamicImage::ImageRgba8(img)),
            };
            store.add_photo(&photo).map_err(|e| JsValue::from_str(&e.to_string()))?;
            reply(
                &serde_json::to_value(&photo).map_err(|e| JsValue::from_str(&e.to_string()))?,
                None,
            )
        }
    }
}
