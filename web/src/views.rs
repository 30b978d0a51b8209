//! Components that render report rows. They get rows and callbacks, never the model.

use crate::state::{LoadError, Snapshot};
use parkview::leaks::is_standard_library;
use parkview::report::{FrameRow, GroupRow, Report};
use std::rc::Rc;
use yew::prelude::*;

/// Groups rendered at once; the counts above the table always cover all of them.
const GROUP_ROWS_SHOWN: usize = 500;

/// The colour family of a wait state, as a CSS class.
pub fn state_family(state: Option<&str>) -> &'static str {
    let Some(s) = state else { return "family-unknown" };
    if s.starts_with("chan ") {
        "family-channel"
    } else if s.starts_with("select") {
        "family-select"
    } else if s.starts_with("sync.") || s.starts_with("semacquire") {
        "family-lock"
    } else if s == "IO wait" {
        "family-io"
    } else if s == "sleep" {
        "family-sleep"
    } else if matches!(s, "running" | "runnable" | "syscall") {
        "family-running"
    } else {
        "family-other"
    }
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
    pub pending: Vec<(u32, String)>,
    pub active: Option<u32>,
    pub on_select: Callback<u32>,
    pub on_remove: Callback<u32>,
}

pub fn human_bytes(n: usize) -> String {
    match n {
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / (1 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KB", n as f64 / (1 << 10) as f64),
        n => format!("{n} B"),
    }
}

#[function_component(SnapshotList)]
pub fn snapshot_list(props: &SnapshotListProps) -> Html {
    if props.snapshots.is_empty() && props.pending.is_empty() {
        return html! {};
    }
    html! {
        <nav class="snapshots" aria-label="loaded snapshots">
            { for props.snapshots.iter().map(|s| {
                let id = s.id;
                let select = props.on_select.reform(move |_| id);
                let remove = props.on_remove.reform(move |_| id);
                let active = props.active == Some(id);
                html! {
                    <span class={classes!("snapshot", active.then_some("active"))}>
                        <button class="link" onclick={select} aria-pressed={active.to_string()}>
                            { &s.name }<span class="muted">{ format!(" · {}", human_bytes(s.size)) }</span>
                        </button>
                        <button class="link remove" onclick={remove} aria-label={format!("remove {}", s.name)}>{ "×" }</button>
                    </span>
                }
            }) }
            { for props.pending.iter().map(|(_, name)| html! {
                <span class="snapshot pending" data-testid="pending">{ format!("reading {name}…") }</span>
            }) }
        </nav>
    }
}

#[derive(Properties, PartialEq)]
pub struct SummaryProps {
    pub name: String,
    pub report: Rc<Report>,
}

#[function_component(Summary)]
pub fn summary(props: &SummaryProps) -> Html {
    let r = &props.report;
    let mut states: Vec<(&String, &i64)> = r.states.iter().flatten().collect();
    states.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let max = states.first().map_or(1, |s| *s.1).max(1);
    html! {
        <section class="summary" aria-label="summary">
            if let Some(crash) = &r.crash {
                <div class="crash" data-testid="crash">
                    { for crash.panic.iter().map(|p| html! { <div class="crash-line">{ p }</div> }) }
                    if let Some(f) = &crash.fatal_error { <div class="crash-line">{ format!("fatal error: {f}") }</div> }
                    if let Some(s) = &crash.signal { <div class="crash-line muted">{ s }</div> }
                </div>
            }
            <div class="facts">
                <div class="fact">
                    <span class="label">{ "goroutines" }</span>
                    <span class="value" data-testid="total-goroutines">{ r.goroutines.map_or("–".to_string(), |n| n.to_string()) }</span>
                </div>
                <div class="fact"><span class="label">{ "format" }</span><span class="value small" data-testid="format">{ &r.format }</span></div>
                <div class="fact"><span class="label">{ "profile" }</span><span class="value small">{ &r.profile }</span></div>
                if let Some(leaked) = r.leaked.filter(|&l| l > 0) {
                    <div class="fact"><span class="label">{ "leaked" }</span><span class="value leak">{ leaked }</span></div>
                }
                <div class="fact"><span class="label">{ "groups" }</span><span class="value small">{ r.groups.len() }</span></div>
            </div>
            if r.truncated {
                <p class="note">{ "The dump ends in the middle of a goroutine: the last one is cut off." }</p>
            }
            if !states.is_empty() {
                <h2>{ "Wait states" }{ if r.states_inferred { html! { <span class="muted">{ " (inferred from the leaf frames)" }</span> } } else { html! {} } }</h2>
                <table class="states">
                    <tbody>
                    { for states.iter().map(|(name, count)| {
                        let width = format!("{:.1}", 100.0 * **count as f64 / max as f64);
                        let name_attr = name.to_string();
                        html! {
                            <tr data-testid="state-row" data-state={name_attr.clone()} data-count={count.to_string()}>
                                <td class="state-name">{ name_attr.clone() }</td>
                                <td class="state-count">{ count.to_string() }</td>
                                <td class="state-bar">
                                    <svg viewBox="0 0 100 10" preserveAspectRatio="none" class="bar-svg" aria-hidden="true">
                                        <rect x="0" y="0" height="10" width={width}
                                              class={state_family((name_attr != "unknown").then_some(name_attr.as_str()))}/>
                                    </svg>
                                </td>
                            </tr>
                        }
                    }) }
                    </tbody>
                </table>
            }
            if !r.top.is_empty() {
                { for r.top.iter().map(|(kind, rows)| html! {
                    <>
                        <h2>{ format!("Top functions by {kind}") }</h2>
                        <table class="top">
                            <thead><tr><th>{ "flat" }</th><th>{ "cum" }</th><th>{ "function" }</th></tr></thead>
                            <tbody>
                            { for rows.iter().take(20).map(|t| html! {
                                <tr><td class="num">{ t.flat }</td><td class="num">{ t.cum }</td><td class="func">{ &t.func }</td></tr>
                            }) }
                            </tbody>
                        </table>
                    </>
                }) }
            }
            if !r.warnings.is_empty() {
                <details class="warnings">
                    <summary>{ format!("{} warnings, {} lines skipped", r.warnings.len(), r.skipped) }</summary>
                    <ul>{ for r.warnings.iter().map(|w| html! { <li>{ format!("line {}: {}", w.line, w.message) }</li> }) }</ul>
                </details>
            }
        </section>
    }
}

/// The innermost frame of user code (not the runtime or the standard library).
pub fn first_user_frame(frames: &[FrameRow]) -> Option<&FrameRow> {
    frames.iter().find(|f| !is_standard_library(&f.func)).or(frames.first())
}

fn base_name(file: &str) -> &str {
    file.rsplit(['/', '\\']).next().unwrap_or(file)
}

#[derive(Properties, PartialEq)]
pub struct GroupsTableProps {
    pub report: Rc<Report>,
}

#[function_component(GroupsTable)]
pub fn groups_table(props: &GroupsTableProps) -> Html {
    let groups = &props.report.groups;
    if groups.is_empty() {
        return html! {};
    }
    let sum: i64 = groups.iter().map(|g| g.count).sum();
    html! {
        <section class="groups" aria-label="groups">
            <h2>
                <span data-testid="group-count">{ groups.len() }</span>{ " groups of " }
                <span data-testid="group-sum">{ sum }</span>{ " goroutines" }
            </h2>
            <table class="group-table">
                <thead><tr><th>{ "count" }</th><th>{ "state" }</th><th>{ "where" }</th><th>{ "labels" }</th></tr></thead>
                <tbody>{ for groups.iter().take(GROUP_ROWS_SHOWN).map(group_row) }</tbody>
            </table>
            if groups.len() > GROUP_ROWS_SHOWN {
                <p class="muted">{ format!("{} smaller groups not shown", groups.len() - GROUP_ROWS_SHOWN) }</p>
            }
        </section>
    }
}

fn group_row(g: &GroupRow) -> Html {
    let state = g.state.clone().unwrap_or_else(|| "unknown".into());
    let minutes = g.wait_minutes.map(|[lo, hi]| if lo == hi { format!(", {lo} min") } else { format!(", {lo}–{hi} min") });
    let place = first_user_frame(&g.frames)
        .map(|f| html! { <><span class="func">{ &f.func }</span><span class="muted">{ format!(" {}:{}", base_name(&f.file), f.line) }</span></> })
        .unwrap_or_else(|| html! { <span class="muted">{ "(no frames)" }</span> });
    html! {
        <tr data-testid="group-row" data-count={g.count.to_string()}>
            <td class="num">{ g.count }</td>
            <td>
                <span class={classes!("chip", state_family(g.state.as_deref()))}>{ state }</span>
                if g.inferred { <span class="muted" title="inferred from the leaf frames">{ " (inferred)" }</span> }
                { minutes.unwrap_or_default() }
            </td>
            <td>{ place }</td>
            <td class="labels">{ for g.labels.iter().map(|(k, v)| html! { <span class="label-chip">{ format!("{k}={v}") }</span> }) }</td>
        </tr>
    }
}
