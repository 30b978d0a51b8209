//! The page's address: the view state lives in the URL's fragment as the user clicks around
//! (so reload and back/forward work), and a shared link adds the data after it. Nothing after
//! `#` is ever sent to a server. (The exports are the core's: `parkview::export`.)
//!
//! `#view=<JSON, URI-encoded>` for the view alone; `#view=…&v1.<data>` once data is in the
//! address; a share link is `#v1.<data>`, its view inside the data.

use parkview::gofunc::hidden_runtime;
use parkview::group::Similarity;
use parkview::rows::GroupRow;
use parkview::share::Redaction;
use serde::{Deserialize, Serialize};

/// What a click elsewhere on the page narrowed the groups table to: the groups behind a leak
/// suspect, a longest wait, a diff row, a creator row, a parent chain's goroutine or the crash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Focus {
    /// The group that holds this goroutine (the crash's, one of a parent chain).
    Goroutine(u64),
    /// Groups whose stack has these functions, leaf first, in this state where given (a
    /// suspect, a wait, a diff row: the functions are what every similarity keeps).
    Stack { funcs: Vec<String>, state: Option<String> },
    /// Groups created by this function (or through the wrapper `via`), parked at `site` (the
    /// first user frame) in `state`, where those are given: a creator row.
    Created { creator: Option<String>, via: Option<String>, site: Option<String>, state: Option<String> },
}

impl Focus {
    /// Whether the group is one the focus names.
    pub fn matches(&self, g: &GroupRow) -> bool {
        match self {
            Focus::Goroutine(id) => g.ids.as_ref().is_some_and(|ids| ids.contains(id)),
            Focus::Stack { funcs, state } => {
                // Compared as the functions similarity keys stacks: the runtime frames formats
                // disagree on are left out on both sides, so a diff row finds its groups.
                let key = |names: &mut dyn Iterator<Item = &String>| names.filter(|f| !hidden_runtime(f)).cloned().collect::<Vec<_>>();
                (state.is_none() || &g.state == state) && key(&mut g.frames.iter().map(|f| &f.func)) == key(&mut funcs.iter())
            }
            Focus::Created { creator, via, site, state } => {
                let made = g.created_by.as_ref().map(|c| &c.func);
                (made == creator.as_ref() || via.is_some() && made == via.as_ref())
                    && (site.is_none() || g.site.as_ref().map(|f| &f.func) == site.as_ref())
                    && (state.is_none() || &g.state == state)
            }
        }
    }

    /// What the focus shows, in words (`goroutine 18`, `the stack of main.worker`).
    pub fn describe(&self) -> String {
        let short = |f: &str| parkview::gofunc::short_name(f).to_string();
        match self {
            Focus::Goroutine(id) => format!("the group of goroutine {id}"),
            Focus::Stack { funcs, state } => {
                let at = funcs.first().map(|f| short(f)).unwrap_or_else(|| "no frames".into());
                format!("{} at {at}", state.as_deref().unwrap_or("unknown"))
            }
            Focus::Created { creator, site, .. } => {
                let by = creator.as_deref().map(short).unwrap_or_else(|| "the runtime or main".into());
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
