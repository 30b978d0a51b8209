//! The page's state: loaded snapshots, inputs being read, errors, and what the user is looking
//! at. Changed only through [`Action`]s, in the reducer; the views derive the rest.

pub use crate::link::Focus;
use crate::link::ViewLink;
use crate::protocol::Grouping;
use parkview::capture::{taken, Taken};
use parkview::diff::Diff;
use parkview::group::Similarity;
use parkview::report::Report;
use parkview::rows::ChainRow;
use parkview::rows::GroupRow;
use parkview::search::Search;
use parkview::share::Redaction;
use std::collections::BTreeSet;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Summary,
    Groups,
    Diff,
    Creators,
    Flame,
}

impl View {
    pub const ALL: [View; 5] = [View::Summary, View::Groups, View::Diff, View::Creators, View::Flame];

    pub fn name(self) -> &'static str {
        match self {
            View::Summary => "summary",
            View::Groups => "groups",
            View::Diff => "diff",
            View::Creators => "creators",
            View::Flame => "flame",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// Follows prefers-color-scheme.
    Auto,
    Light,
    Dark,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Count,
    State,
    Wait,
    Function,
}

impl SortBy {
    pub const ALL: [SortBy; 4] = [SortBy::Count, SortBy::State, SortBy::Wait, SortBy::Function];

