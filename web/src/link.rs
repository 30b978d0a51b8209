//! The page's address: the view state lives in the URL's fragment as the user clicks around
//! (so reload and back/forward work), and a shared link adds the data after it. Nothing after
//! `#` is ever sent to a server. (The exports are the core's: `parkview::export`.)
//!
//! `#view=<JSON, URI-encoded>` for the view alone; `#view=…&v1.<data>` once data is in the
//! address; a share link is `#v1.<data>`, its view inside the data.

use parkview::gofunc::hidden_runtime;
use parkview::group::Similarity;
use parkview::rows::{FrameRow, GroupRow};
use parkview::share::Redaction;
use serde::{Deserialize, Serialize};

/// What a click elsewhere on the page narrowed the groups table to: the groups behind a leak
/// suspect, a longest wait, a diff row, a creator row, a parent chain's goroutine or the crash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Focus {
    /// The group that holds this goroutine (the crash's, one of a parent chain).
    Goroutine(u64),
    /// Groups whose stack has these functions, leaf first, in this state where given (a
    /// suspect, a wait, a diff row: the functions are what every similarity keeps). The runtime
    /// frames formats disagree on ([`hidden_runtime`]) are left out; past
    /// [`MAX_FOCUS_FUNCS`] only how many more there are (`depth` counts them all), so that the
    /// address stays small whatever the stack. `site` is the first user frame, to name it.
    Stack { funcs: Vec<String>, depth: usize, site: Option<String>, state: Option<String> },
    /// Groups with this value of a label, or (`None`) without the label: a label total.
    Label { key: String, value: Option<String> },
    /// Groups created by this function (or through the wrapper `via`), parked at `site` (the
    /// first user frame) in `state`, where those are given: a creator row.
    Created { creator: Option<String>, via: Option<String>, site: Option<String>, state: Option<String> },
}

/// At most this many functions of a stack travel in a [`Focus::Stack`].
pub const MAX_FOCUS_FUNCS: usize = 48;

/// A stack's functions as a [`Focus::Stack`] compares them.
fn stack_key(funcs: impl Iterator<Item = String>) -> Vec<String> {
    funcs.filter(|f| !hidden_runtime(f)).collect()
}

impl Focus {
    /// The focus on the groups of this stack (leaf first), in this state where given.
    pub fn stack(frames: &[FrameRow], site: Option<&FrameRow>, state: Option<&str>) -> Focus {
        let mut funcs = stack_key(frames.iter().map(|f| f.func.clone()));
        let depth = funcs.len();
        funcs.truncate(MAX_FOCUS_FUNCS);
        Focus::Stack { funcs, depth, site: site.map(|f| f.func.clone()), state: state.map(str::to_string) }
    }

    /// Whether the group is one the focus names.
    pub fn matches(&self, g: &GroupRow) -> bool {
        match self {
            Focus::Goroutine(id) => g.ids.as_ref().is_some_and(|ids| ids.contains(id)),
            Focus::Stack { funcs, depth, state, .. } => {
                // Compared as the functions similarity keys stacks: the runtime frames formats
                // disagree on are left out on both sides, so a diff row finds its groups.
                let key = stack_key(g.frames.iter().map(|f| f.func.clone()));
                (state.is_none() || &g.state == state) && key.len() == *depth && key.starts_with(funcs)
            }
            Focus::Label { key, value } => g.labels.get(key) == value.as_ref(),
            Focus::Created { creator, via, site, state } => {
                let made = g.created_by.as_ref().map(|c| &c.func);
                (made == creator.as_ref() || via.is_some() && made == via.as_ref())
                    && (site.is_none() || g.site.as_ref().map(|f| &f.func) == site.as_ref())
                    && (state.is_none() || &g.state == state)
            }
        }
    }

    /// What the focus shows, in words (`the group of goroutine 18`, `chan send at
    /// exporter.(*Exporter).reportProgress`, `tenant=acme`).
    pub fn describe(&self) -> String {
        let short = |f: &str| parkview::gofunc::short_name(f).to_string();
        match self {
            Focus::Goroutine(id) => format!("the group of goroutine {id}"),
            Focus::Stack { funcs, site, state, .. } => {
                let at = site.as_ref().or(funcs.first()).map(|f| short(f)).unwrap_or_else(|| "no frames".into());
                format!("{} at {at}", state.as_deref().unwrap_or("unknown"))
            }
            Focus::Label { key, value } => match value {
                Some(v) => format!("{key}={v}"),
                None => format!("no {key}"),
            },
            Focus::Created { creator, via, site, .. } => {
                let by = creator.as_deref().map(short).unwrap_or_else(|| "the runtime or main".into());
                // A group keeps the wrapper as its creator: the table cannot tell its callers apart.
                let by = match via {
                    Some(w) => format!("{by} through {} (with its other callers: groups name only the wrapper)", short(w)),
                    None => by,
                };
                match site {
                    Some(s) => format!("created by {by}, parked at {}", short(s)),
                    None => format!("created by {by}"),
                }
            }
        }
    }
}

/// Past this many characters Chromium does not open a URL (measured: e2e/tests/share.test.js
/// opens a link of this size and one just over it).
pub const LINK_LIMIT: usize = 2 * 1024 * 1024;

