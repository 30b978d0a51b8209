//! What was loaded, kept in this browser's own storage (IndexedDB, on this machine) so that a
//! reload brings it back: each input's file (IndexedDB keeps a `File` whole, with its name and
//! modification time) or bytes (pasted text, the samples), one record each. Nothing here leaves
//! the browser; links are not kept (the address holds them).

use js_sys::{Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbObjectStoreParameters, IdbRequest, IdbTransaction, IdbTransactionMode};

const DATABASE: &str = "parkview";
const STORE: &str = "inputs";

/// What an input was.
pub enum Data {
    File(web_sys::File),
    Bytes(Vec<u8>),
}

/// One input kept from an earlier visit.
pub struct Kept {
    /// Its key in the store.
    pub key: u32,
    pub name: String,
    pub sample: bool,
    pub data: Data,
}

/// The sentence for a failed request: the DOM exception's name and message (a full storage is
/// `QuotaExceededError`).
fn why(error: JsValue) -> String {
    match error.dyn_ref::<web_sys::DomException>() {
        Some(e) if e.name() == "QuotaExceededError" => format!("the browser's storage for this page is full ({})", e.name()),
        Some(e) => format!("the browser's storage refused it ({}: {})", e.name(), e.message()),
        None => "the browser's storage is not available".into(),
    }
}

/// A request's outcome as a promise: its result, or its error. The handlers are set before
/// the browser can answer (it answers only after this task).
fn answered(request: &IdbRequest) -> Promise {
    Promise::new(&mut |resolve, reject| {
        let ok = Closure::once_into_js(move |event: web_sys::Event| {
            let result = event.target().and_then(|t| t.dyn_into::<IdbRequest>().ok()).and_then(|r| r.result().ok()).unwrap_or(JsValue::UNDEFINED);
            let _ = resolve.call1(&JsValue::NULL, &result);
        });
        let failed = Closure::once_into_js(move |event: web_sys::Event| {
            let error = event.target().and_then(|t| t.dyn_into::<IdbRequest>().ok()).and_then(|r| r.error().ok().flatten());
            let _ = reject.call1(&JsValue::NULL, &error.map_or(JsValue::NULL, JsValue::from));
        });
        request.set_onsuccess(Some(ok.unchecked_ref()));
        request.set_onerror(Some(failed.unchecked_ref()));
    })
}

/// A transaction's end as a promise: written, or why not (a full storage aborts it only then).
fn written(transaction: &IdbTransaction) -> Promise {
    Promise::new(&mut |resolve, reject| {
        let ok = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let tx = transaction.clone();
        let failed = Closure::once_into_js(move || {
            let _ = reject.call1(&JsValue::NULL, &tx.error().map_or(JsValue::NULL, JsValue::from));
        });
        transaction.set_oncomplete(Some(ok.unchecked_ref()));
        transaction.set_onabort(Some(failed.unchecked_ref()));
    })
}

async fn open() -> Result<IdbDatabase, String> {
    let factory = gloo::utils::window().indexed_db().ok().flatten().ok_or("this browser keeps no IndexedDB for this page")?;
    let request = factory.open_with_u32(DATABASE, 1).map_err(why)?;
    let upgrade = Closure::once_into_js(move |event: web_sys::Event| {
        let db = event.target().and_then(|t| t.dyn_into::<IdbRequest>().ok()).and_then(|r| r.result().ok()).and_then(|r| r.dyn_into::<IdbDatabase>().ok());
        if let Some(db) = db {
            let parameters = IdbObjectStoreParameters::new();
            parameters.set_auto_increment(true);
            let _ = db.create_object_store_with_optional_parameters(STORE, &parameters);
        }
    });
    request.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    let db = JsFuture::from(answered(&request)).await.map_err(why)?;
    db.dyn_into::<IdbDatabase>().map_err(|_| "the browser's storage did not open".into())
}

/// Runs one request on the store in its own transaction: its result once it is written.
async fn with_store(mode: IdbTransactionMode, f: impl FnOnce(&web_sys::IdbObjectStore) -> Result<IdbRequest, JsValue>) -> Result<JsValue, String> {
    let db = open().await?;
    let transaction = db.transaction_with_str_and_mode(STORE, mode).map_err(why)?;
    let request = f(&transaction.object_store(STORE).map_err(why)?).map_err(why)?;
    let (result, end) = (answered(&request), written(&transaction));
    let result = JsFuture::from(result).await.map_err(why);
    let end = JsFuture::from(end).await.map_err(why);
    db.close();
    let result = result?;
    end.map(|_| result)
}

/// Keeps an input: a `File` (which keeps its own modification time) or a `Uint8Array`, its
/// name, and whether it is a sample. Its key, or why it could not be kept.
pub async fn keep(name: &str, sample: bool, data: &JsValue) -> Result<u32, String> {
    let record = Object::new();
    let set = |k: &str, v: &JsValue| Reflect::set(&record, &k.into(), v).map(drop);
    set("name", &name.into()).map_err(why)?;
    set("sample", &sample.into()).map_err(why)?;
    set("data", data).map_err(why)?;
    let key = with_store(IdbTransactionMode::Readwrite, |store| store.add(&record)).await?;
    key.as_f64().map(|k| k as u32).ok_or_else(|| "the browser's storage gave no key".into())
}

/// Everything kept, oldest first (keys count up), with their keys.
pub async fn all() -> Result<Vec<Kept>, String> {
    let keys = with_store(IdbTransactionMode::Readonly, |store| store.get_all_keys()).await?;
    let values = with_store(IdbTransactionMode::Readonly, |store| store.get_all()).await?;
    let (keys, values) = (js_sys::Array::from(&keys), js_sys::Array::from(&values));
    let get = |o: &JsValue, k: &str| Reflect::get(o, &k.into()).unwrap_or(JsValue::UNDEFINED);
    Ok(keys
        .iter()
        .zip(values.iter())
        .filter_map(|(key, record)| {
            let data = get(&record, "data");
            let data = match data.dyn_into::<web_sys::File>() {
                Ok(file) => Data::File(file),
                Err(data) => Data::Bytes(data.dyn_into::<Uint8Array>().ok()?.to_vec()),
            };
            Some(Kept { key: key.as_f64()? as u32, name: get(&record, "name").as_string()?, sample: get(&record, "sample").is_truthy(), data })
        })
        .collect())
}

/// Drops one input.
pub async fn remove(key: u32) -> Result<(), String> {
    with_store(IdbTransactionMode::Readwrite, |store| store.delete(&key.into())).await.map(drop)
}

/// Drops everything kept.
pub async fn clear() -> Result<(), String> {
    with_store(IdbTransactionMode::Readwrite, |store| store.clear()).await.map(drop)
}