    /// The name a link carries.
    pub fn name(self) -> &'static str {
        match self {
            SortBy::Count => "count",
            SortBy::State => "state",
            SortBy::Wait => "wait",
            SortBy::Function => "function",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub id: u32,
    pub name: String,
    pub size: usize,
    /// When it was taken, and where that came from ([`parkview::capture::taken`]).
    pub taken: Taken,
    /// One of the samples behind "Try a sample": never compared with the user's own.
    pub sample: bool,
    /// Where it is listed: when it was taken, or later to stay after the snapshot before it in
    /// the same input (an archive's members, a link's snapshots keep their order).
    pub order: i64,
    pub report: Rc<Report>,
}

impl Snapshot {
    fn new(id: u32, name: String, size: usize, report: Report, modified: Option<i64>, loaded_at: i64, sample: bool) -> Snapshot {
        let taken = taken(report.time_nanos, &name, modified, loaded_at);
        Snapshot { id, name, size, taken, sample, order: taken.nanos, report: Rc::new(report) }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub id: u32,
    pub name: String,
    pub size: usize,
    pub read: usize,
    /// The file's modification time, in nanoseconds since the Unix epoch, if it is a file.
    pub modified: Option<i64>,
    pub sample: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LoadError {
    pub id: u32,
    pub name: String,
    pub message: String,
}

/// Whether snapshot `id` came from input `input`: an input holds the ids from its own to the
/// [`parkview::limits::MAX_SNAPSHOTS`] after it (a bundle's members, a link's snapshots).
pub fn of_input(input: u32, id: u32) -> bool {
    (input..input.saturating_add(parkview::limits::MAX_SNAPSHOTS as u32)).contains(&id)
}

/// What the groups table shows and how.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupsView {
    /// Set by a click elsewhere: only the groups it names are shown.
    pub focus: Option<Focus>,
    pub search: String,
    /// States hidden by the filter chips.
    pub hidden_states: BTreeSet<String>,
    pub grouping: Grouping,
    pub sort: SortBy,
    pub descending: bool,
    /// Position in the visible (filtered, sorted) rows.
    pub selected: Option<usize>,
    pub expanded: bool,
    pub show_args: bool,
    /// Groups that wait by design (see `parkview::leaks::BACKGROUND`) or that an ignore rule
    /// silences are left out, not dimmed.
    pub hide_background: bool,
    /// The ignore rules as the user is typing them; `grouping.ignore` holds the last that read.
    pub rules_draft: String,
    /// Why `rules_draft` does not read, if it does not.
    pub rules_error: Option<String>,
}

impl Default for GroupsView {
    fn default() -> Self {
        GroupsView {
            focus: None,
            search: String::new(),
            hidden_states: BTreeSet::new(),
            grouping: Grouping::default(),
            sort: SortBy::Count,
            descending: true,
            selected: None,
            expanded: false,
            show_args: false,
            hide_background: false,
            rules_draft: String::new(),
            rules_error: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub base: u32,
    pub new: u32,
    /// Whether the two look like one program's ([`parkview::capture::same_program`]).
    pub same_program: bool,
    /// With each row's timeline when three or more snapshots are loaded.
    pub diff: Rc<Diff>,
}

/// The share dialog: what to redact, and the link once the worker has made it (or why it
/// could not).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ShareDialog {
    pub redaction: Redaction,
    pub link: Option<Result<String, String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// In the order they were taken ([`Snapshot::taken`]; load order where that ties).
    pub snapshots: Vec<Snapshot>,
    pub pending: Vec<Pending>,
    pub errors: Vec<LoadError>,
    /// The snapshot shown; the newest loaded unless the user picks another.
    pub active: Option<u32>,
    pub view: View,
    pub groups: GroupsView,
    /// The user's picks for the diff; `None` means oldest (base) and newest (new).
    pub base_pick: Option<u32>,
    pub new_pick: Option<u32>,
    pub comparison: Option<Comparison>,
    pub chain: Option<(u32, u64, Vec<ChainRow>)>,
    pub theme: Theme,
    pub help: bool,
    pub share: Option<ShareDialog>,
    /// The data part of the link the page was opened with, kept in the address.
    pub data: Option<String>,
    /// What the page says about its engine (it stopped and was restarted).
    pub notice: Option<String>,
    /// Counts the engine's restarts: requests whose answer a dead engine took are sent again.
    pub engine_generation: u32,
    /// How alike stacks must be to be one row of the diff (functions by default: what lines
    /// formats up).
    pub diff_similarity: Similarity,
    /// The inputs kept in this browser's storage for a reload: (the input's id, its key there).
    pub kept: Vec<(u32, u32)>,
}

impl Default for State {
    fn default() -> Self {
        State {
            snapshots: Vec::new(),
            pending: Vec::new(),
            errors: Vec::new(),
            active: None,
            view: View::Summary,
            groups: GroupsView::default(),
            base_pick: None,
            new_pick: None,
            comparison: None,
            chain: None,
            theme: Theme::Auto,
            help: false,
            share: None,
            data: None,
            notice: None,
            engine_generation: 0,
            diff_similarity: Similarity::Functions,
            kept: Vec::new(),
        }
    }
}

pub enum Action {
    Started {
        id: u32,
        name: String,
        size: usize,
        /// The file's modification time (nanoseconds since the Unix epoch), if it is a file.
        modified: Option<i64>,
        /// A sample behind "Try a sample".
        sample: bool,
    },
    Progress {
        id: u32,
        read: usize,
    },
    /// Bytes are read; the worker has them.
    Read {
        id: u32,
    },
    /// `loaded_at`: nanoseconds since the Unix epoch, the time of last resort for
    /// [`parkview::capture::taken`].
    Loaded {
        id: u32,
        report: Report,
        loaded_at: i64,
    },
    Regrouped {
        id: u32,
        report: Report,
    },
    Failed {
        id: u32,
        name: Option<String>,
        message: String,
    },
    Compared(Comparison),
    Parents {
        id: u32,
        goroutine: u64,
        chain: Vec<ChainRow>,
    },
    Select(u32),
    Remove(u32),
    Rename(u32, String),
    DismissError(u32),
    Show(View),
    Search(String),
    ToggleState(String),
    /// Hide or show the groups that wait by design.
    ToggleBackground,
    /// "Mark as expected": add this ignore rule (`top:main.worker`) unless it is there.
    MarkExpected(String),
    /// The ignore rules, as typed or pasted: applied when they read.
    SetRules(String),
    SetSimilarity(Similarity),
    SetDiffSimilarity(Similarity),
    SetLabelKey(Option<String>),
    /// The sample type the flame graph and the top table show (its kind), for profiles with several.
    SetSampleType(String),
    Sort(SortBy),
    SelectRow(usize),
    /// Shows the groups a click elsewhere names, the first one selected with its stack open,
    /// in snapshot `snapshot` where given (a diff row's new or base snapshot).
    Focus {
        snapshot: Option<u32>,
        focus: Focus,
    },
    ClearFocus,
    /// Shows the groups in one wait state only (a click on the summary's wait-state bar).
    OnlyState(String),
    MoveSelection(i32),
    ToggleExpand,
    ToggleArgs,
    PickBase(u32),
    PickNew(u32),
    /// Base becomes new and new base.
    SwapCompared,
    /// An input was kept in the browser's storage under `key`.
    Kept {
        id: u32,
        key: u32,
    },
    /// An input could not be kept for a reload: why, in one sentence.
    NotKept {
        id: u32,
        name: String,
        message: String,
    },
    /// Everything kept in the browser's storage was dropped.
    ForgotStored,
    /// The record of an input (by its id) was dropped from the browser's storage: it failed to
    /// load, or its last snapshot was removed.
    Unkept(u32),
    CycleTheme,
    ToggleHelp,
    /// Closes the share dialog or the help, else goes back to the summary.
    Escape,
    OpenShare,
    CloseShare,
    SetRedaction(Redaction),
    Shared(Result<String, String>),
    /// A load whose input held several snapshots (see [`crate::protocol::Response::Bundle`]):
    /// each is added, named after the input (`dump.txt#2`, `bundle.zip: nodes/1/goroutines.txt`);
    /// members that hold none are listed with the errors.
    LoadedBundle {
        id: u32,
        snapshots: Vec<(u32, String, Report)>,
        skipped: Vec<(String, String)>,
        loaded_at: i64,
    },
    Imported {
        snapshots: Vec<(u32, String, Report)>,
        view: String,
        address_view: Option<ViewLink>,
        loaded_at: i64,
    },
    /// A link or share file did not read: it is not kept in the address (a reload would try it
    /// again).
    ImportFailed {
        first_id: u32,
        message: String,
    },
    /// The engine stopped and was started again; `blamed` is the input it was reading.
    EngineRestarted {
        message: String,
        blamed: Option<String>,
    },
    /// The engine stopped again and again: it is not started again.
    EngineGaveUp {
        message: String,
    },
    DismissNotice,
    /// Takes on a view link (one pasted into the address of an open page).
    ApplyView(ViewLink),
    /// Back or forward to a history entry: its view link, whose places count in `listed`, the
    /// snapshot ids in the order they were listed when the entry was made. Snapshots insert by
    /// capture time, so a place then may hold another snapshot now.
    Revisit {
        view: ViewLink,
        listed: Vec<u32>,
    },
    /// The data part of the address (a link pasted into an open page).
    SetData(String),
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Started { id, name, size, modified, sample } => next.pending.push(Pending { id, name, size, read: 0, modified, sample }),
            Action::Progress { id, read } => {
                if let Some(p) = next.pending.iter_mut().find(|p| p.id == id) {
                    p.read = read;
                }
            }
            Action::Read { id } => {
                if let Some(p) = next.pending.iter_mut().find(|p| p.id == id) {
                    p.read = p.size;
                }
            }
            Action::Loaded { id, report, loaded_at } => {
                let Some(at) = next.pending.iter().position(|p| p.id == id) else { return self };
                let p = next.pending.remove(at);
                next.add(Snapshot::new(id, p.name, p.size, report, p.modified, loaded_at, p.sample), i64::MIN);
                next.active = Some(id);
                next.groups.selected = None;
            }
            Action::LoadedBundle { id, snapshots, skipped, loaded_at } => {
                let Some(at) = next.pending.iter().position(|p| p.id == id) else { return self };
                let p = next.pending.remove(at);
                let mut after = i64::MIN;
                for (sid, name, report) in snapshots {
                    let name = if name.starts_with('#') { format!("{}{name}", p.name) } else { format!("{}: {name}", p.name) };
                    // The size shown is the input's, which all of them came in.
                    after = next.add(Snapshot::new(sid, name, p.size, report, p.modified, loaded_at, p.sample), after);
                    next.active = Some(sid);
                }
                // One notice for all members that hold no profile (an archive may have thousands),
                // under the load's own id: errors are dismissed by id.
                if let Some((first, why)) = skipped.first() {
                    let message = match skipped.len() {
                        1 => format!("skipped: {why}"),
                        n => {
                            let names: Vec<&str> = skipped.iter().take(5).map(|(n, _)| n.as_str()).collect();
                            let more = if n > 5 { format!(" and {} more", n - 5) } else { String::new() };
                            format!("{n} members hold no profile and were skipped ({}{more}); the first: {why}", names.join(", "))
                        }
                    };
                    let name = if skipped.len() == 1 { format!("{}: {first}", p.name) } else { p.name.clone() };
                    next.errors.push(LoadError { id, name, message });
                }
                next.groups.selected = None;
            }
            Action::Regrouped { id, report } => {
                if let Some(s) = next.snapshots.iter_mut().find(|s| s.id == id) {
                    s.report = Rc::new(report);
                }
            }
            Action::Failed { id, name, message } => {
                let pending = next.pending.iter().position(|p| p.id == id).map(|at| next.pending.remove(at));
                let name = name.or(pending.map(|p| p.name)).unwrap_or_else(|| "comparison".into());
                next.errors.push(LoadError { id, name, message });
            }
            Action::Compared(c) => next.comparison = Some(c),
            Action::Parents { id, goroutine, chain } => next.chain = Some((id, goroutine, chain)),
            Action::Select(id) => {
                next.active = Some(id);
                next.groups.selected = None;
                // A focus names one snapshot's groups (a goroutine id, a stack): another
                // snapshot starts unfocused.
                next.groups.focus = None;
            }
            Action::Remove(id) => {
                next.snapshots.retain(|s| s.id != id);
                if next.active == Some(id) {
                    next.active = next.snapshots.last().map(|s| s.id);
                    next.groups.focus = None;
                }
                if next.base_pick == Some(id) {
                    next.base_pick = None;
                }
                if next.new_pick == Some(id) {
                    next.new_pick = None;
                }
                if next.comparison.as_ref().is_some_and(|c| c.base == id || c.new == id) {
                    next.comparison = None;
                }
            }
            Action::Rename(id, name) => {
                if let Some(s) = next.snapshots.iter_mut().find(|s| s.id == id) {
                    let name = name.trim();
                    if !name.is_empty() {
                        s.name = name.to_string();
                    }
                }
            }
            Action::DismissError(id) => next.errors.retain(|e| e.id != id),
            // A view that does not apply to the active snapshot's kind has no tab and no key.
            Action::Show(view) if next.views().contains(&view) => next.view = view,
            Action::Show(_) => {}
            Action::Search(text) => {
                next.groups.search = text;
                next.groups.selected = None;
            }
            Action::ToggleState(state) => {
                if !next.groups.hidden_states.remove(&state) {
                    next.groups.hidden_states.insert(state);
                }
                next.groups.selected = None;
            }
            Action::ToggleBackground => {
                next.groups.hide_background = !next.groups.hide_background;
                next.groups.selected = None;
            }
            Action::MarkExpected(rule) => {
                let mut rules = next.groups.grouping.ignore.clone();
                if !rules.lines().any(|l| l.trim() == rule) {
                    rules.push_str(&rule);
                    rules.push('\n');
                }
                next.set_rules(rules);
            }
            Action::SetRules(text) => next.set_rules(text),
            Action::SetSimilarity(similarity) => next.groups.grouping.similarity = similarity,
            Action::SetDiffSimilarity(similarity) => next.diff_similarity = similarity,
            Action::SetLabelKey(key) => next.groups.grouping.label_key = key,
            Action::SetSampleType(kind) => next.groups.grouping.sample_type = Some(kind),
            Action::Sort(by) => {
                if next.groups.sort == by {
                    next.groups.descending = !next.groups.descending;
                } else {
                    next.groups.sort = by;
                    next.groups.descending = by != SortBy::Function;
                }
            }
            Action::Focus { snapshot, focus } => {
                if let Some(id) = snapshot.filter(|id| next.snapshots.iter().any(|s| s.id == *id)) {
                    next.active = Some(id);
                }
                // What the user asked to see is shown whatever the filters said before.
                next.groups.search.clear();
                next.groups.hidden_states.clear();
                next.groups.hide_background = false;
                next.groups.focus = Some(focus);
                next.groups.selected = Some(0);
                next.groups.expanded = true;
                next.view = View::Groups;
            }
            Action::ClearFocus => {
                next.groups.focus = None;
                next.groups.selected = None;
            }
            Action::OnlyState(state) => {
                let states = next
                    .active_snapshot()
                    .map(|s| s.report.groups.iter().map(|g| g.state.clone().unwrap_or_else(|| "unknown".into())).collect::<BTreeSet<_>>());
                next.groups.hidden_states = states.unwrap_or_default().into_iter().filter(|s| *s != state).collect();
                next.groups.search.clear();
                next.groups.focus = None;
                next.groups.selected = None;
                next.view = View::Groups;
            }
            Action::SelectRow(i) => {
                next.groups.expanded = next.groups.selected != Some(i) || !next.groups.expanded;
                next.groups.selected = Some(i);
            }
            Action::MoveSelection(step) => {
                let len = next.active_snapshot().map_or(0, |s| visible_groups(&s.report.groups, &next.groups).len());
                if len > 0 {
                    let at = next.groups.selected.map_or(0, |i| (i as i64 + step as i64).clamp(0, len as i64 - 1) as usize);
                    next.groups.selected = Some(at);
                }
            }
            Action::ToggleExpand => {
                if next.groups.selected.is_some() {
                    next.groups.expanded = !next.groups.expanded;
                }
            }
            Action::ToggleArgs => next.groups.show_args = !next.groups.show_args,
            Action::PickBase(id) => next.base_pick = Some(id),
            Action::PickNew(id) => next.new_pick = Some(id),
            Action::SwapCompared => {
                if let Some((base, new)) = next.compared() {
                    (next.base_pick, next.new_pick) = (Some(new), Some(base));
                }
            }
            Action::Kept { id, key } => next.kept.push((id, key)),
            Action::NotKept { id, name, message } => next.errors.push(LoadError { id, name, message }),
            Action::ForgotStored => next.kept.clear(),
            Action::Unkept(input) => next.kept.retain(|(i, _)| *i != input),
            Action::CycleTheme => {
                next.theme = match next.theme {
                    Theme::Auto => Theme::Light,
                    Theme::Light => Theme::Dark,
                    Theme::Dark => Theme::Auto,
                }
            }
            Action::ToggleHelp => next.help = !next.help,
            Action::Escape => {
                if next.share.is_some() {
                    next.share = None;
                } else if next.help {
                    next.help = false;
                } else {
                    next.view = View::Summary;
                }
            }
            Action::OpenShare => next.share = Some(ShareDialog::default()),
            Action::CloseShare => next.share = None,
            Action::SetRedaction(redaction) => next.share = Some(ShareDialog { redaction, link: None }),
            Action::Shared(link) => {
                if let Some(d) = next.share.as_mut() {
                    d.link = Some(link);
                }
            }
            Action::Imported { snapshots, view, address_view, loaded_at } => {
                // A link read again after the engine restarted: its snapshots are here already.
                let again = snapshots.iter().any(|(id, ..)| next.snapshots.iter().any(|s| s.id == *id));
                let mut after = i64::MIN;
                for (id, name, report) in snapshots {
                    match next.snapshots.iter_mut().find(|s| s.id == id) {
                        Some(s) => s.report = Rc::new(report),
                        None if again => {}
                        None => {
                            after = next.add(Snapshot::new(id, name, 0, report, None, loaded_at, false), after);
                            next.active = Some(id);
                        }
                    }
                }
                if let Some(v) = address_view.or_else(|| ViewLink::from_json(&view)).filter(|_| !again) {
                    next.apply(&v);
                }
            }
            Action::ImportFailed { first_id, message } => {
                next.errors.push(LoadError { id: first_id, name: "shared link".into(), message });
                next.data = None;
            }
            Action::EngineRestarted { message, blamed } => {
                next.engine_generation += 1;
                next.notice = Some(match blamed {
                    Some(name) => format!(
                        "parkview's engine stopped while reading {name} ({message}). It was restarted without it; your other snapshots were read again."
                    ),
                    None => format!("parkview's engine stopped ({message}). It was restarted and your snapshots were read again."),
                });
            }
            Action::EngineGaveUp { message } => {
                next.notice =
                    Some(format!("parkview's engine stopped again ({message}) and is not restarted any more: reload the page and open your files again."));
            }
            Action::DismissNotice => next.notice = None,
            Action::ApplyView(v) => next.apply(&v),
            Action::Revisit { mut view, listed } => {
                let now = |at: Option<usize>| at.and_then(|p| listed.get(p)).and_then(|id| next.snapshots.iter().position(|s| s.id == *id));
                (view.active, view.base, view.new) = (now(view.active), now(view.base), now(view.new));
                next.apply(&view);
            }
            Action::SetData(data) => next.data = Some(data),
        }
        Rc::new(next)
    }
}

impl State {
    /// What the user is looking at, as the address carries it.
    pub fn view_link(&self) -> ViewLink {
        let position = |id: Option<u32>| id.and_then(|id| self.snapshots.iter().position(|s| s.id == id));
        ViewLink {
            view: self.view.name().to_string(),
            active: position(self.active),
            search: self.groups.search.clone(),
            hidden_states: self.groups.hidden_states.iter().cloned().collect(),
            similarity: self.groups.grouping.similarity,
            label_key: self.groups.grouping.label_key.clone(),
            sort: Some(self.groups.sort.name().to_string()),
            descending: Some(self.groups.descending),
            base: position(self.base_pick),
            new: position(self.new_pick),
            selected: self.groups.selected,
            diff_similarity: self.diff_similarity,
            ignore: self.groups.grouping.ignore.clone(),
            focus: self.groups.focus.clone(),
            sample_type: self.groups.grouping.sample_type.clone(),
        }
    }

