//! The page's address: the view state lives in the URL's fragment as the user clicks around
//! (so reload and back/forward work), and a shared link adds the data after it. Nothing after
//! `#` is ever sent to a server. (The exports are the core's: `parkview::export`.)
//!
//! `#view=<JSON, URI-encoded>` for the view alone; `#view=…&v1.<data>` once data is in the
//! address; a share link is `#v1.<data>`, its view inside the data.

use parkview::group::Similarity;
use parkview::share::Redaction;
use serde::{Deserialize, Serialize};

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
