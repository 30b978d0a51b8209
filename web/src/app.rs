//! The page: the state, the hooks that get data in and talk to the engine (see
//! [`crate::hooks`]), and which view shows the active snapshot.

use crate::hooks::{use_address, use_engine, use_engine_requests, use_input, use_stored, use_theme, Loader, Runner};
use crate::link::{parse_fragment, ViewLink};
use crate::protocol::Request;
use crate::state::{Action, State, Theme, View};
use crate::views::creators::Creators;
use crate::views::dialog::Help;
use crate::views::diff::DiffView;
use crate::views::exports::{download, Exports};
use crate::views::flame::Flame;
use crate::views::groups::Groups;
use crate::views::share::ShareView;
use crate::views::stored::Stored;
use crate::views::top::Top;
use crate::views::{tab_id, ErrorList, SnapshotList, Summary, Tabs, PANEL_ID};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{DragEvent, HtmlElement, HtmlInputElement};
use yew::prelude::*;

/// Two snapshots of a small service with a visible leak, shipped in www/samples/.
const SAMPLES: [(&str, &[u8]); 2] = [
    ("sample: service at 4 s", include_bytes!("../../www/samples/service.s1.goroutine.debug2.txt")),
    ("sample: service at 152 s", include_bytes!("../../www/samples/service.s3.goroutine.debug2.txt")),
];

#[derive(Properties, PartialEq, Default)]
pub struct AppProps {
    #[prop_or_default]
    pub runner: Runner,
}

