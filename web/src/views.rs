//! Components that render report rows. They get rows and callbacks, never the model.

pub mod creators;
pub mod dialog;
pub mod diff;
pub mod exports;
pub mod flame;
pub mod groups;
pub mod share;
pub mod stored;
pub mod top;

use crate::state::{Focus, LoadError, Pending, Snapshot, View};
use parkview::gofunc::{short_name, Family};
use parkview::report::Report;
use parkview::rows::{CrashedRow, FrameRow, GroupRow, RaceAccessRow};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The colour family of a wait state (the core's [`Family`]), as a CSS class.
pub fn state_family(state: Option<&str>) -> &'static str {
    match Family::of(state) {
        Family::Channel => "family-channel",
        Family::Select => "family-select",
        Family::Lock => "family-lock",
        Family::Io => "family-io",
        Family::Sleep => "family-sleep",
        Family::Running | Family::Syscall => "family-running",
        Family::Unknown => "family-unknown",
        Family::Other | Family::Runtime => "family-other",
    }
}

/// Rows shown at first, and added by each "more" click, in tables that can be long.
pub const PAGE_ROWS: usize = 200;

/// The button under a paged table: `shown` of `total` rows are on the page.
pub fn more_rows(shown: &UseStateHandle<usize>, total: usize) -> Html {
    if **shown >= total {
        return html! {};
    }
    let more = {
        let shown = shown.clone();
        Callback::from(move |_| shown.set(*shown + PAGE_ROWS))
    };
    html! {
        <button class="button small more" onclick={more} data-testid="more-rows">
            { format!("show {} more (of {total})", (total - **shown).min(PAGE_ROWS)) }
        </button>
    }
}

/// A size in binary units, as it is computed: `1.5 MiB`, `12.0 KiB`, `512 B`.
pub fn human_bytes(n: usize) -> String {
    match n {
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / (1 << 10) as f64),
        n => format!("{n} B"),
    }
}

