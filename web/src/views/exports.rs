//! The export buttons of the active snapshot: Markdown (copied or saved), the JSON report and
//! the wait-state chart as SVG, written by the core (`parkview::export`) when clicked, not on
//! every render (the JSON of a large report alone takes tens of milliseconds).

use crate::state::{visible_groups, GroupsView};
use parkview::export::{markdown, states_svg};
use parkview::report::Report;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ExportsProps {
    pub report: Rc<Report>,
    /// The snapshot's name, for the Markdown heading.
    pub name: String,
    /// The groups as the table shows them (the Markdown lists those).
    pub view: GroupsView,
    pub on_copy: Callback<String>,
}

#[function_component(Exports)]
pub fn exports(props: &ExportsProps) -> Html {
    let md = {
        let (report, name, view) = (props.report.clone(), props.name.clone(), props.view.clone());
        Rc::new(move || markdown(&name, &report, &visible_groups(&report.groups, &view)))
    };
    let copy_md = {
        let (c, md) = (props.on_copy.clone(), md.clone());
        Callback::from(move |_| c.emit(md()))
    };
    let save_md = Callback::from(move |_| download("parkview-summary.md", "text/markdown", &md()));
    let report = props.report.clone();
    let save_json = Callback::from(move |_| download("parkview-report.json", "application/json", &serde_json::to_string_pretty(&*report).unwrap_or_default()));
    let report = props.report.clone();
    let save_svg = Callback::from(move |_| download("parkview-wait-states.svg", "image/svg+xml", &states_svg(&report)));
    html! {
        <div class="exports">
            <button class="button small" onclick={copy_md} data-testid="export-markdown">{ "copy Markdown" }</button>
            <button class="button small" onclick={save_md}>{ "Markdown file" }</button>
            <button class="button small" onclick={save_json} data-testid="export-json">{ "JSON report" }</button>
            <button class="button small" onclick={save_svg} data-testid="export-svg">{ "chart as SVG" }</button>
        </div>
    }
}

/// Saves text as a file the browser downloads (a blob: URL; nothing leaves the machine).
pub fn download(name: &str, kind: &str, text: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(kind);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    let document = gloo::utils::document();
    if let Ok(a) = document.create_element("a").map(|a| a.unchecked_into::<web_sys::HtmlAnchorElement>()) {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}
