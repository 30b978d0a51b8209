//! The share dialog: what to redact (each with a preview of its effect on this snapshot), the
//! link with its size, and a share file where a link would be too long for a browser.

use crate::link::LINK_LIMIT;
use crate::state::ShareDialog;
use crate::views::dialog::Dialog;
use crate::views::human_bytes;
use parkview::report::Report;
use parkview::share::Redaction;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ShareProps {
    pub dialog: ShareDialog,
    pub report: Option<Rc<Report>>,
    /// The active snapshot's name.
    pub name: String,
    /// The page's address before the fragment.
    pub base_url: String,
    pub on_redaction: Callback<Redaction>,
    pub on_copy: Callback<String>,
    pub on_download: Callback<(String, String, String)>,
    pub on_close: Callback<()>,
}

/// A redaction switch: what it takes out, whether it is on, and the field it sets.
type Toggle = (&'static str, bool, fn(&mut Redaction) -> &mut bool);

#[function_component(ShareView)]
pub fn share_view(props: &ShareProps) -> Html {
    let r = props.dialog.redaction;
    let preview = props.report.as_deref().map(|r| parkview::share::preview(r, &props.name)).unwrap_or_default();
    let toggles: [Toggle; 6] = [
        ("function arguments and pointers", r.args, |x| &mut x.args),
        ("file paths (the base name stays)", r.paths, |x| &mut x.paths),
        ("label values, text and numbers (numbered per key, so groups still split the same way)", r.label_values, |x| &mut x.label_values),
        ("goroutine ids, synctest bubble ids and where each goroutine was in the dump", r.goroutine_ids, |x| &mut x.goroutine_ids),
        ("what the crash printed: panic messages, fatal errors, signal addresses", r.crash_text, |x| &mut x.crash_text),
        ("the snapshots' names", r.snapshot_names, |x| &mut x.snapshot_names),
    ];
    let link = props.dialog.link.as_ref().map(|f| f.as_ref().map(|f| (f.clone(), format!("{}#{f}", props.base_url))));
    let close = props.on_close.reform(|_| ());
    html! {
        <Dialog label="share" class="share">
            <h2>{ "Share a link" }</h2>
            <p class="muted">{ "The data travels in the link itself, after the #, which browsers never send to a server. Take out what should not travel:" }</p>
            <ul class="redactions">
                { for toggles.iter().zip(preview.iter()).map(|((what, on, field), (before, after))| {
                    let field = *field;
                    let toggle = props.on_redaction.reform(move |_| { let mut next = r; let f = field(&mut next); *f = !*f; next });
                    html! {
                        <li>
                            <label><input type="checkbox" checked={*on} onchange={toggle} data-testid="redact"/>{ format!(" {what}") }</label>
                            if !before.is_empty() {
                                <div class={classes!("preview", "small", if *on { "on" } else { "muted" })}><code>{ before }</code>{ " → " }<code>{ after }</code></div>
                            }
                        </li>
                    }
                }) }
            </ul>
            if r.any() { <p class="muted small">{ "The search text stays out of a redacted link: it may quote what was taken out." }</p> }
            {
                match link {
                    None => html! { <p class="muted">{ "making the link…" }</p> },
                    Some(Err(message)) => html! {
                        <>
                            <p class="leak" data-testid="share-error">{ message }</p>
                            <div class="controls"><button class="button" onclick={close}>{ "Close" }</button></div>
                        </>
                    },
                    Some(Ok((fragment, link))) => {
                        let size = link.len();
                        let fits = size <= LINK_LIMIT;
                        let copy = { let (cb, l) = (props.on_copy.clone(), link.clone()); Callback::from(move |_| cb.emit(l.clone())) };
                        let download = {
                            let cb = props.on_download.clone();
                            Callback::from(move |_| cb.emit(("parkview-share.txt".into(), "text/plain".into(), format!("{}{fragment}\n", parkview::share::SHARE_FILE_HEADER))))
                        };
                        html! {
                            <>
                                <p data-testid="link-size">{ format!("The link is {size} characters ({}).", human_bytes(size)) }
                                    if !fits { <strong class="leak">{ format!(" That is more than Chromium opens ({}): download a share file instead, and open it here by drop or with Open dumps….", human_bytes(LINK_LIMIT)) }</strong> }
                                </p>
                                <textarea class="share-url" readonly=true aria-label="the link" data-testid="share-url" value={if fits { link.clone() } else { String::new() }} rows="3"/>
                                <div class="controls">
                                    <button class="button primary" onclick={copy} disabled={!fits} data-testid="copy-link">{ "Copy link" }</button>
                                    <button class="button" onclick={download} data-testid="download-share">{ "Download a share file" }</button>
                                    <button class="button" onclick={close}>{ "Close" }</button>
                                </div>
                            </>
                        }
                    }
                }
            }
        </Dialog>
    }
}