/// A count with thousands separators, as a reader takes it in at a glance: `206,002`.
pub fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `func file.go:12`, the way a frame is named in a row (the function alone where the input
/// gives no file line).
pub fn frame_label(f: &FrameRow) -> Html {
    html! { <><span class="func">{ &f.func }</span><span class="muted">{ f.place().map(|p| format!(" {p}")).unwrap_or_default() }</span></> }
}

/// Like [`frame_label`], with the short function name and the full one on hover.
pub fn short_frame_label(f: &FrameRow) -> Html {
    short_frame_label_with(f, Html::default(), " ")
}

/// [`short_frame_label`] with `between` after the function name, and `before_place` before
/// the file line.
fn short_frame_label_with(f: &FrameRow, between: Html, before_place: &str) -> Html {
    let full = if f.file.is_empty() && f.line == 0 { f.func.clone() } else { format!("{}\n{}:{}", f.func, f.file, f.line) };
    html! { <span title={full}><span class="func">{ short_name(&f.func) }</span>{ between }<span class="muted place">{ f.place().map(|p| format!("{before_place}{p}")).unwrap_or_default() }</span></span> }
}

/// A group row's "where": its site's short function, what tells it from the groups that read
/// alike ([`differs`]), then ` at ` the file line, which those groups share
/// (`Lock · tenant=acme at app.go:141`): in that order, so that a cell too narrow for all of it
/// still shows how the rows differ.
pub fn site_label(g: &GroupRow) -> Html {
    let before_place = if g.distinctions.is_empty() { " " } else { " at " };
    match &g.site {
        Some(f) => short_frame_label_with(f, differs(g), before_place),
        None => html! { <><span class="muted">{ "(no frames)" }</span>{ differs(g) }</> },
    }
}

/// What tells a group from others whose rows read alike (` · via main.get pool.go:88`), after
/// its site; nothing for a group no other reads like.
pub fn differs(g: &GroupRow) -> Html {
    if g.distinctions.is_empty() {
        return Html::default();
    }
    html! { <span class="differs" data-testid="differs" title="what tells this group from others that read alike">{ format!(" · {}", g.distinctions.join(" · ")) }</span> }
}

/// The file line of a frame as Go prints it (`\t/src/main.go:12`), none where the input gave none.
fn file_line(f: &FrameRow) -> String {
    if f.file.is_empty() && f.line == 0 {
        String::new()
    } else {
        format!("\t{}:{}\n", f.file, f.line)
    }
}

pub fn minutes_text(range: Option<[u32; 2]>) -> String {
    match range {
        Some([lo, hi]) if lo == hi => format!("{lo} min"),
        Some([lo, hi]) => format!("{lo}–{hi} min"),
        None => String::new(),
    }
}

/// A stack as text, for the clipboard: leaf first, `func(args)` then `\tfile:line`.
pub fn stack_text(g: &GroupRow) -> String {
    let mut out = format!("{} goroutines [{}]\n", g.count, g.state.as_deref().unwrap_or("unknown"));
    for (i, f) in g.frames.iter().enumerate() {
        let args = g.args.as_ref().and_then(|a| a.get(i)).map_or(String::new(), |a| a.clone());
        out += &format!("{}({args})\n{}", f.func, file_line(f));
    }
    if let Some(c) = &g.created_by {
        out += &format!("created by {}\n{}", c.func, file_line(c));
    }
    out
}

#[derive(Properties, PartialEq)]
pub struct ErrorListProps {
    pub errors: Vec<LoadError>,
    pub on_dismiss: Callback<u32>,
}

#[function_component(ErrorList)]
pub fn error_list(props: &ErrorListProps) -> Html {
    html! {
        <div class="errors" role="alert">
            { for props.errors.iter().map(|e| {
                let id = e.id;
                let dismiss = props.on_dismiss.reform(move |_| id);
                html! {
                    <div class="error" data-testid="error">
                        <span><strong>{ &e.name }</strong>{ ": " }{ &e.message }</span>
                        <button class="link" onclick={dismiss} aria-label="dismiss">{ "×" }</button>
                    </div>
                }
            }) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct SnapshotListProps {
    pub snapshots: Vec<Snapshot>,
    pub pending: Vec<Pending>,
    pub active: Option<u32>,
    pub on_select: Callback<u32>,
    pub on_remove: Callback<u32>,
    pub on_rename: Callback<(u32, String)>,
}

/// When a snapshot was taken, in the user's time zone: the time of day (`08:53:35`), with the
/// date in front unless it is today; and the whole of it with where it came from, for a title
/// (`taken 2026-11-30 08:53:35 (from the profile)`).
pub fn taken_label(taken: &parkview::capture::Taken) -> (String, String) {
    let d = js_sys::Date::new(&((taken.nanos / 1_000_000) as f64).into());
    let date = format!("{}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date());
    let time = format!("{:02}:{:02}:{:02}", d.get_hours(), d.get_minutes(), d.get_seconds());
    let today = js_sys::Date::new_0();
    let same_day = (today.get_full_year(), today.get_month(), today.get_date()) == (d.get_full_year(), d.get_month(), d.get_date());
    let short = if same_day { time.clone() } else { format!("{date} {time}") };
    (short, format!("taken {date} {time} ({})", taken.source.describe()))
}

#[function_component(SnapshotList)]
pub fn snapshot_list(props: &SnapshotListProps) -> Html {
    let renaming = use_state(|| None::<u32>);
    if props.snapshots.is_empty() && props.pending.is_empty() {
        return html! {};
    }
    html! {
        <nav class="snapshots" aria-label="loaded snapshots">
            { for props.snapshots.iter().map(|s| {
                let id = s.id;
                let active = props.active == Some(id);
                let select = props.on_select.reform(move |_| id);
                let remove = props.on_remove.reform(move |_| id);
                let start_rename = { let renaming = renaming.clone(); Callback::from(move |_| renaming.set(Some(id))) };
                let finish = {
                    let renaming = renaming.clone();
                    let rename = props.on_rename.clone();
                    move |input: HtmlInputElement| { rename.emit((id, input.value())); renaming.set(None); }
                };
                let on_key = {
                    let finish = finish.clone();
                    let renaming = renaming.clone();
                    Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
                        "Enter" => finish(e.target_unchecked_into()),
                        // Taken here: the page's Escape would leave the field, which renames.
                        "Escape" => {
                            e.prevent_default();
                            renaming.set(None);
                        }
                        _ => {}
                    })
                };
                let on_blur = Callback::from(move |e: FocusEvent| finish(e.target_unchecked_into()));
                html! {
                    <span class={classes!("snapshot", active.then_some("active"))} data-testid="snapshot">
                        if *renaming == Some(id) {
                            <input class="rename" value={s.name.clone()} onkeydown={on_key} onblur={on_blur} aria-label="new name" autofocus=true/>
                        } else {
                            <button class="link name" onclick={select} ondblclick={start_rename} aria-pressed={active.to_string()}
                                    title={format!("{}\nclick to show, double-click to rename", s.name)}>{ &s.name }</button>
                        }
                        <span class="muted small taken" title={taken_label(&s.taken).1} data-testid="snapshot-taken" data-source={s.taken.source.describe()}>
                            { format!("{} · {}", taken_label(&s.taken).0, if s.size == 0 { "from a link".to_string() } else { human_bytes(s.size) }) }
                        </span>
                        if s.sample { <span class="badge sample" title="a sample: never compared with your own dumps">{ "sample" }</span> }
                        <button class="link remove" onclick={remove} aria-label={format!("remove {}", s.name)}>{ "×" }</button>
                    </span>
                }
            }) }
            { for props.pending.iter().map(|p| html! {
                <span class="snapshot pending" data-testid="pending">
                    { format!("reading {} ", p.name) }
                    <progress max={p.size.max(1).to_string()} value={p.read.to_string()}/>
                    <span class="muted small">{ format!(" {} of {}", human_bytes(p.read), human_bytes(p.size)) }</span>
                </span>
            }) }
        </nav>
    }
}

#[derive(Properties, PartialEq)]
pub struct TabsProps {
    pub view: View,
    /// The views that apply to the active snapshot, in order (see [`crate::state::State::views`]).
    pub views: Vec<View>,
    pub on_show: Callback<View>,
}

/// The id of a view's tab, which the tab panel (the page's `<main>`) is labelled by.
pub fn tab_id(v: View) -> String {
    format!("tab-{}", v.name())
}

/// The id of the tab panel every tab controls: the page's `<main>`.
pub const PANEL_ID: &str = "view-panel";

/// The views as WAI-ARIA tabs: the selected one alone in the Tab order (a roving tabindex),
/// Left and Right to the previous and next, Home and End to the first and last, each shown as
/// focus reaches it.
#[function_component(Tabs)]
pub fn tabs(props: &TabsProps) -> Html {
    let on_key = {
        let (views, view, on_show) = (props.views.clone(), props.view, props.on_show.clone());
        Callback::from(move |e: KeyboardEvent| {
            let at = views.iter().position(|&v| v == view).unwrap_or(0);
            let last = views.len().saturating_sub(1);
            let to = match e.key().as_str() {
                "ArrowLeft" => {
                    if at == 0 {
                        last
                    } else {
                        at - 1
                    }
                }
                "ArrowRight" => {
                    if at >= last {
                        0
                    } else {
                        at + 1
                    }
                }
                "Home" => 0,
                "End" => last,
                _ => return,
            };
            e.prevent_default();
            let Some(&v) = views.get(to) else { return };
            on_show.emit(v);
            if let Some(tab) = gloo::utils::document().get_element_by_id(&tab_id(v)).and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = tab.focus();
            }
        })
    };
    // The tab Tab reaches: the selected one, or the first where the view shown has no tab.
    let reachable = if props.views.contains(&props.view) { Some(props.view) } else { props.views.first().copied() };
    html! {
        <div class="tabs" role="tablist" aria-label="views" onkeydown={on_key}>
            { for props.views.iter().map(|&v| {
                let show = props.on_show.reform(move |_| v);
                let selected = props.view == v;
                html! {
                    <button role="tab" id={tab_id(v)} aria-selected={selected.to_string()} aria-controls={PANEL_ID} tabindex={if reachable == Some(v) { "0" } else { "-1" }}
                            class={classes!("tab", selected.then_some("selected"))} data-testid={format!("view-{}", v.name())} onclick={show}>{ v.name() }</button>
                }
            }) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct SummaryProps {
    pub report: Rc<Report>,
    /// The ignore rules as typed, and why they do not read, if they do not.
    pub rules: String,
    pub rules_error: Option<String>,
    /// "Mark as expected" on a suspect: its rule.
    pub on_mark: Callback<String>,
    /// The rules, edited or pasted.
    pub on_rules: Callback<String>,
    pub on_copy: Callback<String>,
    /// The top table (the Top component of views/top.rs), drawn by the app where the summary
    /// places it.
    #[prop_or_default]
    pub top: Html,
    /// A click on a suspect, a longest wait or the crash: the groups it names.
    pub on_focus: Callback<Focus>,
    /// A click on a wait state's bar: the groups in that state.
    pub on_state: Callback<String>,
}

#[function_component(Summary)]
pub fn summary(props: &SummaryProps) -> Html {
    let r = &props.report;
    let mut states: Vec<(&String, &i64)> = r.states.iter().flatten().collect();
    states.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let max = states.first().map_or(1, |s| *s.1).max(1);
    let mut longest: Vec<&GroupRow> = r.groups.iter().filter(|g| g.wait_minutes.is_some()).collect();
    longest.sort_by_key(|g| std::cmp::Reverse(g.wait_minutes.map_or(0, |[_, hi]| hi)));
    html! {
        <section class="summary" aria-label="summary">
            if let Some(crash) = &r.crash {
                <div class="crash" data-testid="crash">
                    { for crash.panic.iter().map(|p| html! { <div class="crash-line">{ p }</div> }) }
                    if let Some(f) = &crash.fatal_error { <div class="crash-line">{ format!("fatal error: {f}") }</div> }
                    if let Some(s) = &crash.signal { <div class="crash-line muted">{ s }</div> }
                    if !crash.running_tests.is_empty() {
                        <div class="crash-line" data-testid="running-tests">{ format!("running tests: {}", crash.running_tests.iter().map(|t| format!("{} ({})", t.name, t.elapsed)).collect::<Vec<_>>().join(", ")) }</div>
                    }
                    // A test timeout's first goroutine is the alarm that panicked, not a culprit.
                    if let Some(g) = crash.goroutine.as_ref().filter(|_| r.test_timeout.is_none()) {
                        { crashed(g, props.on_focus.reform({ let id = g.id; move |_| Focus::Goroutine(id) })) }
                    } else if let Some(g) = crash.first_goroutine.filter(|_| r.test_timeout.is_none()) {
                        <div class="crash-line muted">{ format!("goroutine {g} printed first (the one that crashed)") }</div>
                    }
                </div>
            }
            if let Some(t) = &r.test_timeout {
                { test_timeout(t) }
            }
            if !r.races.is_empty() {
                <Races report={r.clone()}/>
            }
            <div class="facts">
                <div class="fact">
                    <span class="label">{ "goroutines" }</span>
                    <span class="value" data-testid="total-goroutines">{ r.goroutines.map_or("–".to_string(), count) }</span>
                </div>
                <div class="fact"><span class="label">{ "format" }</span><span class="value small" data-testid="format">{ &r.format }</span></div>
                if let Some(wrapper) = &r.wrapper {
                    <div class="fact"><span class="label">{ "unwrapped from" }</span><span class="value small" data-testid="wrapper">{ format!("{wrapper} log") }</span></div>
                }
                <div class="fact"><span class="label">{ "profile" }</span><span class="value small" data-testid="profile">{ &r.profile }</span></div>
                if let Some(leaked) = r.leaked.filter(|&l| l > 0 || r.profile == "goroutineleak") {
                    <div class="fact" title="goroutines the Go runtime itself proved leaked: (leaked) in a Go 1.26+ dump, or a goroutineleak profile">
                        <span class="label">{ "leaked (runtime's verdict)" }</span><span class={classes!("value", (leaked > 0).then_some("leak"))} data-testid="leaked">{ count(leaked) }</span>
                    </div>
                }
                if r.goroutines.is_some() {
                    <div class="fact"><span class="label">{ "groups" }</span><span class="value small">{ count(r.groups.len() as i64) }</span></div>
                }
                { for r.totals.iter().filter(|_| r.goroutines.is_none()).map(|(k, v)| html! {
                    <div class="fact"><span class="label">{ k }</span><span class="value small" data-testid="total">{ count(*v) }</span></div>
                }) }
            </div>
            if r.truncated {
                <p class="note">{ "The dump ends in the middle of a goroutine: the last one is cut off." }</p>
            }
            if !r.limits.is_empty() {
                <ul class="note limits" data-testid="limits">
                    { for r.limits.iter().map(|l| html! { <li>{ &l.message }</li> }) }
                </ul>
            }
            <div class="columns">
                if !states.is_empty() {
                    <div>
                        <h2>{ "Wait states" }{ if r.states_inferred { html! { <span class="muted">{ " (inferred from the leaf frames)" }</span> } } else { html! {} } }</h2>
                        <table class="states">
                            <tbody>
                            { for states.iter().map(|(name, count)| {
                                let width = format!("{:.1}", 100.0 * **count as f64 / max as f64);
                                let name = name.to_string();
                                html! {
                                    <tr data-testid="state-row" data-state={name.clone()} data-count={count.to_string()}>
                                        <td class="state-name">
                                            <button class="link open" title={format!("show the groups in {name}")}
                                                    onclick={{ let name = name.clone(); props.on_state.reform(move |_| name.clone()) }}>{ name.clone() }</button>
                                        </td>
                                        <td class="state-count">{ self::count(**count) }</td>
                                        <td class="state-bar">
                                            <svg viewBox="0 0 100 10" preserveAspectRatio="none" class="bar-svg" aria-hidden="true">
                                                <rect x="0" y="0" height="10" width={width} class={state_family(Some(name.as_str()))}/>
                                            </svg>
                                        </td>
                                    </tr>
                                }
                            }) }
                            </tbody>
                        </table>
                    </div>
                }
                if !longest.is_empty() {
                    <div>
                        <h2>{ "Longest waits" }</h2>
                        <table class="compact">
                            <tbody>
                            { for longest.iter().take(6).map(|g| html! {
                                <tr>
                                    <td class="num">{ minutes_text(g.wait_minutes) }</td>
                                    <td class="num">{ g.count }</td>
                                    <td><span class={classes!("chip", state_family(g.state.as_deref()))}>{ g.state.clone().unwrap_or_else(|| "unknown".into()) }</span></td>
                                    <td>
                                        <button class="link open" data-testid="wait-open" title="show the group and its stack" data-count={g.count.to_string()}
                                                data-site={g.site.as_ref().map(|f| f.func.clone())}
                                                onclick={props.on_focus.reform({ let f = Focus::stack(&g.frames, g.site.as_ref(), g.state.as_deref()); move |_| f.clone() })}>
                                            { g.site.as_ref().map(short_frame_label).unwrap_or_default() }
                                        </button>
                                        { differs(g) }
                                    </td>
                                </tr>
                            }) }
                            </tbody>
                        </table>
                    </div>
                }
            </div>
            if r.leak_suspects.is_empty() && r.goroutines.is_some_and(|n| n > 0) {
                <p class="muted" data-testid="no-suspects">{ "No leak suspects: no group grew, waits long on a send or a lock, stands out by its size, or was marked leaked by the runtime." }</p>
            }
            if !r.leak_suspects.is_empty() {
                <h2>{ "Leak suspects" }<span class="muted small">{ " score: the sum of the weights of the signals listed" }</span></h2>
                <ol class="suspects">
                    { for r.leak_suspects.iter().take(10).map(|s| html! {
                        <li class="suspect" data-testid="leak-suspect">
                            <span class="score" title="the sum of the weights of the signals listed (the README's leak suspects section)">{ format!("{:.0}", s.score) }</span>
                            <span>
                                { advice(&s.explanation) }
                                if !s.signals.is_empty() {
                                    <span class="signals" data-testid="signals">{ for s.signals.iter().map(|x| html! { <span class="chip signal">{ x }</span> }) }</span>
                                }
                                <button class="button small mark" data-testid="suspect-open" data-count={s.count.to_string()} data-site={s.site.as_ref().map(|f| f.func.clone())}
                                        onclick={props.on_focus.reform({ let f = Focus::stack(&s.frames, s.site.as_ref(), s.state.as_deref()); move |_| f.clone() })}>{ "show the stack" }</button>
                                if let Some(rule) = &s.rule {
                                    <button class="button small mark" data-testid="mark-expected" title={format!("add the ignore rule {rule}: the group is then no suspect")}
                                            onclick={{ let rule = rule.clone(); props.on_mark.reform(move |_| rule.clone()) }}>{ "mark as expected" }</button>
                                }
                            </span>
                        </li>
                    }) }
                </ol>
            }
            { expected_rules(props) }
            { props.top.clone() }
            if !r.warnings.is_empty() {
                <details class="warnings">
                    <summary>{ format!("{} warning{}, {} line{} skipped", r.warnings.len(), if r.warnings.len() == 1 { "" } else { "s" }, r.skipped, if r.skipped == 1 { "" } else { "s" }) }</summary>
                    <ul>{ for r.warnings.iter().map(|w| html! { <li>{ format!("line {}: {}", w.line, w.message) }</li> }) }</ul>
                </details>
            }
        </section>
    }
}

/// The goroutine that crashed, first: where (its first user frame), its stack with the
/// arguments it was called with, who started it, and the way to its group.
fn crashed(g: &CrashedRow, on_open: Callback<MouseEvent>) -> Html {
    html! {
        <div class="crashed" data-testid="crashed">
            <div class="crash-line">
                <strong>{ format!("goroutine {} [{}]", g.id, g.state) }</strong>
                if let Some(site) = &g.site {
                    { " crashed in " }<span data-testid="crash-site">{ frame_label(site) }</span>
                }
                <button class="button small" onclick={on_open} data-testid="crash-open">{ "show its group" }</button>
            </div>
            <ol class="stack">
                { for g.frames.iter().enumerate().map(|(i, f)| html! {
                    <li class={classes!((Some(f) == g.site.as_ref()).then_some("site"))}>
                        <span class="func">{ &f.func }</span>
                        <span class="args">{ format!("({})", g.args.get(i).map_or("", String::as_str)) }</span>
                        if !f.file.is_empty() || f.line > 0 { <div class="file">{ format!("{}:{}", f.file, f.line) }</div> }
                    </li>
                }) }
            </ol>
            if let Some(c) = &g.created_by {
                <div class="created">{ "created by " }{ frame_label(c) }</div>
            }
        </div>
    }
}

/// A test binary's timeout: each running test with its goroutines and what they wait on, and
/// the goroutines that keep a synctest bubble's clock still.
fn test_timeout(t: &parkview::rows::TestTimeoutRow) -> Html {
    html! {
        <section class="timeout" data-testid="test-timeout" aria-label="test timeout">
            <h2>{ format!("Tests running at the timeout ({})", t.after) }</h2>
            if t.tests.is_empty() {
                <p class="muted">{ "The dump names no running test." }</p>
            }
            { for t.tests.iter().map(|test| html! {
                <div class="timed-out-test" data-testid="timed-out-test">
                    <div>
                        <strong>{ &test.name }</strong>
                        if !test.elapsed.is_empty() { <span class="muted">{ format!(" ran {}", test.elapsed) }</span> }
                        { format!(": {} goroutine{}", test.goroutines, if test.goroutines == 1 { "" } else { "s" }) }
                        if !test.subtests.is_empty() {
                            <span class="muted">{ format!("; running subtests {}", test.subtests.iter().map(|s| format!("{} ({})", s.name, s.elapsed)).collect::<Vec<_>>().join(", ")) }</span>
                        }
                    </div>
                    <table class="compact">
                        <tbody>
                        { for test.waits.iter().map(|w| html! {
                            <tr data-testid="test-wait">
                                <td class="num">{ w.count }</td>
                                <td><span class={classes!("chip", state_family(w.state.as_deref()))}>{ w.state.clone().unwrap_or_else(|| "unknown".into()) }</span></td>
                                <td>{ w.site.as_ref().map(short_frame_label).unwrap_or_default() }</td>
                                <td class="muted small">{ format!("ids {}", w.ids.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")) }</td>
                            </tr>
                        }) }
                        </tbody>
                    </table>
                </div>
            }) }
            { for t.unsettled.iter().map(|u| html! {
                <p class="note" data-testid="unsettled">
                    { format!("Goroutine {} in synctest bubble {} is blocked in {} ", u.id, u.bubble, u.state) }
                    { u.site.as_ref().map(short_frame_label).unwrap_or_default() }
                    { ", but not durably: it keeps the bubble's fake clock from advancing." }
                </p>
            }) }
        </section>
    }
}

/// The ignore rules: what "mark as expected" wrote, editable and copyable, with what they
/// silence in this snapshot.
fn expected_rules(props: &SummaryProps) -> Html {
    let r = &props.report;
    if r.goroutines.is_none() {
        return html! {};
    }
    let area = NodeRef::default();
    let apply = {
        let (area, on_rules) = (area.clone(), props.on_rules.clone());
        Callback::from(move |_| {
            if let Some(el) = area.cast::<web_sys::HtmlTextAreaElement>() {
                on_rules.emit(el.value());
            }
        })
    };
    let on_change = props.on_rules.reform(|e: Event| e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value());
    let copy = {
        let (rules, on_copy) = (props.rules.clone(), props.on_copy.clone());
        Callback::from(move |_| on_copy.emit(rules.clone()))
    };
    let rules = props.rules.lines().filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')).count();
    let silenced: i64 = r.silenced.iter().map(|s| s.goroutines).sum();
    html! {
        <details class="expected" data-testid="expected" open={rules > 0}>
            <summary>
                { "Expected goroutines" }
                <span class="muted">{ format!(": {rules} rule{}, {silenced} goroutine{} silenced here", if rules == 1 { "" } else { "s" }, if silenced == 1 { "" } else { "s" }) }</span>
            </summary>
            <p class="muted small">
                { "One rule a line, in goleak's terms: " }<code>{ "top:FUNC" }</code>{ ", " }<code>{ "any:FUNC" }</code>{ ", " }
                <code>{ "creator:FUNC" }</code>{ ", " }<code>{ "label:KEY=VALUE" }</code>
                { ". Goroutines they name are no suspects; the rules go with a share link, and saved to a file they work with " }
                <code>{ "parkview report --ignore FILE" }</code>{ "." }
            </p>
            <textarea ref={area} class="rules" rows="4" aria-label="ignore rules" data-testid="rules" spellcheck="false"
                      value={props.rules.clone()} onchange={on_change}
                      placeholder="top:example.com/svc.(*Worker).loop"/>
            if let Some(e) = &props.rules_error {
                <p class="search-error" role="alert" data-testid="rules-error">{ format!("{e}; the last rules that read still apply") }</p>
            }
            <div class="detail-bar">
                <button class="button small" onclick={apply} data-testid="apply-rules">{ "apply" }</button>
                <button class="button small" onclick={copy} disabled={rules == 0} data-testid="copy-rules">{ "copy rules" }</button>
            </div>
            if !r.silenced.is_empty() {
                <ul class="silenced" data-testid="silenced">
                    { for r.silenced.iter().map(|s| html! { <li>{ format!("{} goroutine{} by ", s.goroutines, if s.goroutines == 1 { "" } else { "s" }) }<code>{ &s.rule }</code></li> }) }
                </ul>
            }
        </details>
    }
}

/// A suspect's explanation: what the input named as it is, then the pattern's advice (after
/// `. Looks like `, parkview's own words) with its `code` spans (between backticks) set as
/// code, as Markdown writes them. A backtick in a file or function name is text.
pub fn advice(explanation: &str) -> Html {
    const ADVICE: &str = ". Looks like ";
    let (named, advice) = match explanation.find(ADVICE) {
        Some(at) => explanation.split_at(at),
        None => (explanation, ""),
    };
    html! {
        <>
            { named }
            { for advice.split('`').enumerate().map(|(i, part)| if i % 2 == 1 { html! { <code>{ part }</code> } } else { html! { { part } } }) }
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct RacesProps {
    /// The report whose `races` are shown.
    pub report: Rc<Report>,
}

/// The race detector's reports: a line per race (both accesses where they happened), and on
/// opening it the stacks of both accesses and where their goroutines were started.
#[function_component(Races)]
pub fn races(props: &RacesProps) -> Html {
    let races = &props.report.races;
    let by = |goroutine: Option<u64>| goroutine.map_or_else(|| "the main goroutine".to_string(), |g| format!("goroutine {g}"));
    let stack = |frames: &[FrameRow]| {
        html! {
            <ol class="stack">
                { for frames.iter().map(|f| html! {
                    <li>
                        <span class="func">{ &f.func }</span>
                        if !f.file.is_empty() || f.line > 0 { <div class="file muted">{ format!("{}:{}", f.file, f.line) }</div> }
                    </li>
                }) }
            </ol>
        }
    };
    let access = |a: &RaceAccessRow| {
        let at = if a.address.is_empty() { String::new() } else { format!(" at {}", a.address) };
        format!("{}{}{at} by {}", if a.previous { "previous " } else { "" }, a.kind, by(a.goroutine))
    };
    html! {
        <div class="races" data-testid="races">
            <h2>{ format!("Data races ({})", races.len()) }<span class="muted small">{ " goroutine numbers are the race detector's, not the dump's" }</span></h2>
            { for races.iter().take(50).map(|race| html! {
                <details class="race" data-testid="race">
                    <summary>
                        if race.accesses.is_empty() { { format!("a race report of line {} without its accesses", race.line) } }
                        { for race.accesses.iter().enumerate().map(|(i, a)| html! {
                            <>
                                if i > 0 { <span class="muted">{ "; " }</span> }
                                { access(a) }{ " in " }
                                { a.site.as_ref().or(a.frames.first()).map(short_frame_label).unwrap_or_default() }
                            </>
                        }) }
                    </summary>
                    { for race.accesses.iter().map(|a| html! {
                        <div class="race-part">
                            <strong>{ access(a) }</strong>
                            { stack(&a.frames) }
                        </div>
                    }) }
                    { for race.goroutines.iter().map(|g| html! {
                        <div class="race-part">
                            <strong>{ format!("goroutine {} ({}) created at", g.goroutine, g.status) }</strong>
                            { stack(&g.created_at) }
                        </div>
                    }) }
                    if let Some(l) = &race.location {
                        <div class="race-part">
                            <strong>{ l }</strong>
                            { stack(&race.location_frames) }
                        </div>
                    }
                </details>
            }) }
            if races.len() > 50 {
                <p class="muted">{ format!("… and {} more data races (the CLI lists them all with --json)", races.len() - 50) }</p>
            }
        </div>
    }
}
