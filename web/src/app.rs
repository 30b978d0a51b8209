//! The page: getting data in (drop anywhere, file picker, paste anywhere, a sample), talking to
//! the worker, keyboard and theme, and which view shows the active snapshot.

use crate::agent::{read_file, WorkerSource};
use crate::engine::{Engine, Grouping, Request, Response};
use crate::host::{Host, HostEvent, Source};
use crate::link::{fragment, parse_fragment, ViewLink};
use parkview::export::{markdown, states_svg};
use crate::state::{Action, Comparison, State, Theme, View};
use crate::views::creators::Creators;
use crate::views::diff::DiffView;
use crate::views::flame::Flame;
use crate::views::groups::Groups;
use crate::views::share::ShareView;
use crate::views::{ErrorList, Help, SnapshotList, Summary, Tabs};
use gloo::events::{EventListener, EventListenerOptions};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{ClipboardEvent, DragEvent, FileList, HtmlElement, HtmlInputElement, KeyboardEvent, PopStateEvent};
use yew::prelude::*;

/// Two snapshots of a small service with a visible leak, shipped in www/samples/.
const SAMPLES: [(&str, &[u8]); 2] = [
    ("sample: service at 4 s", include_bytes!("../../www/samples/service.s1.goroutine.debug2.txt")),
    ("sample: service at 152 s", include_bytes!("../../www/samples/service.s3.goroutine.debug2.txt")),
];

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

/// Sends requests to the engine, wherever it runs; responses come back as actions.
#[derive(Clone)]
enum Channel {
    /// Web Workers, restarted when they die (see [`Host`]).
    Worker(Rc<Host>),
    /// On the page's own thread, no worker: what a crash takes, the page loses.
    InPage(Rc<RefCell<Engine>>, Callback<Response>),
}

impl Channel {
    fn send(&self, request: Request) {
        match self {
            Channel::Worker(host) => host.send(request),
            Channel::InPage(engine, respond) => {
                let (engine, respond) = (engine.clone(), respond.clone());
                // Answer later, as a worker would, never inside the caller's render.
                spawn_local(async move { respond.emit(engine.borrow_mut().handle(request)) });
            }
        }
    }

    /// Hands a file to the engine, which reads and decodes it slice by slice.
    fn read(&self, id: u32, name: String, file: web_sys::File, grouping: Grouping) {
        match self {
            Channel::Worker(host) => host.load(id, name, Source::File(file)),
            Channel::InPage(engine, respond) => {
                let respond = respond.clone();
                spawn_local(read_file(engine.clone(), id, file.into(), grouping, move |r| respond.emit(r)));
            }
        }
    }

    /// Hands text the page holds (pasted, dropped, a sample) to the engine.
    fn load(&self, id: u32, name: String, bytes: Vec<u8>, grouping: Grouping) {
        match self {
            Channel::Worker(host) => host.load(id, name, Source::Bytes(bytes.into())),
            Channel::InPage(..) => self.send(Request::Load { id, bytes, grouping }),
        }
    }

    /// Reads a link or share file (in a throwaway worker first, where there are workers).
    fn import(&self, text: String, first_id: u32, grouping: Grouping) {
        match self {
            Channel::Worker(host) => host.import(text.into(), first_id),
            Channel::InPage(..) => self.send(Request::Import { text, first_id, grouping }),
        }
    }

    fn set_grouping(&self, grouping: &Grouping) {
        if let Channel::Worker(host) = self {
            host.set_grouping(grouping);
        }
    }
}

/// The time of day as `14:03:59`. Formatted here: the first `toLocaleTimeString` call loads
/// locale data, which cost ~20 ms on the page's thread right when a report arrives.
fn now() -> String {
    let d = js_sys::Date::new_0();
    format!("{:02}:{:02}:{:02}", d.get_hours(), d.get_minutes(), d.get_seconds())
}

