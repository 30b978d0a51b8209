//! The Web Workers that run the core, so that decoding a big dump never blocks the page, and
//! the page's end of them. A worker keeps decoded snapshots (see [`Engine`]) and answers each
//! request with report rows.
//!
//! Every worker is made from what boot.js prepared before the page locked itself down: the
//! worker's script as a `blob:` URL and its compiled WebAssembly module ([`WorkerSource`]).
//! A worker started from a `blob:` URL takes the page's Content-Security-Policy, so it can send
//! no request either, and a new one (after a crash, or a throwaway one for a link) starts with
//! no request at all.
//!
//! A file crosses to the worker as the `File` itself (a handle, no bytes): the worker reads it
//! slice by slice straight into its own memory and decodes each slice while the browser reads
//! the next, so the page's thread never touches the file's bytes. Requests and responses cross
//! as bincode in a transferred buffer.

use crate::engine::Engine;
use crate::protocol::{Grouping, Request, Response};
use js_sys::{Array, Uint8Array};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{Blob, DedicatedWorkerGlobalScope, ErrorEvent, MessageEvent};

/// Files are read in slices of this size: each is decoded while the next ones are being read.
const READ_SLICE: f64 = (4 << 20) as f64;
/// How many slices are asked for ahead of the one being decoded.
const READS_AHEAD: usize = 3;

fn encode<T: serde::Serialize>(value: &T) -> Uint8Array {
    let bytes = bincode::serialize(value).expect("requests and responses serialize");
    Uint8Array::from(bytes.as_slice())
}

fn decode<T: serde::de::DeserializeOwned>(data: &JsValue) -> Option<T> {
    bincode::deserialize(&Uint8Array::new(data).to_vec()).ok()
}

/// Reads `file` in slices into the engine as snapshot `id`, reporting progress after each
/// slice, then answers as a load does. The next slices are asked for before this one is
/// decoded, so that the browser reads them meanwhile.
pub async fn read_file(engine: Rc<RefCell<Engine>>, id: u32, file: Blob, grouping: Grouping, respond: impl Fn(Response)) {
    let size = file.size();
    let mut asked = 0.0;
    let mut reads = std::collections::VecDeque::new();
    let mut ask = |reads: &mut std::collections::VecDeque<_>| {
        while reads.len() < READS_AHEAD && asked < size {
            let end = (asked + READ_SLICE).min(size);
            reads.push_back((end, file.slice_with_f64_and_f64(asked, end).map(|s| JsFuture::from(s.array_buffer()))));
            asked = end;
        }
    };
    ask(&mut reads);
    let mut buffer = Vec::new();
    while let Some((at, reading)) = reads.pop_front() {
        let bytes = match reading {
            Ok(reading) => reading.await.map(|b| Uint8Array::new(&b)),
            Err(e) => Err(e),
        };
        let bytes = match bytes {
            Ok(bytes) => bytes,
            Err(e) => {
                let reason = e.as_string().or_else(|| e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message()))).unwrap_or_default();
                engine.borrow_mut().handle(Request::Forget { id });
                respond(Response::Failed { id, message: format!("could not read the file: {reason}") });
                return;
            }
        };
        ask(&mut reads);
        buffer.resize(bytes.length() as usize, 0);
        bytes.copy_to(&mut buffer);
        engine.borrow_mut().feed(id, &buffer);
        respond(Response::Progress { id, read: at as u64 });
    }
    respond(engine.borrow_mut().handle(Request::Finish { id, grouping }));
}