#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    // The data a link carries stays in the address from the first render on, so that a reload
    // before its import answers still finds it.
    let state = use_reducer(|| {
        let (view, data) = parse_fragment(&gloo::utils::window().location().hash().unwrap_or_default());
        let mut state = State { data, ..State::default() };
        if let (Some(v), None) = (view, &state.data) {
            state.apply(&v);
        }
        state
    });
    let ids = use_memo((), |_| Rc::new(Cell::new(0u32)));
    let dragging = use_state(|| false);
    let search_ref = use_node_ref();
    let file_ref = use_node_ref();
    // What the last copy button did, said in a status line; a later copy's message replaces it.
    let copied = use_state(|| None::<String>);
    let copies = use_mut_ref(|| 0u32);
    // The view in the address the page was opened with, until the link's import answers.
    let opened = use_mut_ref(|| None::<ViewLink>);
    let channel = use_engine(props.runner, &state, &ids, &opened);
    // Component tests (the engine on the page's thread) keep nothing in the browser's storage.
    let to_keep = use_mut_ref(Vec::new);
    let loader = Loader { channel: channel.clone(), state: state.clone(), ids: (*ids).clone(), keep: (props.runner == Runner::Worker).then_some(to_keep) };
    {
        let loader = loader.clone();
        use_effect_with(state.pending.iter().map(|p| p.id).collect::<Vec<_>>(), move |_| loader.keep_loaded());
    }
    use_engine_requests(&state, &channel);
    use_address(&state, &channel, &ids, &opened);
    use_input(&state, &loader, &search_ref);
    use_stored(&state, &loader);
    use_theme(state.theme);

    let on_files = {
        let loader = loader.clone();
        Callback::from(move |event: Event| {
            let Some(input) = event.target_dyn_into::<HtmlInputElement>() else { return };
            if let Some(files) = input.files() {
                loader.files(files);
            }
            // Choosing the same file again must load it again.
            input.set_value("");
            // The page's shortcuts work at once: focus leaves the control that opened the
            // picker (Enter or Space on it would open the picker again).
            if let Some(focused) = gloo::utils::document().active_element().and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
                let _ = focused.blur();
            }
        })
    };
    let open_picker = {
        let file_ref = file_ref.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(input) = file_ref.cast::<HtmlInputElement>() {
                input.click();
            }
        })
    };
    let on_sample = {
        let loader = loader.clone();
        Callback::from(move |_| {
            for (name, bytes) in SAMPLES {
                loader.bytes(name.to_string(), bytes.to_vec(), true, None);
            }
        })
    };
    let on_dragover = {
        let dragging = dragging.clone();
        // Without preventDefault here the browser never fires `drop`.
        Callback::from(move |event: DragEvent| {
            event.prevent_default();
            dragging.set(true);
        })
    };
    let on_dragleave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let on_drop = {
        let loader = loader.clone();
        let dragging = dragging.clone();
        Callback::from(move |event: DragEvent| {
            event.prevent_default();
            dragging.set(false);
            let Some(data) = event.data_transfer() else { return };
            match data.files().filter(|f| f.length() > 0) {
                Some(files) => loader.files(files),
                None => {
                    let text = data.get_data("text").unwrap_or_default();
                    if !text.trim().is_empty() {
                        loader.text("dropped text", text);
                    }
                }
            }
        })
    };
    let dispatch = |f: fn(u32) -> Action| {
        let d = state.dispatcher();
        Callback::from(move |id: u32| d.dispatch(f(id)))
    };
    let text_action = |f: fn(String) -> Action| {
        let d = state.dispatcher();
        Callback::from(move |text: String| d.dispatch(f(text)))
    };
    let on_remove = {
        let (d, channel) = (state.dispatcher(), channel.clone());
        Callback::from(move |id: u32| {
            channel.send(Request::Forget { id });
            d.dispatch(Action::Remove(id));
        })
    };
    // The pattern that reads a timestamp in a file's name is compiled while the page waits for
    // a file, not in the task that shows the first one.
    use_effect_with((), |_| {
        let warm = gloo::timers::callback::Timeout::new(0, || {
            let _ = parkview::capture::time_in_path("");
        });
        move || drop(warm)
    });
    // What failed to load, or was removed, is not brought back by a reload: its record goes.
    {
        let d = state.dispatcher();
        use_effect_with(state.orphaned_kept(), move |orphans| {
            for &(input, key) in orphans {
                let d = d.clone();
                spawn_local(async move {
                    let _ = crate::store::remove(key).await;
                    d.dispatch(Action::Unkept(input));
                });
            }
        });
    }
    let on_forget = {
        let d = state.dispatcher();
        Callback::from(move |()| {
            let d = d.clone();
            spawn_local(async move {
                match crate::store::clear().await {
                    Ok(()) => d.dispatch(Action::ForgotStored),
                    Err(why) => d.dispatch(Action::NotKept { id: 0, name: "kept files".into(), message: format!("could not be forgotten: {why}") }),
                }
            });
        })
    };
    let on_rename = {
        let d = state.dispatcher();
        Callback::from(move |(id, name): (u32, String)| d.dispatch(Action::Rename(id, name)))
    };
    let on_show = {
        let d = state.dispatcher();
        Callback::from(move |v| d.dispatch(Action::Show(v)))
    };
    let on_chain = {
        let (channel, active) = (channel.clone(), state.active);
        Callback::from(move |goroutine: u64| {
            if let Some(id) = active {
                channel.send(Request::Parents { id, goroutine });
            }
        })
    };
    let on_copy = {
        let (copied, copies) = (copied.clone(), copies.clone());
        Callback::from(move |text: String| {
            let clipboard = gloo::utils::window().navigator().clipboard();
            let (copied, copies) = (copied.clone(), copies.clone());
            spawn_local(async move {
                let said = match wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text)).await {
                    Ok(_) => "Copied to the clipboard.".to_string(),
                    Err(e) => format!("Could not copy: {}", e.as_string().or_else(|| js_sys::JSON::stringify(&e).ok().map(String::from)).unwrap_or_default()),
                };
                *copies.borrow_mut() += 1;
                let this = *copies.borrow();
                copied.set(Some(said));
                // The message goes after a while, unless a later copy said something since.
                gloo::timers::callback::Timeout::new(3_000, move || {
                    if *copies.borrow() == this {
                        copied.set(None);
                    }
                })
                .forget();
            });
        })
    };
    let active = state.active_snapshot().cloned();
    let d = state.dispatcher();
    let groups_callbacks = (
        {
            let d = d.clone();
            Callback::from(move |s| d.dispatch(Action::Search(s)))
        },
        {
            let d = d.clone();
            Callback::from(move |s| d.dispatch(Action::ToggleState(s)))
        },
        {
            let d = d.clone();
            Callback::from(move |s| d.dispatch(Action::SetSimilarity(s)))
        },
        {
            let d = d.clone();
            Callback::from(move |k| d.dispatch(Action::SetLabelKey(k)))
        },
        {
            let d = d.clone();
            Callback::from(move |s| d.dispatch(Action::Sort(s)))
        },
        {
            let d = d.clone();
            Callback::from(move |i| d.dispatch(Action::SelectRow(i)))
        },
        {
            let d = d.clone();
            Callback::from(move |_| d.dispatch(Action::ToggleArgs))
        },
    );
    let on_focus = {
        let d = d.clone();
        Callback::from(move |focus| d.dispatch(Action::Focus { snapshot: None, focus }))
    };
    let on_focus_in = {
        let d = d.clone();
        Callback::from(move |(snapshot, focus)| d.dispatch(Action::Focus { snapshot: Some(snapshot), focus }))
    };
    let on_download = Callback::from(|(name, kind, text): (String, String, String)| download(&name, &kind, &text));
    let on_share = {
        let d = d.clone();
        Callback::from(move |_| d.dispatch(Action::OpenShare))
    };
    let exports = active.as_ref().map(|s| {
        html! {
            <Exports report={s.report.clone()} name={s.name.clone()} view={state.groups.clone()} on_copy={on_copy.clone()}/>
        }
    });
    let on_theme = {
        let d = d.clone();
        Callback::from(move |_| d.dispatch(Action::CycleTheme))
    };
    let on_help = {
        let d = d.clone();
        Callback::from(move |_| d.dispatch(Action::ToggleHelp))
    };
    let theme_label = match state.theme {
        Theme::Auto => "theme: system",
        Theme::Light => "theme: light",
        Theme::Dark => "theme: dark",
    };

    let views = state.views();
    let empty_page = active.is_none() && state.view != View::Diff;
    let body = match (&active, state.view) {
        (Some(s), view) if !views.contains(&view) => html! {
            <p class="muted" data-testid="not-applicable">
                { format!("A {} profile holds samples, not goroutines: it has no {}. Its summary and flame graph show its samples.", s.report.profile, view.name()) }
            </p>
        },
        (_, View::Diff) => html! {
            <DiffView snapshots={state.comparable().into_iter().cloned().collect::<Vec<_>>()} samples_apart={state.snapshots.iter().any(|s| s.sample) && state.snapshots.iter().any(|s| !s.sample)}
                      compared={state.compared()} comparison={state.comparison.clone()}
                      on_base={dispatch(Action::PickBase)} on_new={dispatch(Action::PickNew)} on_focus={on_focus_in}
                      on_swap={{ let d = d.clone(); Callback::from(move |()| d.dispatch(Action::SwapCompared)) }}
                      similarity={state.diff_similarity} on_similarity={{ let d = d.clone(); Callback::from(move |s| d.dispatch(Action::SetDiffSimilarity(s))) }}/>
        },
        (Some(s), View::Summary) => html! {
            <Summary report={s.report.clone()} rules={state.groups.rules_draft.clone()} rules_error={state.groups.rules_error.clone()}
                     on_mark={text_action(Action::MarkExpected)} on_rules={text_action(Action::SetRules)} on_copy={on_copy.clone()}
                     on_focus={on_focus.clone()} on_state={text_action(Action::OnlyState)}
                     top={html! { <Top report={s.report.clone()} on_sample_type={text_action(Action::SetSampleType)}/> }}/>
        },
        (Some(s), View::Groups) => html! {
            <Groups report={s.report.clone()} view={state.groups.clone()} search_ref={search_ref.clone()}
                    on_search={groups_callbacks.0} on_toggle_state={groups_callbacks.1} on_similarity={groups_callbacks.2}
                    on_toggle_background={{ let d = d.clone(); Callback::from(move |()| d.dispatch(Action::ToggleBackground)) }}
                    on_label_key={groups_callbacks.3} on_sort={groups_callbacks.4} on_select={groups_callbacks.5}
                    on_toggle_args={groups_callbacks.6} on_copy={on_copy.clone()} on_mark={text_action(Action::MarkExpected)}
                    on_focus={on_focus.clone()} on_clear_focus={{ let d = d.clone(); Callback::from(move |()| d.dispatch(Action::ClearFocus)) }}/>
        },
        (Some(s), View::Creators) => {
            let chain = state.chain.clone().filter(|(id, _, _)| *id == s.id).map(|(_, g, links)| (g, links));
            html! { <Creators report={s.report.clone()} chain={chain} on_chain={on_chain} on_focus={on_focus.clone()}/> }
        }
        (Some(s), View::Flame) => html! { <Flame report={s.report.clone()} on_sample_type={text_action(Action::SetSampleType)}/> },
        (None, _) => html! {
            <div class="empty">
                <p class="welcome">{ "Drop a goroutine dump (debug=1 or debug=2), a panic or SIGQUIT traceback, or a pprof profile." }</p>
                <p class="muted">{ "Everything is decoded here, in your browser: no upload, no server." }</p>
                <button class="button primary" onclick={on_sample.clone()} data-testid="try-sample">{ "Try a sample: a service that leaks" }</button>
                <div class="how" data-testid="how-to-get">
                    <h2>{ "Getting a dump" }</h2>
                    <ul>
                        <li>{ "From a program that serves " }<code>{ "net/http/pprof" }</code>{ ": " }<code>{ "curl -s 'localhost:6060/debug/pprof/goroutine?debug=2' > goroutines.txt" }</code></li>
                        <li>{ "From any Go program: " }<code>{ "kill -QUIT <pid>" }</code>{ " prints every goroutine's stack to its standard error, and a panic prints its own" }</li>
                        <li>{ "Profiles: what " }<code>{ "go tool pprof" }</code>{ " saves, or " }<code>{ "runtime/pprof" }</code>{ " writes (" }<code>{ "pprof.Lookup(\"goroutine\").WriteTo(w, 2)" }</code>{ ")" }</li>
                    </ul>
                </div>
            </div>
        },
    };
    html! {
        <div class={classes!("page", dragging.then_some("dragging"))}
             ondragover={on_dragover} ondragleave={on_dragleave} ondrop={on_drop}>
            <header class="bar">
                <h1 class="brand">{ logo() }{ "parkview" }</h1>
                // A real button (Enter and Space open the picker) for the input it clicks.
                <button class="button primary" onclick={open_picker} data-testid="open-dumps">{ "Open dumps…" }</button>
                <input ref={file_ref} data-testid="file-input" class="visually-hidden" type="file" multiple=true onchange={on_files}
                       tabindex="-1" aria-hidden="true"/>
                // One sample button at a time: the empty page has its own.
                if !empty_page {
                    <button class="button" onclick={on_sample} data-testid="try-sample-bar">{ "Try a sample" }</button>
                }
                <span class="hint">{ "or drop files anywhere, or paste (Ctrl/⌘+V). Nothing leaves this page." }</span>
                <span class="spacer-flex"></span>
                <button class="button" onclick={on_share} disabled={state.snapshots.is_empty()} data-testid="share-button">{ "Share…" }</button>
                <button class="button" onclick={on_theme} data-testid="theme-toggle">{ theme_label }</button>
                <button class="button" onclick={on_help} aria-label="keyboard shortcuts">{ "?" }</button>
            </header>
            if let Some(notice) = &state.notice {
                <div class="notice" role="status" data-testid="notice">
                    <span>{ notice }</span>
                    <button class="link" onclick={{ let d = d.clone(); Callback::from(move |_| d.dispatch(Action::DismissNotice)) }} aria-label="dismiss">{ "×" }</button>
                </div>
            }
            <ErrorList errors={state.errors.clone()} on_dismiss={dispatch(Action::DismissError)}/>
            <SnapshotList snapshots={state.snapshots.clone()} pending={state.pending.clone()} active={state.active}
                          on_select={dispatch(Action::Select)} on_remove={on_remove} on_rename={on_rename}/>
            <Stored kept={state.kept.len()} on_forget={on_forget}/>
            if !state.snapshots.is_empty() {
                <div class="tabs-row">
                    <Tabs view={state.view} views={views.clone()} on_show={on_show}/>
                    { exports.unwrap_or_default() }
                </div>
            }
            if state.snapshots.is_empty() {
                <main class="content">{ body }</main>
            } else {
                <main class="content" role="tabpanel" id={PANEL_ID} aria-labelledby={tab_id(state.view)}>{ body }</main>
            }
            <div class={classes!("copied", copied.is_none().then_some("idle"))} role="status" data-testid="copied">{ (*copied).clone().unwrap_or_default() }</div>
            if let Some(dialog) = state.share.clone() {
                <ShareView dialog={dialog} report={active.as_ref().map(|s| s.report.clone())} name={active.as_ref().map(|s| s.name.clone()).unwrap_or_default()} base_url={base_url()}
                           on_redaction={{ let d = d.clone(); Callback::from(move |r| d.dispatch(Action::SetRedaction(r))) }}
                           on_copy={on_copy.clone()} on_download={on_download}
                           on_close={{ let d = d.clone(); Callback::from(move |_| d.dispatch(Action::CloseShare)) }}/>
            }
            if state.help {
                <Help on_close={{ let d = d.clone(); Callback::from(move |_| d.dispatch(Action::ToggleHelp)) }}/>
            }
        </div>
    }
}