fn action_for(response: Response, pending: &[u32], ids: &Cell<u32>, opened: &RefCell<Option<ViewLink>>) -> Option<Action> {
    match response {
        Response::Shared { fragment } => Some(Action::Shared(fragment)),
        Response::Imported { snapshots, view } => {
            // The engine numbered the snapshots; later loads must not reuse those ids.
            ids.set(ids.get().max(snapshots.iter().map(|s| s.0).max().unwrap_or(0)));
            let snapshots = snapshots.into_iter().map(|(id, name, report)| (id, name, *report)).collect();
            Some(Action::Imported { snapshots, view, address_view: opened.borrow_mut().take(), loaded_at: now() })
        }
        Response::ImportFailed { first_id, message } => Some(Action::ImportFailed { first_id, message }),
        Response::Report { id, report } if pending.contains(&id) => Some(Action::Loaded { id, report: *report, loaded_at: now() }),
        Response::Report { id, report } => Some(Action::Regrouped { id, report: *report }),
        Response::Failed { id, message } => Some(Action::Failed { id, name: None, message }),
        Response::Compared { base, new, diff, series } => {
            Some(Action::Compared(Comparison { base, new, diff: Rc::new(*diff), series: series.map(|s| Rc::new(*s)) }))
        }
        Response::Parents { id, goroutine, chain } => Some(Action::Parents { id, goroutine, chain }),
        Response::Progress { id, read } => Some(Action::Progress { id, read: read as usize }),
        Response::Forgotten { .. } | Response::Ready | Response::Crashed { .. } => None,
    }
}

fn next_id(ids: &Cell<u32>) -> u32 {
    let id = ids.get() + 1;
    ids.set(id);
    id
}

/// Everything that starts a load: the channel, the dispatcher, the id counter, and the state
/// the request needs (grouping, base).
#[derive(Clone)]
struct Loader {
    channel: Channel,
    state: UseReducerHandle<State>,
    ids: Rc<Cell<u32>>,
}

impl Loader {
    fn bytes(&self, name: String, bytes: Vec<u8>) {
        let id = next_id(&self.ids);
        self.state.dispatch(Action::Started { id, name: name.clone(), size: bytes.len() });
        self.state.dispatch(Action::Read { id });
        self.send_load(id, name, bytes);
    }

    fn send_load(&self, id: u32, name: String, bytes: Vec<u8>) {
        let grouping = self.state.groups.grouping.clone();
        if bytes.starts_with(parkview::share::SHARE_FILE_HEADER.as_bytes()) {
            // A share file: its snapshots take this input's place in the list.
            self.state.dispatch(Action::Failed { id, name: None, message: String::new() });
            self.state.dispatch(Action::DismissError(id));
            let text = String::from_utf8_lossy(&bytes).into_owned();
            self.channel.import(text, next_id(&self.ids), grouping);
            self.ids.set(self.ids.get() + parkview::limits::MAX_SNAPSHOTS as u32);
            return;
        }
        self.channel.load(id, name, bytes, grouping);
    }

    fn files(&self, files: FileList) {
        for i in 0..files.length() {
            let Some(handle) = files.get(i) else { continue };
            let file = gloo::file::File::from(handle.clone());
            let id = next_id(&self.ids);
            let (name, size) = (file.name(), file.size());
            self.state.dispatch(Action::Started { id, name: name.clone(), size: size as usize });
            let loader = self.clone();
            spawn_local(async move {
                // A share file (small, known by its first line) is read here and imported; any
                // other file goes to the engine as it is, which reads it.
                let header = parkview::share::SHARE_FILE_HEADER.as_bytes();
                let start = gloo::file::futures::read_as_bytes(&file.slice(0, header.len() as u64)).await.unwrap_or_default();
                if start != header {
                    loader.channel.read(id, name, handle, loader.state.groups.grouping.clone());
                    return;
                }
                // Base64 text longer than this cannot inflate within the link limit: not read.
                if file.size() > parkview::limits::MAX_LINK_BYTES / 3 * 4 + (1 << 20) {
                    let message = format!("a share file of {} is more than parkview reads (MAX_LINK_BYTES)", crate::views::human_bytes(file.size() as usize));
                    loader.state.dispatch(Action::Failed { id, name: Some(name), message });
                    return;
                }
                match gloo::file::futures::read_as_bytes(&file).await {
                    Ok(bytes) => {
                        loader.state.dispatch(Action::Read { id });
                        loader.send_load(id, name, bytes);
                    }
                    Err(e) => loader.state.dispatch(Action::Failed { id, name: Some(name), message: format!("could not read the file: {e}") }),
                }
            });
        }
    }
}