/// The worker's side: answers each message, a request with an optional file beside it. A
/// panic is reported to the page (as [`Response::Crashed`]) before the worker traps; the page
/// then starts another.
pub fn run_worker() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let post = {
        let scope = scope.clone();
        move |response: Response| {
            let bytes = encode(&response);
            let _ = scope.post_message_with_transfer(&bytes, &Array::of1(&bytes.buffer()));
        }
    };
    std::panic::set_hook(Box::new({
        let post = post.clone();
        move |info| post(Response::Crashed { message: info.to_string() })
    }));
    let engine = Rc::new(RefCell::new(Engine::default()));
    let rehearsal = engine.borrow_mut().warm_up();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new({
        let post = post.clone();
        move |event: MessageEvent| {
            let message: Array = event.data().unchecked_into();
            let Some(request) = decode::<Request>(&message.get(0)) else { return };
            match (request, message.get(1).dyn_into::<Blob>()) {
                (Request::Read { id, grouping }, Ok(file)) => spawn_local(read_file(engine.clone(), id, file, grouping, post.clone())),
                (request, _) => post(engine.borrow_mut().handle(request)),
            }
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(Response::Ready { rehearsal });
}

/// What every worker is made from: its script as a `blob:` URL and its compiled module, which
/// boot.js prepared (as `window.parkviewWorker`) before the page locked itself down.
#[derive(Clone)]
pub struct WorkerSource {
    url: String,
    module: JsValue,
}

impl WorkerSource {
    /// The source boot.js left on the window; `None` where there is none (component tests).
    pub fn from_page() -> Option<WorkerSource> {
        let prepared = js_sys::Reflect::get(&gloo::utils::window(), &"parkviewWorker".into()).ok().filter(|v| v.is_object())?;
        let url = js_sys::Reflect::get(&prepared, &"url".into()).ok()?.as_string()?;
        let module = js_sys::Reflect::get(&prepared, &"module".into()).ok().filter(|m| m.is_object())?;
        Some(WorkerSource { url, module })
    }
}

/// The page's side of one worker: holds requests until it says it is ready, and reports its
/// death once (a panic's message, or the error a trap or an exhausted memory raised).
pub struct WorkerLink {
    worker: web_sys::Worker,
    waiting: Rc<RefCell<Option<Vec<Array>>>>,
    dead: Rc<Cell<bool>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl WorkerLink {
    /// Starts a worker from `source`; `on_response` gets its answers, `on_death` the sentence
    /// that says why it stopped (after which it answers nothing).
    pub fn spawn(source: &WorkerSource, on_response: impl Fn(Response) + 'static, on_death: impl Fn(String) + 'static) -> Result<WorkerLink, JsValue> {
        let worker = web_sys::Worker::new(&source.url)?;
        // The first message is the module; the worker's script instantiates it (no request).
        worker.post_message(&source.module)?;
        let waiting: Rc<RefCell<Option<Vec<Array>>>> = Rc::new(RefCell::new(Some(Vec::new())));
        let dead = Rc::new(Cell::new(false));
        let on_death = Rc::new(on_death);
        let die = {
            let (dead, worker, on_death) = (dead.clone(), worker.clone(), on_death.clone());
            move |why: String| {
                if !dead.replace(true) {
                    worker.terminate();
                    on_death(why);
                }
            }
        };
        let on_response = Rc::new(on_response);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new({
            let (worker, waiting, die) = (worker.clone(), waiting.clone(), die.clone());
            move |event: MessageEvent| match decode::<Response>(&event.data()) {
                // Taken on (and drawn) in a task after the one that decoded it: a report of
                // thousands of groups takes tens of milliseconds to decode and as many to draw,
                // and the page answers input in between. Timeouts of one delay run in order,
                // so a crash still comes after the answers sent before it.
                Some(Response::Crashed { message }) => {
                    let die = die.clone();
                    gloo::timers::callback::Timeout::new(0, move || die(message)).forget();
                }
                Some(response) => {
                    if matches!(response, Response::Ready { .. }) {
                        for message in waiting.borrow_mut().take().unwrap_or_default() {
                            let _ = worker.post_message(&message);
                        }
                    }
                    let on_response = on_response.clone();
                    gloo::timers::callback::Timeout::new(0, move || on_response(response)).forget();
                }
                // Every message a worker sends is an answer: one that does not read means page
                // and worker disagree, and waiting on it (a Ready) would hang every request.
                None => {
                    let die = die.clone();
                    gloo::timers::callback::Timeout::new(0, move || die("the engine sent an answer the page could not read".into())).forget();
                }
            }
        });
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            event.prevent_default();
            let message = event.dyn_ref::<ErrorEvent>().map(|e| e.message()).unwrap_or_default();
            die(if message.is_empty() { "the worker stopped with an error".into() } else { message });
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(WorkerLink { worker, waiting, dead, _on_message: on_message, _on_error: on_error })
    }

    /// Sends a request, and for [`Request::Read`] the file it reads.
    pub fn send(&self, request: &Request, file: Option<&Blob>) {
        if self.dead.get() {
            return;
        }
        let message = Array::of1(&encode(request));
        if let Some(file) = file {
            message.push(file);
        }
        match self.waiting.borrow_mut().as_mut() {
            Some(waiting) => waiting.push(message),
            None => {
                let _ = self.worker.post_message(&message);
            }
        }
    }
}

impl Drop for WorkerLink {
    fn drop(&mut self) {
        self.dead.set(true);
        self.worker.terminate();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Grouping;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// Every answer crosses to the page as bincode, which is not self-describing: a field left
    /// out when serialized (serde's `skip_serializing_if`) would shift every field after it.
    #[wasm_bindgen_test]
    fn answers_read_back_as_they_were_sent() {
        const PLAIN: &[u8] = include_bytes!("../../tests/fixtures/go1.27/service.s1.goroutine.debug2.txt");
        const WRAPPED: &[u8] = include_bytes!("../../tests/fixtures/wild2/078-block-ftl-issue2045-blockquote-prefixed-http-panic-serving.txt");
        const ZIP: &[u8] = include_bytes!("../../tests/fixtures/bundle/debug-zip.zip");
        let mut engine = Engine::default();
        let ready = Response::Ready { rehearsal: engine.warm_up() };
        assert!(matches!(&ready, Response::Ready { rehearsal: Some(_) }));
        let loads =
            [(1, PLAIN), (2, WRAPPED), (100, ZIP)].map(|(id, bytes)| engine.handle(Request::Load { id, bytes: bytes.to_vec(), grouping: Grouping::default() }));
        for sent in std::iter::once(ready).chain(loads) {
            let read: Response = decode(&encode(&sent).into()).expect("reads back");
            assert_eq!(format!("{read:?}"), format!("{sent:?}"));
        }
    }
}
