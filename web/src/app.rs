//! The page: getting data in (drop anywhere, file picker, paste anywhere), handing it to the
//! worker, and showing the active snapshot's report.

use crate::agent::{analyse, AnalyseInput, AnalyseOutput, Analyser};
use crate::state::{Action, State};
use crate::views::{ErrorList, GroupsTable, SnapshotList, Summary};
use gloo::events::{EventListener, EventListenerOptions};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{ClipboardEvent, DragEvent, FileList, HtmlInputElement};
use yew::prelude::*;
use yew_agent::Spawnable;

/// Where the core runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Runner {
    /// In a Web Worker (the page). The worker's loader sits beside index.html.
    #[default]
    Worker,
    /// On the page's own thread: component tests, which have no worker script to load.
    InPage,
}

#[derive(Properties, PartialEq, Default)]
pub struct AppProps {
    #[prop_or_default]
    pub runner: Runner,
}

async fn run(runner: Runner, bytes: Vec<u8>) -> AnalyseOutput {
    match runner {
        Runner::InPage => analyse(&bytes),
        Runner::Worker => {
            // Relative, so that the site works from any sub-path. Trunk's loader shim is a
            // classic script (importScripts), hence not a module worker.
            let mut bridge = Analyser::spawner().with_loader(true).as_module(false).spawn("./worker_loader.js");
            bridge.run(AnalyseInput { bytes }).await
        }
    }
}

/// Starts reading one input: registers it as pending, analyses it, and records the outcome.
fn load(state: UseReducerDispatcher<State>, runner: Runner, id: u32, name: String, bytes: Vec<u8>) {
    state.dispatch(Action::Started { id, name: name.clone() });
    spawn_local(async move {
        let size = bytes.len();
        match run(runner, bytes).await {
            Ok(report) => state.dispatch(Action::Loaded { id, name, size, report }),
            Err(message) => state.dispatch(Action::Failed { id, name, message }),
        }
    });
}

/// Reads every file of a list, each as its own snapshot.
fn load_files(state: UseReducerDispatcher<State>, runner: Runner, ids: Rc<Cell<u32>>, files: FileList) {
    for i in 0..files.length() {
        let Some(file) = files.get(i) else { continue };
        let file = gloo::file::File::from(file);
        let id = next_id(&ids);
        let name = file.name();
        let state = state.clone();
        spawn_local(async move {
            match gloo::file::futures::read_as_bytes(&file).await {
                Ok(bytes) => load(state, runner, id, name, bytes),
                Err(e) => state.dispatch(Action::Failed { id, name, message: format!("could not read the file: {e}") }),
            }
        });
    }
}

fn next_id(ids: &Cell<u32>) -> u32 {
    let id = ids.get() + 1;
    ids.set(id);
    id
}

#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let state = use_reducer(State::default);
    let counter = use_memo((), |_| Rc::new(Cell::new(0u32)));
    let dragging = use_state(|| false);
    let runner = props.runner;

    // Paste anywhere: a dump or a debug=1 text in the clipboard, or copied files.
    {
        let dispatcher = state.dispatcher();
        let counter = (*counter).clone();
        use_effect_with((), move |_| {
            let document = gloo::utils::document();
            let listener = EventListener::new_with_options(&document, "paste", EventListenerOptions::enable_prevent_default(), move |event| {
                let Some(event) = event.dyn_ref::<ClipboardEvent>() else { return };
                let Some(data) = event.clipboard_data() else { return };
                if let Some(files) = data.files().filter(|f| f.length() > 0) {
                    event.prevent_default();
                    load_files(dispatcher.clone(), runner, counter.clone(), files);
                    return;
                }
                let text = data.get_data("text").unwrap_or_default();
                // Typing into a text field is the user's business, not a dump.
                let in_field = event.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()).is_some();
                if !text.trim().is_empty() && !in_field {
                    event.prevent_default();
                    let id = next_id(&counter);
                    load(dispatcher.clone(), runner, id, format!("pasted text {id}"), text.into_bytes());
                }
            });
            move || drop(listener)
        });
    }

    let on_files = {
        let dispatcher = state.dispatcher();
        let counter = (*counter).clone();
        Callback::from(move |event: Event| {
            let Some(input) = event.target_dyn_into::<HtmlInputElement>() else { return };
            if let Some(files) = input.files() {
                load_files(dispatcher.clone(), runner, counter.clone(), files);
            }
            // Choosing the same file again must load it again.
            input.set_value("");
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
        let dispatcher = state.dispatcher();
        let counter = (*counter).clone();
        let dragging = dragging.clone();
        Callback::from(move |event: DragEvent| {
            event.prevent_default();
            dragging.set(false);
            let Some(data) = event.data_transfer() else { return };
            match data.files().filter(|f| f.length() > 0) {
                Some(files) => load_files(dispatcher.clone(), runner, counter.clone(), files),
                None => {
                    let text = data.get_data("text").unwrap_or_default();
                    if !text.trim().is_empty() {
                        let id = next_id(&counter);
                        load(dispatcher.clone(), runner, id, format!("dropped text {id}"), text.into_bytes());
                    }
                }
            }
        })
    };
    let on_select = {
        let dispatcher = state.dispatcher();
        Callback::from(move |id| dispatcher.dispatch(Action::Select(id)))
    };
    let on_remove = {
        let dispatcher = state.dispatcher();
        Callback::from(move |id| dispatcher.dispatch(Action::Remove(id)))
    };
    let on_dismiss = {
        let dispatcher = state.dispatcher();
        Callback::from(move |id| dispatcher.dispatch(Action::DismissError(id)))
    };

    let active = state.active_snapshot().cloned();
    html! {
        <div class={classes!("page", dragging.then_some("dragging"))}
             ondragover={on_dragover} ondragleave={on_dragleave} ondrop={on_drop}>
            <header class="bar">
                <h1 class="brand"><img src="icon.svg" alt="" class="logo"/>{ "parkview" }</h1>
                <label class="button primary">
                    { "Open dumps…" }
                    <input data-testid="file-input" class="visually-hidden" type="file" multiple=true onchange={on_files}/>
                </label>
                <span class="hint">{ "or drop files anywhere, or paste (Ctrl/⌘+V). Nothing leaves this page." }</span>
            </header>
            <ErrorList errors={state.errors.clone()} on_dismiss={on_dismiss}/>
            <SnapshotList snapshots={state.snapshots.clone()} pending={state.pending.clone()} active={state.active}
                          on_select={on_select} on_remove={on_remove}/>
            {
                match active {
                    Some(snapshot) => html! {
                        <main class="content">
                            <Summary name={snapshot.name.clone()} report={snapshot.report.clone()}/>
                            <GroupsTable report={snapshot.report.clone()}/>
                        </main>
                    },
                    None => html! {
                        <main class="content empty">
                            <p class="welcome">{ "Drop a goroutine dump (debug=1 or debug=2), a panic or SIGQUIT traceback, or a pprof profile." }</p>
                            <p class="muted">{ "Everything is decoded here, in your browser: no upload, no server." }</p>
                        </main>
                    },
                }
            }
        </div>
    }
}