fn in_text_field(target: Option<web_sys::EventTarget>) -> bool {
    target.and_then(|t| t.dyn_into::<HtmlElement>().ok()).is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
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
    // Which inputs are being read, for turning a report response into "loaded" or "regrouped".
    let pending = use_mut_ref(Vec::<u32>::new);
    *pending.borrow_mut() = state.pending.iter().map(|p| p.id).collect();
    // The data part of the address as the state knows it, for listeners set up once.
    let latest_data = use_mut_ref(|| None::<String>);
    if latest_data.borrow().as_deref() != state.data.as_deref() {
        latest_data.borrow_mut().clone_from(&state.data);
    }
    // The view in the address the page was opened with, until the link's import answers.
    let opened = use_mut_ref(|| None::<ViewLink>);
    let channel = {
        let dispatcher = state.dispatcher();
        let pending = pending.clone();
        let runner = props.runner;
        let (ids, opened) = ((*ids).clone(), opened.clone());
        use_memo((), move |_| {
            let on_event = {
                let dispatcher = dispatcher.clone();
                Callback::from(move |event: HostEvent| {
                    dispatcher.dispatch(match event {
                        HostEvent::Restarted { message, blamed } => Action::EngineRestarted { message, blamed },
                        HostEvent::GaveUp { message } => Action::EngineGaveUp { message },
                    })
                })
            };
            let on_response = Callback::from(move |response: Response| {
                if matches!(response, Response::Ready) {
                    // For the benchmark and the curious: the engine has started and warmed up.
                    if let Some(root) = gloo::utils::document().document_element() {
                        let _ = root.set_attribute("data-engine-ready", "true");
                    }
                }
                let action = action_for(response, &pending.borrow(), &ids, &opened);
                if let Some(action) = action {
                    dispatcher.dispatch(action);
                }
            });
            // Workers are made from what boot.js prepared before the page locked itself down.
            // Where no worker can start, the engine runs on the page's thread: slower, but the
            // page still works.
            let host = match runner {
                Runner::Worker => WorkerSource::from_page().and_then(|source| Host::start(source, on_response.clone(), on_event)),
                Runner::InPage => None,
            };
            match host {
                Some(host) => Channel::Worker(host),
                None => {
                    on_response.emit(Response::Ready);
                    Channel::InPage(Rc::new(RefCell::new(Engine::default())), on_response)
                }
            }
        })
    };
    let loader = Loader { channel: (*channel).clone(), state: state.clone(), ids: (*ids).clone() };

    // Regroup every snapshot when the grouping changes.
    {
        let (channel, state) = ((*channel).clone(), state.clone());
        use_effect_with(state.groups.grouping.clone(), move |grouping| {
            channel.set_grouping(grouping);
            for s in &state.snapshots {
                channel.send(Request::Regroup { id: s.id, grouping: grouping.clone() });
            }
        });
    }
    // Compare the picked (or oldest and newest) snapshots whenever the set or the picks change.
    {
        let channel = (*channel).clone();
        let ids: Vec<u32> = state.snapshots.iter().map(|s| s.id).collect();
        // Also after a restart: the comparison asked of the engine that died is asked again.
        use_effect_with((state.compared(), ids, state.engine_generation), move |(compared, ids, _)| {
            if let Some((base, new)) = *compared {
                channel.send(Request::Compare { base, new, ids: ids.clone() });
            }
        });
    }
    // A link opened with data or a view: import the data, or take on the view.
    {
        let (channel, dispatcher, ids, opened) = ((*channel).clone(), state.dispatcher(), (*ids).clone(), opened.clone());
        let grouping = state.groups.grouping.clone();
        let latest_data = latest_data.clone();
        use_effect_with((), move |_| {
            let hash = gloo::utils::window().location().hash().unwrap_or_default();
            let (view, data) = parse_fragment(&hash);
            match data {
                Some(data) => {
                    // The address's view, if any, wins over the one the data carries: it is newer.
                    *opened.borrow_mut() = view;
                    let first_id = next_id(&ids);
                    ids.set(ids.get() + parkview::limits::MAX_SNAPSHOTS as u32);
                    channel.import(data, first_id, grouping);
                }
                None => {}
            }
            let popstate = EventListener::new(&gloo::utils::window(), "popstate", {
                let dispatcher = dispatcher.clone();
                move |event| {
                    if event.dyn_ref::<PopStateEvent>().is_some() {
                        let hash = gloo::utils::window().location().hash().unwrap_or_default();
                        if let (Some(v), _) = parse_fragment(&hash) {
                            dispatcher.dispatch(Action::ApplyView(v));
                        }
                    }
                }
            });
            // A link pasted into the address bar of an open page changes only the fragment.
            let hashchange = EventListener::new(&gloo::utils::window(), "hashchange", move |_| {
                let hash = gloo::utils::window().location().hash().unwrap_or_default();
                match parse_fragment(&hash) {
                    (view, Some(data)) if latest_data.borrow().as_deref() != Some(data.as_str()) => {
                        *opened.borrow_mut() = view;
                        dispatcher.dispatch(Action::SetData(data.clone()));
                        let first_id = next_id(&ids);
                        ids.set(ids.get() + parkview::limits::MAX_SNAPSHOTS as u32);
                        channel.import(data, first_id, Grouping::default());
                    }
                    (Some(v), _) => dispatcher.dispatch(Action::ApplyView(v)),
                    _ => {}
                }
            });
            move || drop((popstate, hashchange))
        });
    }
    // The address follows the view: a new history entry for another view or snapshot, the
    // same entry for typing and filtering.
    {
        let view_link = ViewLink::of(&state);
        let last = use_mut_ref(|| None::<ViewLink>);
        let data = state.data.clone();
        // Until a link's data is imported the address stays as it came.
        let importing = state.data.is_some() && state.snapshots.is_empty() && state.errors.is_empty();
        use_effect_with((view_link, data, importing), move |(view_link, data, importing)| {
            if *importing {
                return;
            }
            let window = gloo::utils::window();
            let wanted = fragment(view_link, data.as_deref());
            if window.location().hash().unwrap_or_default() != wanted {
                if let Ok(history) = window.history() {
                    let new_entry = last.borrow().as_ref().is_some_and(|l| l.view != view_link.view || l.active != view_link.active);
                    let _ = if new_entry {
                        history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&wanted))
                    } else {
                        history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&wanted))
                    };
                }
            }
            *last.borrow_mut() = Some(view_link.clone());
        });
    }
    // Ask the worker for a link when the share dialog opens or its redaction changes (or the
    // engine that was asked died).
    {
        let channel = (*channel).clone();
        let wants_link = state.share.as_ref().filter(|d| d.link.is_none()).map(|d| d.redaction);
        let ids: Vec<(u32, String)> = state.snapshots.iter().map(|s| (s.id, s.name.clone())).collect();
        let view = ViewLink::of(&state).shared(wants_link.unwrap_or_default()).to_json();
        use_effect_with((wants_link, state.engine_generation), move |(wants, _)| {
            if let Some(redaction) = *wants {
                channel.send(Request::Share { ids, redaction, view });
            }
        });
    }
    // The theme: a data-theme attribute on <html>, which the style sheet follows.
    use_effect_with(state.theme, |theme| {
        if let Some(root) = gloo::utils::document().document_element() {
            let _ = match theme {
                Theme::Auto => root.remove_attribute("data-theme"),
                Theme::Light => root.set_attribute("data-theme", "light"),
                Theme::Dark => root.set_attribute("data-theme", "dark"),
            };
        }
    });
    // Paste anywhere (a dump or debug=1 text, or copied files) and the keyboard.
    {
        let loader = loader.clone();
        let dispatcher = state.dispatcher();
        let search_ref = search_ref.clone();
        use_effect_with((), move |_| {
            let document = gloo::utils::document();
            let paste = EventListener::new_with_options(&document, "paste", EventListenerOptions::enable_prevent_default(), {
                let loader = loader.clone();
                move |event| {
                    let Some(event) = event.dyn_ref::<ClipboardEvent>() else { return };
                    let Some(data) = event.clipboard_data() else { return };
                    if let Some(files) = data.files().filter(|f| f.length() > 0) {
                        event.prevent_default();
                        loader.files(files);
                        return;
                    }
                    let text = data.get_data("text").unwrap_or_default();
                    // Typing into a text field is the user's business, not a dump.
                    if !text.trim().is_empty() && !in_text_field(event.target()) {
                        event.prevent_default();
                        let n = loader.ids.get() + 1;
                        loader.bytes(format!("pasted text {n}"), text.into_bytes());
                    }
                }
            });
            let keys = EventListener::new(&document, "keydown", move |event| {
                let Some(event) = event.dyn_ref::<KeyboardEvent>() else { return };
                if event.key() == "Escape" {
                    // Closes whatever is open, also from a text field.
                    dispatcher.dispatch(Action::Escape);
                    return;
                }
                if event.ctrl_key() || event.meta_key() || event.alt_key() || in_text_field(event.target()) {
                    return;
                }
                let action = match event.key().as_str() {
                    "/" => {
                        event.prevent_default();
                        dispatcher.dispatch(Action::Show(View::Groups));
                        let search_ref = search_ref.clone();
                        // Focus once the groups view is on the page.
                        spawn_local(async move {
                            gloo::timers::future::TimeoutFuture::new(0).await;
                            if let Some(input) = search_ref.cast::<HtmlInputElement>() {
                                let _ = input.focus();
                            }
                        });
                        return;
                    }
                    "j" => Action::MoveSelection(1),
                    "k" => Action::MoveSelection(-1),
                    "Enter" => Action::ToggleExpand,
                    "d" => Action::Show(View::Diff),
                    "t" => Action::CycleTheme,
                    "?" => Action::ToggleHelp,
                    k => match k.parse::<usize>().ok().and_then(|n| View::ALL.get(n.wrapping_sub(1))) {
                        Some(&v) => Action::Show(v),
                        None => return,
                    },
                };
                dispatcher.dispatch(action);
            });
            move || drop((paste, keys))
        });
    }

    let on_files = {
        let loader = loader.clone();
        Callback::from(move |event: Event| {
            let Some(input) = event.target_dyn_into::<HtmlInputElement>() else { return };
            if let Some(files) = input.files() {
                loader.files(files);
            }
            // Choosing the same file again must load it again.
            input.set_value("");
        })
    };
    let on_sample = {
        let loader = loader.clone();
        Callback::from(move |_| {
            for (name, bytes) in SAMPLES {
                loader.bytes(name.to_string(), bytes.to_vec());
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
                        let n = loader.ids.get() + 1;
                        loader.bytes(format!("dropped text {n}"), text.into_bytes());
                    }
                }
            }
        })
    };
    let dispatch = |f: fn(u32) -> Action| {
        let d = state.dispatcher();
        Callback::from(move |id: u32| d.dispatch(f(id)))
    };
    let on_remove = {
        let (d, channel) = (state.dispatcher(), (*channel).clone());
        Callback::from(move |id: u32| {
            channel.send(Request::Forget { id });
            d.dispatch(Action::Remove(id));
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
        let (channel, active) = ((*channel).clone(), state.active);
        Callback::from(move |goroutine: u64| {
            if let Some(id) = active {
                channel.send(Request::Parents { id, goroutine });
            }
        })
    };
    let on_copy = Callback::from(|text: String| {
        let clipboard = gloo::utils::window().navigator().clipboard();
        spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text)).await;
        });
    });
    let active = state.active_snapshot().cloned();
    let d = state.dispatcher();
    let groups_callbacks = (
        { let d = d.clone(); Callback::from(move |s| d.dispatch(Action::Search(s))) },
        { let d = d.clone(); Callback::from(move |s| d.dispatch(Action::ToggleState(s))) },
        { let d = d.clone(); Callback::from(move |s| d.dispatch(Action::SetSimilarity(s))) },
        { let d = d.clone(); Callback::from(move |k| d.dispatch(Action::SetLabelKey(k))) },
        { let d = d.clone(); Callback::from(move |s| d.dispatch(Action::Sort(s))) },
        { let d = d.clone(); Callback::from(move |i| d.dispatch(Action::SelectRow(i))) },
        { let d = d.clone(); Callback::from(move |_| d.dispatch(Action::ToggleArgs)) },
    );
    let on_download = Callback::from(|(name, kind, text): (String, String, String)| download(&name, &kind, &text));
    let on_share = { let d = d.clone(); Callback::from(move |_| d.dispatch(Action::OpenShare)) };
    // Each export is written when its button is clicked, not on every render: the JSON of a
    // large report alone took tens of milliseconds.
    let exports = active.as_ref().map(|s| {
        let (report, name, view) = (s.report.clone(), s.name.clone(), state.groups.clone());
        let md = Rc::new(move || markdown(&name, &report, &crate::state::visible_groups(&report.groups, &view)));
        let copy_md = { let (c, md) = (on_copy.clone(), md.clone()); Callback::from(move |_| c.emit(md())) };
        let save_md = Callback::from(move |_| download("parkview-summary.md", "text/markdown", &md()));
        let report = s.report.clone();
        let save_json = Callback::from(move |_| download("parkview-report.json", "application/json", &serde_json::to_string_pretty(&*report).unwrap_or_default()));
        let report = s.report.clone();
        let save_svg = Callback::from(move |_| download("parkview-wait-states.svg", "image/svg+xml", &states_svg(&report)));
        html! {
            <div class="exports">
                <button class="button small" onclick={copy_md} data-testid="export-markdown">{ "copy Markdown" }</button>
                <button class="button small" onclick={save_md}>{ "Markdown file" }</button>
                <button class="button small" onclick={save_json} data-testid="export-json">{ "JSON report" }</button>
                <button class="button small" onclick={save_svg} data-testid="export-svg">{ "chart as SVG" }</button>
            </div>
        }
    });
    let on_theme = { let d = d.clone(); Callback::from(move |_| d.dispatch(Action::CycleTheme)) };
    let on_help = { let d = d.clone(); Callback::from(move |_| d.dispatch(Action::ToggleHelp)) };
    let theme_label = match state.theme {
        Theme::Auto => "theme: system",
        Theme::Light => "theme: light",
        Theme::Dark => "theme: dark",
    };

    let body = match (&active, state.view) {
        (_, View::Diff) => html! {
            <DiffView snapshots={state.snapshots.clone()} compared={state.compared()} comparison={state.comparison.clone()}
                      on_base={dispatch(Action::PickBase)} on_new={dispatch(Action::PickNew)}/>
        },
        (Some(s), View::Summary) => html! { <Summary report={s.report.clone()}/> },
        (Some(s), View::Groups) => html! {
            <Groups report={s.report.clone()} view={state.groups.clone()} search_ref={search_ref.clone()}
                    on_search={groups_callbacks.0} on_toggle_state={groups_callbacks.1} on_similarity={groups_callbacks.2}
                    on_label_key={groups_callbacks.3} on_sort={groups_callbacks.4} on_select={groups_callbacks.5}
                    on_toggle_args={groups_callbacks.6} on_copy={on_copy.clone()}/>
        },
        (Some(s), View::Creators) => {
            let chain = state.chain.clone().filter(|(id, _, _)| *id == s.id).map(|(_, g, links)| (g, links));
            html! { <Creators report={s.report.clone()} chain={chain} on_chain={on_chain}/> }
        }
        (Some(s), View::Flame) => html! { <Flame report={s.report.clone()}/> },
        (None, _) => html! {
            <div class="empty">
                <p class="welcome">{ "Drop a goroutine dump (debug=1 or debug=2), a panic or SIGQUIT traceback, or a pprof profile." }</p>
                <p class="muted">{ "Everything is decoded here, in your browser: no upload, no server." }</p>
                <button class="button primary" onclick={on_sample.clone()} data-testid="try-sample-big">{ "Try a sample: a service that leaks" }</button>
            </div>
        },
    };
    html! {
        <div class={classes!("page", dragging.then_some("dragging"))}
             ondragover={on_dragover} ondragleave={on_dragleave} ondrop={on_drop}>
            <header class="bar">
                <h1 class="brand">{ logo() }{ "parkview" }</h1>
                <label class="button primary">
                    { "Open dumps…" }
                    <input data-testid="file-input" class="visually-hidden" type="file" multiple=true onchange={on_files}/>
                </label>
                <button class="button" onclick={on_sample} data-testid="try-sample">{ "Try a sample" }</button>
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
            if !state.snapshots.is_empty() {
                <div class="tabs-row">
                    <Tabs view={state.view} on_show={on_show}/>
                    { exports.unwrap_or_default() }
                </div>
            }
            <main class="content">{ body }</main>
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

/// Saves text as a file the browser downloads (a blob: URL; nothing leaves the machine).
fn download(name: &str, kind: &str, text: &str) {
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
