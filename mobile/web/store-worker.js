// The app's store (SQLite on OPFS) lives in this dedicated worker: only here may it
// open its files synchronously, and only such writes are durable when "已保存" shows.
// Messages are handled one at a time, in the order they came.
const ready = import('./zaofaxian_app.js').then(async (m) => { await m.default(); return m; });
let chain = Promise.resolve();
self.onmessage = (e) => {
  const { id, op, bytes } = e.data;
  chain = chain.then(async () => {
    try {
      const m = await ready;
      const out = await m.store_worker_call(op, bytes);
      const transfer = out.bytes ? [out.bytes.buffer] : [];
      self.postMessage({ id, answer: out.answer, bytes: out.bytes }, transfer);
    } catch (err) {
      self.postMessage({ id, error: String(err) });
    }
  });
};
