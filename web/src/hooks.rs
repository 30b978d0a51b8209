//! The page's side effects, as hooks: the engine (worker host, or the engine on the page's
//! thread) and what is asked of it when the state changes; getting data in ([`Loader`]); the
//! address (links, back and forward, the view in the URL); paste and the keyboard; the theme.

use crate::agent::{read_file, WorkerSource};
use crate::engine::Engine;
use crate::host::{Host, HostEvent, Source};
use crate::link::{fragment, parse_fragment, ViewLink};
use crate::protocol::{Grouping, Request, Response};
use crate::state::{Action, Comparison, State, Theme, View};
use gloo::events::{EventListener, EventListenerOptions};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{ClipboardEvent, FileList, HtmlElement, HtmlInputElement, KeyboardEvent, PopStateEvent};
use yew::prelude::*;

/// Where the core runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Runner {
    /// In Web Workers (the page), made from what boot.js prepared.
    #[default]
    Worker,
    /// On the page's own thread: component tests, which have no worker script to load.
    InPage,
}

/// Sends requests to the engine, wherever it runs; responses come back as actions.
#[derive(Clone)]
pub enum Channel {
    /// Web Workers, restarted when they die (see [`Host`]).
    Worker(Rc<Host>),
    /// On the page's own thread, no worker: what a crash takes, the page loses.
    InPage(Rc<RefCell<Engine>>, Callback<Response>),
}

