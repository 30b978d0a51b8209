//! parkview in the browser: a yew app whose heavy work runs in a Web Worker. The only crate
//! that knows wasm-bindgen and web-sys.

pub mod agent;
pub mod app;
pub mod engine;
pub mod hooks;
pub mod host;
pub mod link;
pub mod protocol;
pub mod rehearsal;
pub mod state;
pub mod store;
pub mod views;