    /// Takes on ignore rules: applied (every report is made again) when they read, else kept
    /// as a draft with the sentence that says which line does not.
    fn set_rules(&mut self, text: String) {
        match parkview::ignore::Rules::parse(&text) {
            Ok(_) => {
                self.groups.grouping.ignore = text.clone();
                self.groups.rules_error = None;
            }
            Err(e) => self.groups.rules_error = Some(e.to_string()),
        }
        self.groups.rules_draft = text;
    }

    /// Takes on the view a link describes; places that are not there are ignored.
    pub fn apply(&mut self, v: &ViewLink) {
        let id_at = |i: Option<usize>| i.and_then(|i| self.snapshots.get(i)).map(|s| s.id);
        self.view = View::ALL.iter().copied().find(|view| view.name() == v.view).unwrap_or(View::Summary);
        if let Some(id) = id_at(v.active) {
            self.active = Some(id);
        }
        self.groups.search = v.search.clone();
        self.groups.hidden_states = v.hidden_states.iter().cloned().collect();
        self.groups.grouping = Grouping {
            similarity: v.similarity,
            label_key: v.label_key.clone(),
            growth_base: None,
            growth_for: Vec::new(),
            ignore: String::new(),
            sample_type: v.sample_type.clone(),
        };
        self.diff_similarity = v.diff_similarity;
        if let Some(sort) = SortBy::ALL.iter().copied().find(|s| v.sort.as_deref() == Some(s.name())) {
            self.groups.sort = sort;
        }
        if let Some(d) = v.descending {
            self.groups.descending = d;
        }
        self.base_pick = id_at(v.base);
        self.new_pick = id_at(v.new);
        self.groups.focus = v.focus.clone();
        self.groups.selected = v.selected;
        self.groups.expanded = v.selected.is_some();
        self.set_rules(v.ignore.clone());
    }