/// What the user is looking at, by position (ids differ from one page to the next), as the
/// address carries it: views and sort orders by name ([`crate::state::State::view_link`] makes
/// one, [`crate::state::State::apply`] reads one).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ViewLink {
    #[serde(default)]
    pub view: String,
    /// The active snapshot, by its place in the list.
    #[serde(default)]
    pub active: Option<usize>,
    #[serde(default)]
    pub search: String,
    #[serde(default)]
    pub hidden_states: Vec<String>,
    #[serde(default)]
    pub similarity: Similarity,
    #[serde(default)]
    pub label_key: Option<String>,
    #[serde(default)]
    pub sort: Option<String>,
    #[serde(default)]
    pub descending: Option<bool>,
    #[serde(default)]
    pub base: Option<usize>,
    #[serde(default)]
    pub new: Option<usize>,
    /// The selected group, by its place in the visible rows.
    #[serde(default)]
    pub selected: Option<usize>,
    #[serde(default = "functions")]
    pub diff_similarity: Similarity,
    /// The ignore rules ("mark as expected"), one a line.
    #[serde(default)]
    pub ignore: String,
    /// What a click narrowed the groups to; `selected` counts in its rows.
    #[serde(default)]
    pub focus: Option<Focus>,
    /// The sample type the flame graph and the top table weigh (`alloc_space`), where picked.
    #[serde(default)]
    pub sample_type: Option<String>,
}

fn functions() -> Similarity {
    Similarity::Functions
}

impl ViewLink {
    /// The view as a redacted link carries it: without the search text, which may quote a
    /// label value, a path or an argument, and without the `label:` rules when label values
    /// are redacted.
    pub fn shared(mut self, redaction: Redaction) -> ViewLink {
        if redaction.any() {
            self.search.clear();
        }
        // Goroutine ids are renumbered in a redacted link: the focus would name another one.
        if redaction.goroutine_ids && matches!(self.focus, Some(Focus::Goroutine(_))) {
            self.focus = None;
            self.selected = None;
        }
        // A label value would travel in the clear; the pseudonym it became would name another.
        if redaction.label_values && matches!(self.focus, Some(Focus::Label { value: Some(_), .. })) {
            self.focus = None;
            self.selected = None;
        }
        if redaction.label_values {
            self.ignore = self.ignore.lines().filter(|l| !l.trim_start().starts_with("label:")).map(|l| format!("{l}\n")).collect();
        }
        self
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(json: &str) -> Option<ViewLink> {
        serde_json::from_str(json).ok()
    }
}

/// The parts of a fragment: the view JSON and the data, each if present.
pub fn parse_fragment(hash: &str) -> (Option<ViewLink>, Option<String>) {
    let hash = hash.strip_prefix('#').unwrap_or(hash);
    let mut view = None;
    let mut data = None;
    for part in hash.split('&') {
        if let Some(v) = part.strip_prefix("view=") {
            let json = js_sys::decode_uri_component(v).map(String::from).unwrap_or_default();
            view = ViewLink::from_json(&json);
        } else if part.starts_with(parkview::share::FRAGMENT_PREFIX) {
            data = Some(part.to_string());
        }
    }
    (view, data)
}

/// The fragment for a view (and the data the page was opened with, kept so reload works).
pub fn fragment(view: &ViewLink, data: Option<&str>) -> String {
    let json = String::from(js_sys::encode_uri_component(&view.to_json()));
    match data {
        Some(d) => format!("#view={json}&{d}"),
        None => format!("#view={json}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_redacted_link_drops_a_focus_that_would_name_what_was_redacted() {
        let view = |focus: Focus| ViewLink { focus: Some(focus), selected: Some(0), ..ViewLink::default() };
        let ids = Redaction { goroutine_ids: true, ..Redaction::default() };
        let labels = Redaction { label_values: true, ..Redaction::default() };
        let goroutine = Focus::Goroutine(42);
        let acme = Focus::Label { key: "tenant".into(), value: Some("acme".into()) };
        let unlabelled = Focus::Label { key: "tenant".into(), value: None };
        let stack = Focus::Stack { funcs: vec!["main.worker".into()], depth: 1, site: None, state: Some("chan send".into()) };
        assert_eq!(view(goroutine.clone()).shared(ids).focus, None);
        assert_eq!(view(goroutine.clone()).shared(labels).focus, Some(goroutine));
        assert_eq!(view(acme.clone()).shared(labels).focus, None);
        assert_eq!(view(acme.clone()).shared(ids).focus, Some(acme));
        assert_eq!(view(unlabelled.clone()).shared(labels).focus, Some(unlabelled));
        assert_eq!(view(stack.clone()).shared(ids).focus, Some(stack));
    }

    #[wasm_bindgen_test]
    fn a_stack_focus_carries_a_bounded_part_of_any_stack() {
        let frame = |i: usize| FrameRow { func: format!("main.f{i}"), file: String::new(), line: 0 };
        let frames: Vec<FrameRow> = (0..1000).map(frame).collect();
        let focus = Focus::stack(&frames, None, None);
        let Focus::Stack { funcs, depth, .. } = &focus else { panic!("a stack focus") };
        assert_eq!((funcs.len(), *depth), (MAX_FOCUS_FUNCS, 1000));
        let group = |frames: Vec<FrameRow>| GroupRow { frames, ..GroupRow::default() };
        assert!(focus.matches(&group(frames.clone())));
        assert!(!focus.matches(&group(frames[..999].to_vec())), "a shorter stack is another");
        let mut deeper = frames.clone();
        deeper.insert(2, FrameRow { func: "runtime.gopark".into(), file: String::new(), line: 0 });
        assert!(focus.matches(&group(deeper)), "the runtime's park frames are left out on both sides");
    }
}