impl Channel {
    pub fn send(&self, request: Request) {
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

/// Now, in nanoseconds since the Unix epoch: the time of last resort of a snapshot.
fn now() -> i64 {
    js_sys::Date::now() as i64 * 1_000_000
}

fn action_for(response: Response, pending: &[u32], ids: &Cell<u32>, opened: &RefCell<Option<ViewLink>>) -> Option<Action> {
    match response {
        Response::Shared { fragment } => Some(Action::Shared(Ok(fragment))),
        Response::ShareFailed { message } => Some(Action::Shared(Err(message))),
        Response::Imported { snapshots, view } => {
            // The engine numbered the snapshots; later loads must not reuse those ids.
            ids.set(ids.get().max(snapshots.iter().map(|s| s.0).max().unwrap_or(0)));
            let snapshots = snapshots.into_iter().map(|(id, name, report)| (id, name, *report)).collect();
            Some(Action::Imported { snapshots, view, address_view: opened.borrow_mut().take(), loaded_at: now() })
        }
        Response::ImportFailed { first_id, message } => Some(Action::ImportFailed { first_id, message }),
        Response::Bundle { id, snapshots, skipped } => {
            let snapshots = snapshots.into_iter().map(|(id, name, report)| (id, name, *report)).collect();
            Some(Action::LoadedBundle { id, snapshots, skipped, loaded_at: now() })
        }
        Response::Report { id, report } if pending.contains(&id) => Some(Action::Loaded { id, report: *report, loaded_at: now() }),
        Response::Report { id, report } => Some(Action::Regrouped { id, report: *report }),
        Response::Failed { id, message } => Some(Action::Failed { id, name: None, message }),
        Response::Compared { base, new, diff, same_program } => Some(Action::Compared(Comparison { base, new, same_program, diff: Rc::new(*diff) })),
        Response::Parents { id, goroutine, chain } => Some(Action::Parents { id, goroutine, chain }),
        Response::Progress { id, read } => Some(Action::Progress { id, read: read as usize }),
        Response::Forgotten { .. } | Response::Ready { .. } | Response::Crashed { .. } => None,
    }
}

/// The id of the next input; the ids after it, up to [`parkview::limits::MAX_SNAPSHOTS`], are
/// kept free for the other snapshots the input may hold (a bundle's).
fn next_id(ids: &Cell<u32>) -> u32 {
    let id = ids.get() + 1;
    ids.set(id + parkview::limits::MAX_SNAPSHOTS as u32 - 1);
    id
}

/// Everything that starts a load: the channel, the dispatcher, the id counter, and the state
/// the request needs (grouping, base).
#[derive(Clone)]
pub struct Loader {
    pub channel: Channel,
    pub state: UseReducerHandle<State>,
    pub ids: Rc<Cell<u32>>,
    /// The inputs to keep in the browser's storage for a reload ([`crate::store`]) once they
    /// have loaded; `None` where nothing is kept (component tests).
    pub keep: Option<Rc<RefCell<Vec<ToKeep>>>>,
}

/// An input to keep for a reload once it has loaded: written when the page is next idle, so
/// that the browser's storage does not take the cores while the input is decoded and shown,
/// and never if it fails.
pub struct ToKeep {
    id: u32,
    name: String,
    sample: bool,
    data: wasm_bindgen::JsValue,
}

impl Loader {
    /// Loads bytes the page holds (pasted or dropped text); `sample` marks the samples behind
    /// "Try a sample". `kept` is their key in the browser's storage if they came from there.
    pub fn bytes(&self, name: String, bytes: Vec<u8>, sample: bool, kept: Option<u32>) {
        let id = next_id(&self.ids);
        self.state.dispatch(Action::Started { id, name: name.clone(), size: bytes.len(), modified: None, sample });
        self.state.dispatch(Action::Read { id });
        if !bytes.starts_with(parkview::share::SHARE_FILE_HEADER.as_bytes()) {
            let value = js_sys::Uint8Array::from(bytes.as_slice());
            self.keep(id, &name, sample, value.into(), kept);
        }
        self.send_load(id, name, bytes);
    }

    /// Keeps an input in the browser's storage once it has loaded (unless it came from there;
    /// see [`Loader::keep_loaded`]).
    fn keep(&self, id: u32, name: &str, sample: bool, data: wasm_bindgen::JsValue, kept: Option<u32>) {
        let Some(waiting) = &self.keep else { return };
        match kept {
            Some(key) => self.state.dispatch(Action::Kept { id, key }),
            None => waiting.borrow_mut().push(ToKeep { id, name: name.to_string(), sample, data }),
        }
    }

    /// Writes the inputs waiting to be kept that have loaded, and says so or why not; drops
    /// those that failed or were removed while loading.
    pub fn keep_loaded(&self) {
        let Some(waiting) = &self.keep else { return };
        let state = &*self.state;
        let done: Vec<ToKeep> = {
            let mut waiting = waiting.borrow_mut();
            let (done, still) = waiting.drain(..).partition(|k| !state.pending.iter().any(|p| p.id == k.id));
            *waiting = still;
            done
        };
        let loaded: Vec<ToKeep> = done.into_iter().filter(|k| state.snapshots.iter().any(|s| crate::state::of_input(k.id, s.id))).collect();
        if loaded.is_empty() {
            return;
        }
        let dispatcher = self.state.dispatcher();
        let write = wasm_bindgen::closure::Closure::once_into_js(move || {
            for ToKeep { id, name, sample, data } in loaded {
                let dispatcher = dispatcher.clone();
                spawn_local(async move {
                    match crate::store::keep(&name, sample, &data).await {
                        Ok(key) => dispatcher.dispatch(Action::Kept { id, key }),
                        Err(why) => {
                            dispatcher.dispatch(Action::NotKept { id, name: name.clone(), message: format!("loaded, but not kept for a reload: {why}") })
                        }
                    }
                });
            }
        });
        // When the page is idle (the first look at a snapshot, and the tab clicked next, go
        // first), and within a few seconds whatever happens.
        let options = web_sys::IdleRequestOptions::new();
        options.set_timeout(3000);
        let _ = gloo::utils::window().request_idle_callback_with_options(write.unchecked_ref(), &options);
    }

    /// Loads what the browser's storage kept from an earlier visit.
    pub fn restore(&self, kept: crate::store::Kept) {
        match kept.data {
            crate::store::Data::File(file) => self.file(file, Some(kept.key)),
            crate::store::Data::Bytes(bytes) => self.bytes(kept.name, bytes, kept.sample, Some(kept.key)),
        }
    }

    /// Loads text that came without a file name, named `what` (`pasted text`), then `what 2`
    /// and on for the next ones.
    pub fn text(&self, what: &str, text: String) {
        let state = &*self.state;
        let taken = state.snapshots.iter().map(|s| &s.name).chain(state.pending.iter().map(|p| &p.name)).filter(|n| n.starts_with(what)).count();
        let name = if taken == 0 { what.to_string() } else { format!("{what} {}", taken + 1) };
        self.bytes(name, text.into_bytes(), false, None);
    }

    fn send_load(&self, id: u32, name: String, bytes: Vec<u8>) {
        let grouping = self.state.report_grouping();
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

    pub fn files(&self, files: FileList) {
        for i in 0..files.length() {
            if let Some(handle) = files.get(i) {
                self.file(handle, None);
            }
        }
    }

    /// Loads one file; `kept` is its key in the browser's storage if it came from there.
    fn file(&self, handle: web_sys::File, kept: Option<u32>) {
        let file = gloo::file::File::from(handle.clone());
        let id = next_id(&self.ids);
        let (name, size) = (file.name(), file.size());
        // `lastModified` is in milliseconds.
        let modified = Some(handle.last_modified() as i64 * 1_000_000);
        self.state.dispatch(Action::Started { id, name: name.clone(), size: size as usize, modified, sample: false });
        let loader = self.clone();
        spawn_local(async move {
            // A share file (small, known by its first line) is read here and imported; any
            // other file goes to the engine as it is, which reads it.
            let header = parkview::share::SHARE_FILE_HEADER.as_bytes();
            let start = gloo::file::futures::read_as_bytes(&file.slice(0, header.len() as u64)).await.unwrap_or_default();
            if start != header {
                // A share file is not kept: like a link, it holds its snapshots itself.
                loader.keep(id, &name, false, handle.clone().into(), kept);
                loader.channel.read(id, name, handle, loader.state.report_grouping());
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

fn in_text_field(target: Option<web_sys::EventTarget>) -> bool {
    target.and_then(|t| t.dyn_into::<HtmlElement>().ok()).is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
}

/// Whether Enter and Space on the target are its own: a button, link, disclosure or a row
/// reached with Tab activates itself, and the page's Enter must not act a second time.
fn on_control(target: Option<web_sys::EventTarget>) -> bool {
    target
        .and_then(|t| t.dyn_into::<HtmlElement>().ok())
        .is_some_and(|e| matches!(e.tag_name().as_str(), "BUTTON" | "A" | "SUMMARY") || e.has_attribute("tabindex"))
}

/// The engine, started once: in Web Workers made from what boot.js prepared, or (where none can
/// start, and in component tests) on the page's thread. Its answers become actions.
#[hook]
pub fn use_engine(runner: Runner, state: &UseReducerHandle<State>, ids: &Rc<Cell<u32>>, opened: &Rc<RefCell<Option<ViewLink>>>) -> Channel {
    // Which inputs are being read, for turning a report response into "loaded" or "regrouped".
    let pending = use_mut_ref(Vec::<u32>::new);
    *pending.borrow_mut() = state.pending.iter().map(|p| p.id).collect();
    let channel = {
        let dispatcher = state.dispatcher();
        let pending = pending.clone();
        let (ids, opened) = (ids.clone(), opened.clone());
        use_memo((), move |_| {
            // Once a page: a worker started again after a death warms up again, but the page's
            // code has been compiled since.
            let rehearsed = Rc::new(Cell::new(false));
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
                if let Response::Ready { rehearsal } = response {
                    // For the benchmark and the curious: the engine has started and warmed up,
                    // and so has the page.
                    let ready = || {
                        if let Some(root) = gloo::utils::document().document_element() {
                            let _ = root.set_attribute("data-engine-ready", "true");
                        }
                    };
                    match rehearsal.filter(|_| !rehearsed.replace(true)) {
                        Some(report) => crate::rehearsal::rehearse(*report, ready),
                        None => ready(),
                    }
                    return;
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
                    on_response.emit(Response::Ready { rehearsal: None });
                    Channel::InPage(Rc::new(RefCell::new(Engine::default())), on_response)
                }
            }
        })
    };
    (*channel).clone()
}

/// What is asked of the engine when the state changes: regroup on a new grouping, compare the
/// picked snapshots, make a link for the share dialog. After a restart the comparison and the
/// link asked of the engine that died are asked again.
#[hook]
pub fn use_engine_requests(state: &UseReducerHandle<State>, channel: &Channel) {
    let channel = &channel.clone();
    // Regroup the snapshots when the grouping changes: every one, unless only the set that
    // growth is measured for changed (a load adds its own id): then only those that joined or
    // left it, so that loading N dumps one after another does not rebuild N²/2 reports.
    {
        let (channel, state) = (channel.clone(), state.clone());
        let last = use_mut_ref(|| None::<Grouping>);
        use_effect_with(state.report_grouping(), move |grouping| {
            channel.set_grouping(grouping);
            let previous = last.borrow_mut().replace(grouping.clone());
            let membership_only = previous.as_ref().filter(|p| Grouping { growth_for: grouping.growth_for.clone(), ..(*p).clone() } == *grouping);
            for s in &state.snapshots {
                let changed = membership_only.is_none_or(|p| p.growth_for.contains(&s.id) != grouping.growth_for.contains(&s.id));
                if changed {
                    channel.send(Request::Regroup { id: s.id, grouping: grouping.clone() });
                }
            }
        });
    }
    // Compare the picked (or oldest and newest) snapshots whenever the set or the picks change.
    {
        let channel = channel.clone();
        // The timeline runs over the snapshots the diff may compare, oldest first.
        let ids: Vec<u32> = state.comparable().iter().map(|s| s.id).collect();
        // Also after a restart: the comparison asked of the engine that died is asked again.
        use_effect_with((state.compared(), ids, state.diff_similarity, state.engine_generation), move |(compared, ids, similarity, _)| {
            if let Some((base, new)) = *compared {
                channel.send(Request::Compare { base, new, ids: ids.clone(), similarity: *similarity });
            }
        });
    }
    // Ask the worker for a link when the share dialog opens or its redaction changes (or the
    // engine that was asked died).
    {
        let channel = channel.clone();
        let wants_link = state.share.as_ref().filter(|d| d.link.is_none()).map(|d| d.redaction);
        let ids: Vec<(u32, String)> = state.snapshots.iter().map(|s| (s.id, s.name.clone())).collect();
        let view = state.view_link().shared(wants_link.unwrap_or_default()).to_json();
        use_effect_with((wants_link, state.engine_generation), move |(wants, _)| {
            if let Some(redaction) = *wants {
                channel.send(Request::Share { ids, redaction, view });
            }
        });
    }
}

/// The address: a link opened with data is imported (or its view taken on), back and forward
/// and links pasted into an open page are followed, and the address follows the view.
#[hook]
pub fn use_address(state: &UseReducerHandle<State>, channel: &Channel, ids: &Rc<Cell<u32>>, opened: &Rc<RefCell<Option<ViewLink>>>) {
    // The data part of the address as the state knows it, for listeners set up once.
    let latest_data = use_mut_ref(|| None::<String>);
    if latest_data.borrow().as_deref() != state.data.as_deref() {
        latest_data.borrow_mut().clone_from(&state.data);
    }
    // This visit of the page: snapshot ids are numbered anew after a reload, so a history
    // entry's ids (`VISIT:3,1,2`) count only in the visit that made it.
    let visit = use_memo((), |_| ((js_sys::Math::random() * 1e15) as u64).to_string());
    // A link opened with data or a view: import the data, or take on the view.
    {
        let (channel, dispatcher, ids, opened) = (channel.clone(), state.dispatcher(), ids.clone(), opened.clone());
        let grouping = state.report_grouping();
        let latest_data = latest_data.clone();
        let visit = visit.clone();
        use_effect_with((), move |_| {
            let hash = gloo::utils::window().location().hash().unwrap_or_default();
            let (view, data) = parse_fragment(&hash);
            if let Some(data) = data {
                // The address's view, if any, wins over the one the data carries: it is newer.
                *opened.borrow_mut() = view;
                let first_id = next_id(&ids);
                ids.set(ids.get() + parkview::limits::MAX_SNAPSHOTS as u32);
                channel.import(data, first_id, grouping);
            }
            let popstate = EventListener::new(&gloo::utils::window(), "popstate", {
                let dispatcher = dispatcher.clone();
                let visit = visit.clone();
                move |event| {
                    if let Some(event) = event.dyn_ref::<PopStateEvent>() {
                        let hash = gloo::utils::window().location().hash().unwrap_or_default();
                        if let (Some(view), _) = parse_fragment(&hash) {
                            // Entries made since the page loaded carry the snapshot ids their
                            // places count in; older ones (before a reload) only places.
                            dispatcher.dispatch(match entry_listed(&visit, &event.state()) {
                                Some(listed) => Action::Revisit { view, listed },
                                None => Action::ApplyView(view),
                            });
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
    // same entry for typing and filtering, and for the entry back or forward just went to.
    // Each entry keeps the snapshot ids its places count in, for back and forward after
    // snapshots were added before them.
    {
        let view_link = state.view_link();
        let ids: Vec<u32> = state.snapshots.iter().map(|s| s.id).collect();
        let active = state.active;
        let data = state.data.clone();
        let visit = visit.clone();
        // Until a link's data is imported the address stays as it came.
        let importing = state.data.is_some() && state.snapshots.is_empty() && state.errors.is_empty();
        use_effect_with((view_link, data, importing, ids, active), move |(view_link, data, importing, ids, active)| {
            if *importing {
                return;
            }
            let window = gloo::utils::window();
            let wanted = fragment(view_link, data.as_deref());
            let listed = listed_ids(&visit, ids);
            let Ok(history) = window.history() else { return };
            let entry_state = history.state().unwrap_or_default();
            let hash = window.location().hash().unwrap_or_default();
            if entry_state.as_string().as_deref() == Some(listed.as_str()) && hash == wanted {
                return;
            }
            // What the entry shows: its view, and its active snapshot read in its own list.
            let new_entry = parse_fragment(&hash).0.is_some_and(|entry| {
                let entry_ids = entry_listed(&visit, &entry_state);
                let entry_active = entry.active.and_then(|at| entry_ids.as_deref().unwrap_or(ids).get(at).copied());
                entry.view != view_link.view || entry_active != *active
            });
            let listed = wasm_bindgen::JsValue::from_str(&listed);
            let _ =
                if new_entry { history.push_state_with_url(&listed, "", Some(&wanted)) } else { history.replace_state_with_url(&listed, "", Some(&wanted)) };
        });
    }
}

/// A history entry's state as this visit writes it: `VISIT:ID,ID,…`, the snapshot ids in the
/// order they are listed.
fn listed_ids(visit: &str, ids: &[u32]) -> String {
    format!("{visit}:{}", ids.iter().map(u32::to_string).collect::<Vec<_>>().join(","))
}

/// The snapshot ids a history entry's places count in, if this visit wrote the entry (ids are
/// numbered anew after a reload).
fn entry_listed(visit: &str, state: &wasm_bindgen::JsValue) -> Option<Vec<u32>> {
    let text = state.as_string()?;
    let ids = text.strip_prefix(visit)?.strip_prefix(':')?;
    Some(ids.split(',').filter_map(|id| id.parse().ok()).collect())
}

/// What the browser's storage kept from an earlier visit, loaded again when the page opens
/// without a link's data (a link holds its own snapshots).
#[hook]
pub fn use_stored(state: &UseReducerHandle<State>, loader: &Loader) {
    let (loader, linked) = (loader.clone(), state.data.is_some());
    use_effect_with((), move |_| {
        if loader.keep.is_some() && !linked {
            spawn_local(async move {
                match crate::store::all().await {
                    Ok(kept) => kept.into_iter().for_each(|k| loader.restore(k)),
                    Err(why) => {
                        loader.state.dispatch(Action::NotKept { id: 0, name: "earlier files".into(), message: format!("could not be read back: {why}") })
                    }
                }
            });
        }
    });
}

/// Paste anywhere (a dump or debug=1 text, or copied files) and the keyboard.
#[hook]
pub fn use_input(state: &UseReducerHandle<State>, loader: &Loader, search_ref: &NodeRef) {
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
                        loader.text("pasted text", text);
                    }
                }
            });
            let keys = EventListener::new(&document, "keydown", move |event| {
                let Some(event) = event.dyn_ref::<KeyboardEvent>() else { return };
                // The element took the key itself (a rename's Escape, a row's Enter).
                if event.default_prevented() {
                    return;
                }
                if event.key() == "Escape" {
                    let in_dialog =
                        event.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|e| e.closest("[role=dialog]").ok().flatten().is_some());
                    let field = event.target().filter(|t| in_text_field(Some(t.clone()))).and_then(|t| t.dyn_into::<HtmlElement>().ok());
                    match field.filter(|_| !in_dialog) {
                        // In a text field Escape never changes the view: it clears the search
                        // box if it holds text, else leaves the field.
                        Some(field) => {
                            let search = search_ref.cast::<HtmlInputElement>().filter(|s| s.value() != "" && s.is_same_node(Some(&field)));
                            match search {
                                Some(_) => dispatcher.dispatch(Action::Search(String::new())),
                                None => drop(field.blur()),
                            }
                        }
                        // Closes the dialog that is open, else goes to the summary.
                        None => dispatcher.dispatch(Action::Escape),
                    }
                    return;
                }
                if event.ctrl_key() || event.meta_key() || event.alt_key() || in_text_field(event.target()) {
                    return;
                }
                if matches!(event.key().as_str(), "Enter" | " ") && on_control(event.target()) {
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
}

/// The theme: a data-theme attribute on <html>, which the style sheet follows.
#[hook]
pub fn use_theme(theme: Theme) {
    use_effect_with(theme, |theme| {
        if let Some(root) = gloo::utils::document().document_element() {
            let _ = match theme {
                Theme::Auto => root.remove_attribute("data-theme"),
                Theme::Light => root.set_attribute("data-theme", "light"),
                Theme::Dark => root.set_attribute("data-theme", "dark"),
            };
        }
    });
}