    pub fn active_snapshot(&self) -> Option<&Snapshot> {
        self.active.and_then(|id| self.snapshots.iter().find(|s| s.id == id))
    }

    /// The views that apply to the active snapshot: a profile of samples without goroutines
    /// (CPU, heap, allocs, mutex, block) has no groups, diff or creators to show.
    pub fn views(&self) -> Vec<View> {
        match self.active_snapshot() {
            Some(s) if s.report.goroutines.is_none() => vec![View::Summary, View::Flame],
            _ => View::ALL.to_vec(),
        }
    }

    /// How reports are asked for: the groups view's grouping, and leak growth measured against
    /// the diff's base ([`parkview::report::ReportOptions`]'s rule), for the snapshots the diff
    /// may compare with it.
    pub fn report_grouping(&self) -> Grouping {
        let growth_base = self.compared().and_then(|(base, _)| self.snapshots.iter().find(|s| s.id == base)).map(|s| (s.id, s.name.clone()));
        let growth_for = if growth_base.is_some() { self.comparable().iter().map(|s| s.id).collect() } else { Vec::new() };
        Grouping { growth_base, growth_for, ..self.groups.grouping.clone() }
    }

    /// Adds a snapshot where it belongs in the order they were taken, after those taken at the
    /// same time and not before `after`, the place of the snapshot before it in its input:
    /// an input's snapshots keep the order the input gives them. Returns its place.
    fn add(&mut self, mut snapshot: Snapshot, after: i64) -> i64 {
        snapshot.order = snapshot.order.max(after);
        let at = self.snapshots.partition_point(|s| s.order <= snapshot.order);
        let order = snapshot.order;
        self.snapshots.insert(at, snapshot);
        order
    }