/// Says on the page that the app stopped (a panic on the page's thread), as text.
pub fn show_fatal(message: &str) {
    let document = gloo::utils::document();
    if let (Ok(note), Some(body)) = (document.create_element("p"), document.body()) {
        note.set_class_name("fatal");
        let _ = note.set_attribute("role", "alert");
        note.set_text_content(Some(&format!("parkview stopped ({message}). Reload the page and open your files again: nothing was sent anywhere.")));
        let _ = body.prepend_with_node_1(&note);
    }
}

/// The logo, drawn in the page: once the page is locked down it loads no image (index.html's
/// icon is the same drawing, as a data: URL).
fn logo() -> Html {
    html! {
        <svg class="logo" viewBox="0 0 32 32" aria-hidden="true">
            <rect width="32" height="32" rx="7" fill="#2f6fde"/>
            <path d="M9 24V8h8a5 5 0 0 1 0 10h-8" fill="none" stroke="#fff" stroke-width="3.2" stroke-linecap="round" stroke-linejoin="round"/>
            <circle cx="23" cy="24" r="2.4" fill="#ffd166"/>
        </svg>
    }
}

/// The page's address without its fragment.
fn base_url() -> String {
    let href = gloo::utils::window().location().href().unwrap_or_default();
    href.split('#').next().unwrap_or_default().to_string()
}
