//! The page's address: the view state lives in the URL's fragment as the user clicks around
//! (so reload and back/forward work), and a shared link adds the data after it. Nothing after
//! `#` is ever sent to a server.
//!
//! `#view=<JSON, URI-encoded>` for the view alone; `#view=…&v1.<data>` once data is in the
//! address; a share link is `#v1.<data>`, its view inside the data.

use crate::state::{SortBy, State, View};
use parkview::group::Similarity;
use parkview::report::Report;
use serde::{Deserialize, Serialize};

/// Past this many characters Chromium does not open a URL (measured: e2e/tests/share.test.js
/// opens a link of this size and one just over it).
pub const LINK_LIMIT: usize = 2 * 1024 * 1024;

/// What the user is looking at, by position (ids differ from one page to the next).
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
}

fn sort_name(s: SortBy) -> &'static str {
    match s {
        SortBy::Count => "count",
        SortBy::State => "state",
        SortBy::Wait => "wait",
        SortBy::Function => "function",
    }
}

pub fn sort_by_name(s: &str) -> Option<SortBy> {
    Some(match s {
        "count" => SortBy::Count,
        "state" => SortBy::State,
        "wait" => SortBy::Wait,
        "function" => SortBy::Function,
        _ => return None,
    })
}

impl ViewLink {
    pub fn of(state: &State) -> ViewLink {
        let position = |id: Option<u32>| id.and_then(|id| state.snapshots.iter().position(|s| s.id == id));
        ViewLink {
            view: state.view.name().to_string(),
            active: position(state.active),
            search: state.groups.search.clone(),
            hidden_states: state.groups.hidden_states.iter().cloned().collect(),
            similarity: state.groups.grouping.similarity,
            label_key: state.groups.grouping.label_key.clone(),
            sort: Some(sort_name(state.groups.sort).to_string()),
            descending: Some(state.groups.descending),
            base: position(state.base_pick),
            new: position(state.new_pick),
            selected: state.groups.selected,
        }
    }

    pub fn view(&self) -> View {
        View::ALL.iter().copied().find(|v| v.name() == self.view).unwrap_or(View::Summary)
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

/// A Markdown summary of a snapshot for incident notes and issue trackers.
pub fn markdown(name: &str, r: &Report, groups: &[usize]) -> String {
    let mut out = format!("### parkview: {name}\n\n");
    out += &format!("- format: `{}`, profile: `{}`\n", r.format, r.profile);
    if let Some(g) = r.goroutines {
        out += &format!("- goroutines: **{g}** in {} groups\n", r.groups.len());
    }
    if let Some(l) = r.leaked.filter(|&l| l > 0) {
        out += &format!("- leaked: **{l}**\n");
    }
    if let Some(c) = &r.crash {
        for p in &c.panic {
            out += &format!("- `{p}`\n");
        }
        if let Some(f) = &c.fatal_error {
            out += &format!("- `fatal error: {f}`\n");
        }
    }
    if let Some(states) = &r.states {
        let mut states: Vec<_> = states.iter().collect();
        states.sort_by(|a, b| b.1.cmp(a.1));
        out += "\n| wait state | goroutines |\n|---|---:|\n";
        for (s, n) in states {
            out += &format!("| {s} | {n} |\n");
        }
    }
    if !r.leak_suspects.is_empty() {
        out += "\n**Leak suspects**\n\n";
        for (i, s) in r.leak_suspects.iter().take(5).enumerate() {
            out += &format!("{}. {}\n", i + 1, s.explanation);
        }
    }
    if !groups.is_empty() {
        out += "\n| count | state | where |\n|---:|---|---|\n";
        for &i in groups.iter().take(20) {
            let g = &r.groups[i];
            let at = crate::views::first_user_frame(&g.frames).map_or(String::new(), |f| format!("`{}` {}:{}", f.func, crate::views::base_name(&f.file), f.line));
            out += &format!("| {} | {} | {at} |\n", g.count, g.state.as_deref().unwrap_or("unknown"));
        }
    }
    for (kind, rows) in &r.top {
        out += &format!("\n| flat | cum | function ({kind}) |\n|---:|---:|---|\n");
        for t in rows.iter().take(10) {
            out += &format!("| {} | {} | `{}` |\n", t.flat, t.cum, t.func);
        }
    }
    out
}

/// The wait-state chart as a standalone SVG (colours inline: it leaves the page).
pub fn states_svg(r: &Report) -> String {
    let mut states: Vec<_> = r.states.iter().flatten().collect();
    states.sort_by(|a, b| b.1.cmp(a.1));
    let max = states.first().map_or(1, |s| *s.1).max(1) as f64;
    let colour = |s: &str| match crate::views::state_family(Some(s)) {
        "family-channel" => "#2f6fde",
        "family-select" => "#7b61ff",
        "family-lock" => "#d9480f",
        "family-io" => "#0ca678",
        "family-sleep" => "#f59f00",
        "family-running" => "#495057",
        "family-unknown" => "#ced4da",
        _ => "#868e96",
    };
    let height = 24 * states.len() + 10;
    let mut out = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
    for (i, (s, n)) in states.iter().enumerate() {
        let y = 5 + 24 * i;
        let w = 380.0 * **n as f64 / max;
        let name = s.replace('&', "&amp;").replace('<', "&lt;");
        out += &format!("<text x=\"0\" y=\"{}\">{name}</text><text x=\"210\" y=\"{}\" text-anchor=\"end\">{n}</text><rect x=\"220\" y=\"{y}\" width=\"{w:.1}\" height=\"16\" fill=\"{}\"/>\n", y + 12, y + 12, colour(s));
    }
    out + "</svg>\n"
}