    /// The inputs kept in the browser's storage of which nothing is loaded or loading: one that
    /// failed to load, or whose snapshots were all removed. Their records are to be dropped, so
    /// that a reload does not bring back what failed or what the user removed.
    pub fn orphaned_kept(&self) -> Vec<(u32, u32)> {
        let held = |input: u32| self.snapshots.iter().any(|s| of_input(input, s.id)) || self.pending.iter().any(|p| of_input(input, p.id));
        self.kept.iter().copied().filter(|&(input, _)| !held(input)).collect()
    }

    /// The snapshots the diff may compare, oldest first: the user's own, or the samples where
    /// there are none (a sample is never compared with the user's dumps).
    pub fn comparable(&self) -> Vec<&Snapshot> {
        let own = self.snapshots.iter().any(|s| !s.sample);
        self.snapshots.iter().filter(|s| s.sample != own).collect()
    }

    /// The snapshots the diff compares: the user's picks, else the oldest and the newest of
    /// [`State::comparable`].
    pub fn compared(&self) -> Option<(u32, u32)> {
        let comparable = self.comparable();
        if comparable.len() < 2 {
            return None;
        }
        let loaded = |id: Option<u32>| id.filter(|i| comparable.iter().any(|s| s.id == *i));
        let base = loaded(self.base_pick).unwrap_or(comparable[0].id);
        let new = loaded(self.new_pick).unwrap_or(comparable[comparable.len() - 1].id);
        Some((base, new))
    }
}

/// The groups the table shows, as indexes into `groups`: searched (functions, files, label
/// values), filtered by state, sorted.
pub fn visible_groups(groups: &[GroupRow], view: &GroupsView) -> Vec<usize> {
    // An invalid or oversized pattern is searched for as text (the view says why).
    let matcher = Search::parse(&view.search).unwrap_or_else(|_| Search::Text(view.search.trim().to_lowercase()));
    let mut rows: Vec<usize> = (0..groups.len())
        .filter(|&i| {
            let g = &groups[i];
            let state = g.state.as_deref().unwrap_or("unknown");
            if view.focus.as_ref().is_some_and(|f| !f.matches(g)) {
                return false;
            }
            if view.hidden_states.contains(state) || view.hide_background && (g.background.is_some() || g.silenced_by.is_some()) {
                return false;
            }
            matcher.is_all()
                || g.frames.iter().any(|f| matcher.matches(&f.func) || matcher.matches(&f.file))
                // Labels read as they are shown, `tenant=initech`: the key, the value or both match.
                || g.labels.iter().any(|(k, v)| matcher.matches(&format!("{k}={v}")))
                || g.created_by.as_ref().is_some_and(|c| matcher.matches(&c.func))
        })
        .collect();
    let key_wait = |g: &GroupRow| g.wait_minutes.map_or(0, |[_, hi]| hi);
    let leaf = |g: &GroupRow| g.site.as_ref().map(|f| f.func.clone()).unwrap_or_default();
    rows.sort_by(|&a, &b| {
        let (x, y) = (&groups[a], &groups[b]);
        let order = match view.sort {
            SortBy::Count => x.count.cmp(&y.count),
            SortBy::State => x.state.cmp(&y.state),
            SortBy::Wait => key_wait(x).cmp(&key_wait(y)),
            SortBy::Function => leaf(x).cmp(&leaf(y)),
        };
        let order = if view.descending { order.reverse() } else { order };
        order.then(a.cmp(&b))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    fn report() -> Report {
        let mut engine = crate::engine::Engine::default();
        match engine.handle(crate::protocol::Request::Load {
            id: 1,
            bytes: include_bytes!("../../tests/fixtures/go1.27/service.s3.goroutine.debug2.txt").to_vec(),
            grouping: Grouping::default(),
        }) {
            crate::protocol::Response::Report { report, .. } => *report,
            _ => panic!("a dump"),
        }
    }

    fn loaded(s: Rc<State>, id: u32) -> Rc<State> {
        let s = s.reduce(Action::Started { id, name: format!("s{id}"), size: 10, modified: None, sample: false });
        s.reduce(Action::Loaded { id, report: report(), loaded_at: i64::from(id) })
    }

    #[wasm_bindgen_test]
    fn a_failed_load_keeps_the_loaded_snapshots() {
        let s = loaded(Rc::new(State::default()), 1);
        let s = s.reduce(Action::Started { id: 2, name: "b".into(), size: 5, modified: None, sample: false });
        let s = s.reduce(Action::Failed { id: 2, name: None, message: "bad".into() });
        assert_eq!((s.snapshots.len(), s.errors.len(), s.pending.len()), (1, 1, 0));
        assert_eq!(s.errors[0].name, "b");
        assert_eq!(s.active_snapshot().map(|a| a.id), Some(1));
    }

    #[wasm_bindgen_test]
    fn the_diff_compares_oldest_with_newest_unless_picked() {
        let s = loaded(loaded(loaded(Rc::new(State::default()), 1), 2), 3);
        assert_eq!(s.compared(), Some((1, 3)));
        let s = s.reduce(Action::PickBase(2));
        assert_eq!(s.compared(), Some((2, 3)));
        let s = s.reduce(Action::Remove(2));
        assert_eq!(s.compared(), Some((1, 3)));
    }

    #[wasm_bindgen_test]
    fn snapshots_are_compared_in_the_order_they_were_taken_and_never_with_a_sample() {
        let start = |s: Rc<State>, id: u32, name: &str, modified: Option<i64>, sample: bool| {
            let s = s.reduce(Action::Started { id, name: name.into(), size: 10, modified, sample });
            s.reduce(Action::Loaded { id, report: report(), loaded_at: 1_000 + i64::from(id) })
        };
        // Handed in as s3, s1, s2: their files' times put them back in order.
        let s = start(Rc::new(State::default()), 1, "s3.txt", Some(300), false);
        let s = start(s, 2, "s1.txt", Some(100), false);
        let s = start(s, 3, "s2.txt", Some(200), false);
        assert_eq!(s.snapshots.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["s1.txt", "s2.txt", "s3.txt"]);
        assert_eq!(s.compared(), Some((2, 1)));
        assert_eq!(s.report_grouping().growth_base.map(|b| b.0), Some(2));
        // A name's timestamp wins over the file's time; pasted text has only its load time.
        let s = start(s, 4, "goroutines-20010101-000000.txt", Some(400), false);
        assert_eq!(s.snapshots.last().map(|s| (s.id, s.taken.source)), Some((4, parkview::capture::TimeSource::Name)));
        // Samples are compared among themselves only while the user's own dumps are loaded.
        let s = start(s, 5, "sample: a", None, true);
        assert_eq!(s.compared(), Some((2, 4)));
        assert!(!s.report_grouping().growth_for.contains(&5));
        let s = s.reduce(Action::SwapCompared);
        assert_eq!(s.compared(), Some((4, 2)));
        let only_samples = start(start(Rc::new(State::default()), 1, "sample: a", None, true), 2, "sample: b", None, true);
        assert_eq!(only_samples.compared(), Some((1, 2)));
        // Back to a view of s3 (then first in the list) after s1 and s2, taken earlier, came
        // before it: the entry's places are read in the list as it was.
        let first = start(Rc::new(State::default()), 1, "s3.txt", Some(300), false).reduce(Action::Show(View::Groups));
        let entry = (first.view_link(), first.snapshots.iter().map(|s| s.id).collect::<Vec<_>>());
        let later = start(start(first, 2, "s1.txt", Some(100), false), 3, "s2.txt", Some(200), false).reduce(Action::Show(View::Summary));
        assert_eq!(later.clone().reduce(Action::ApplyView(entry.0.clone())).active, Some(2), "a place alone names s1 now");
        let back = later.reduce(Action::Revisit { view: entry.0, listed: entry.1 });
        assert_eq!((back.active, back.view), (Some(1), View::Groups));
    }

    #[wasm_bindgen_test]
    fn a_focus_shows_the_groups_it_names_whatever_the_filters_and_survives_the_address() {
        let s = loaded(Rc::new(State::default()), 1);
        let s = s.reduce(Action::Search("no such function".into())).reduce(Action::ToggleBackground);
        let report = s.active_snapshot().expect("loaded").report.clone();
        let groups = &report.groups;
        let target = groups.iter().position(|g| g.ids.as_ref().is_some_and(|ids| ids.contains(&843))).expect("goroutine 843");
        let by_stack = Focus::stack(&groups[target].frames, groups[target].site.as_ref(), groups[target].state.as_deref());
        for focus in [Focus::Goroutine(843), by_stack] {
            let f = s.clone().reduce(Action::Focus { snapshot: Some(1), focus: focus.clone() });
            let shown = visible_groups(&f.active_snapshot().expect("loaded").report.groups, &f.groups);
            assert!(shown.contains(&target), "{focus:?} shows the group of goroutine 843");
            // Exactly the groups it names: the search and the hidden background no longer apply.
            let mut sorted = shown.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..groups.len()).filter(|&i| focus.matches(&groups[i])).collect::<Vec<_>>());
            assert_eq!((f.view, f.groups.selected, f.groups.expanded, f.groups.search.as_str()), (View::Groups, Some(0), true, ""));
            let again = Rc::new(State { snapshots: f.snapshots.clone(), active: f.active, ..State::default() });
            let again = again.reduce(Action::ApplyView(f.view_link()));
            assert_eq!(again.groups.focus, Some(focus));
            assert_eq!(f.reduce(Action::ClearFocus).groups.focus, None);
        }
        // A wait state's bar shows that state only.
        let only = s.reduce(Action::OnlyState("chan send".into()));
        let shown = visible_groups(&groups[..], &only.groups);
        assert!(!shown.is_empty() && shown.iter().all(|&i| groups[i].state.as_deref() == Some("chan send")));
    }

    #[wasm_bindgen_test]
    fn a_failed_link_is_not_kept_in_the_address() {
        let s = Rc::new(State { data: Some("v1.AAAA".into()), ..State::default() });
        let s = s.reduce(Action::ImportFailed { first_id: 5, message: "the link's data does not inflate".into() });
        assert_eq!((s.data.as_deref(), s.errors.len(), s.errors[0].name.as_str()), (None, 1, "shared link"));
    }

    #[wasm_bindgen_test]
    fn a_link_read_again_after_a_restart_replaces_its_reports_and_keeps_the_view() {
        let imported = |view: &str| Action::Imported { snapshots: vec![(7, "a".into(), report())], view: view.into(), address_view: None, loaded_at: 0 };
        let s = Rc::new(State::default()).reduce(imported(r#"{"view":"groups"}"#));
        assert_eq!((s.snapshots.len(), s.view), (1, View::Groups));
        let s = s.reduce(Action::Show(View::Flame));
        let s = s.reduce(Action::EngineRestarted { message: "unreachable".into(), blamed: None });
        let s = s.reduce(imported(r#"{"view":"groups"}"#));
        assert_eq!((s.snapshots.len(), s.view, s.engine_generation), (1, View::Flame, 1));
        assert!(s.notice.as_deref().is_some_and(|n| n.contains("unreachable")));
    }

    #[wasm_bindgen_test]
    fn a_redacted_link_leaves_the_search_out() {
        let mut s = State::default();
        s.groups.search = "initech".into();
        let view = s.view_link();
        assert_eq!(view.clone().shared(Redaction::default()).search, "initech");
        assert_eq!(view.shared(Redaction { label_values: true, ..Redaction::default() }).search, "");
    }

    #[wasm_bindgen_test]
    fn a_picked_sample_type_is_asked_of_every_report_and_kept_by_a_link() {
        let s = Rc::new(State::default()).reduce(Action::SetSampleType("alloc_space".into()));
        assert_eq!(s.report_grouping().sample_type.as_deref(), Some("alloc_space"));
        let mut opened = State::default();
        opened.apply(&s.view_link());
        assert_eq!(opened.report_grouping().sample_type.as_deref(), Some("alloc_space"));
    }

    #[wasm_bindgen_test]
    fn mark_as_expected_writes_a_rule_once_and_the_view_link_carries_it() {
        let s = Rc::new(State::default());
        let s = s.reduce(Action::MarkExpected("top:main.worker".into()));
        let s = s.reduce(Action::MarkExpected("top:main.worker".into()));
        let s = s.reduce(Action::MarkExpected("label:tenant=acme".into()));
        assert_eq!(s.report_grouping().ignore, "top:main.worker\nlabel:tenant=acme\n");
        // Rules that do not read stay a draft; the last that read still apply.
        let s = s.reduce(Action::SetRules("top:main.worker\nbogus\n".into()));
        assert_eq!(s.report_grouping().ignore, "top:main.worker\nlabel:tenant=acme\n");
        assert!(s.groups.rules_error.as_deref().is_some_and(|e| e.starts_with("line 2:")), "{:?}", s.groups.rules_error);
        let s = s.reduce(Action::SetRules("top:main.worker\nlabel:tenant=acme\n".into()));
        assert_eq!(s.groups.rules_error, None);
        // The link carries them; a redacted one leaves out the label values they quote.
        let view = s.view_link();
        let mut opened = State::default();
        opened.apply(&ViewLink::from_json(&view.to_json()).unwrap());
        assert_eq!(opened.report_grouping().ignore, s.report_grouping().ignore);
        assert_eq!(view.shared(Redaction { label_values: true, ..Redaction::default() }).ignore, "top:main.worker\n");
    }

    #[wasm_bindgen_test]
    fn search_filters_and_sorts_the_groups() {
        let r = report();
        let mut view = GroupsView::default();
        assert_eq!(visible_groups(&r.groups, &view).len(), r.groups.len());
        view.search = "queryBackend".into();
        let rows = visible_groups(&r.groups, &view);
        assert_eq!(rows.iter().map(|&i| r.groups[i].count).sum::<i64>(), 64);
        view.search = "/pump|watchCancel/".into();
        assert!(visible_groups(&r.groups, &view).iter().all(|&i| r.groups[i].frames.iter().any(|f| f.func.contains("pump") || f.func.contains("watchCancel"))));
        view.search = "globex corp".into();
        assert!(!visible_groups(&r.groups, &view).is_empty(), "label values are searched");
        view.search.clear();
        view.hidden_states.insert("chan send".into());
        assert!(visible_groups(&r.groups, &view).iter().all(|&i| r.groups[i].state.as_deref() != Some("chan send")));
        view.hidden_states.clear();
        view.sort = SortBy::Count;
        view.descending = false;
        let rows = visible_groups(&r.groups, &view);
        assert!(rows.windows(2).all(|w| r.groups[w[0]].count <= r.groups[w[1]].count));
    }

    #[wasm_bindgen_test]
    fn a_bundle_adds_each_snapshot_named_after_its_input() {
        let mut s = State::default();
        s = (*Rc::new(s).reduce(Action::Started { id: 7, name: "debug.zip".into(), size: 10, modified: None, sample: false })).clone();
        let snapshots = vec![(7, "nodes/1/goroutines.txt".into(), report()), (8, "#2".into(), report())];
        let s =
            Rc::new(s).reduce(Action::LoadedBundle { id: 7, snapshots, skipped: vec![("status.json".into(), "this looks like JSON".into())], loaded_at: 0 });
        let names: Vec<&str> = s.snapshots.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["debug.zip: nodes/1/goroutines.txt", "debug.zip#2"]);
        assert_eq!(s.active, Some(8));
        assert!(s.pending.is_empty());
        assert_eq!(s.errors.len(), 1);
        assert_eq!(s.errors[0].name, "debug.zip: status.json");
    }
}
