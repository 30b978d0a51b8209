//! The diff of two snapshots (oldest against newest, in the order they were taken, unless the
//! user picks others): rows sorted by growth, new and vanished groups marked, and with three or
//! more snapshots a sparkline of each group's count and of the total. Snapshots that look like
//! two programs are said to; the samples are not compared with the user's own dumps.

use super::{frame_label, more_rows, state_family, taken_label, PAGE_ROWS};
use crate::state::{Comparison, Focus, Snapshot};
use parkview::group::Similarity;
use parkview::rows::Change;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DiffProps {
    /// The snapshots the diff may compare, oldest first.
    pub snapshots: Vec<Snapshot>,
    /// Samples are loaded beside the user's own dumps (and left out of `snapshots`).
    pub samples_apart: bool,
    pub on_swap: Callback<()>,
    pub compared: Option<(u32, u32)>,
    pub comparison: Option<Comparison>,
    pub on_base: Callback<u32>,
    pub on_new: Callback<u32>,
    /// How alike stacks must be to be one row.
    pub similarity: Similarity,
    pub on_similarity: Callback<Similarity>,
    /// A row's groups, in the new snapshot (the base for a vanished row).
    pub on_focus: Callback<(u32, Focus)>,
}

/// A small line chart of counts; its points are SVG attributes (the CSP forbids styles).
fn sparkline(counts: &[i64], class: &'static str) -> Html {
    let max = counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    let step = if counts.len() > 1 { 100.0 / (counts.len() - 1) as f64 } else { 0.0 };
    let points: Vec<String> = counts.iter().enumerate().map(|(i, &c)| format!("{:.1},{:.1}", i as f64 * step, 18.0 - 16.0 * c as f64 / max)).collect();
    html! {
        <svg class={classes!("sparkline", class)} viewBox="0 0 100 20" preserveAspectRatio="none" aria-label={counts.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(" → ")}>
            <polyline points={points.join(" ")} fill="none"/>
        </svg>
    }
}

#[function_component(DiffView)]
pub fn diff_view(props: &DiffProps) -> Html {
    let shown = use_state(|| PAGE_ROWS);
    if props.snapshots.len() < 2 {
        return html! {
            <section class="diff" aria-label="diff">
                <p class="muted">{ "Load two or more snapshots (of any formats) to see what grew between them. " }
                if props.samples_apart { { "The samples are not compared with your own dumps." } } else { { "Try the sample: it holds two snapshots of a service with a leak." } }</p>
            </section>
        };
    }
    let (base, new) = props.compared.unwrap_or_default();
    let picker = |label: &str, current: u32, cb: Callback<u32>, testid: &str| {
        let onchange = cb.reform(|e: Event| e.target_unchecked_into::<web_sys::HtmlSelectElement>().value().parse().unwrap_or(0));
        html! {
            <label>{ format!("{label} ") }
                <select {onchange} data-testid={testid.to_string()}>
                    { for props.snapshots.iter().map(|s| html! { <option value={s.id.to_string()} selected={s.id == current} title={taken_label(&s.taken).1}>{ format!("{} · {}", s.name, taken_label(&s.taken).0) }</option> }) }
                </select>
            </label>
        }
    };
    let comparison = props.comparison.as_ref().filter(|c| c.base == base && c.new == new);
    html! {
        <section class="diff" aria-label="diff">
            <div class="controls">
                { picker("base", base, props.on_base.clone(), "diff-base") }
                <button class="button" onclick={props.on_swap.reform(|_| ())} data-testid="diff-swap" aria-label="swap base and new">{ "⇄ swap" }</button>
                { picker("new", new, props.on_new.clone(), "diff-new") }
                <label>{ "similarity " }
                    <select onchange={props.on_similarity.reform(|e: Event| Similarity::parse(&e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()).unwrap_or(Similarity::Functions))} aria-label="diff similarity" data-testid="diff-similarity">
                        { for Similarity::ALL.iter().map(|s| html! { <option value={s.name()} selected={props.similarity == *s}>{ s.name() }</option> }) }
                    </select>
                </label>
            </div>
            {
                match comparison {
                    None => html! { <p class="muted">{ "comparing…" }</p> },
                    Some(c) => {
                        let n = |t: Option<i64>| t.map_or("?".to_string(), |v| v.to_string());
                        let total_series: Option<Vec<i64>> = c.diff.timeline.as_ref().map(|t| t.iter().map(|t| t.goroutines.unwrap_or(0)).collect());
                        html! {
                            <>
                                if !c.same_program {
                                    <p class="note" role="status" data-testid="diff-unrelated">
                                        { "These two snapshots look like different programs: few of the functions on one's stacks are on the other's. " }
                                        { "The counts below compare unrelated stacks, and no leak growth is measured between them." }
                                    </p>
                                }
                                if props.samples_apart { <p class="muted small">{ "The samples are not compared with your own dumps." }</p> }
                                <h2>
                                    { format!("goroutines: {} → {}", n(c.diff.base.goroutines), n(c.diff.new.goroutines)) }
                                    if let Some(t) = &total_series { { sparkline(t, "total") } }
                                </h2>
                                <table class="diff-table">
                                    <thead><tr>
                                        <th>{ "base" }</th><th>{ "new" }</th><th>{ "delta" }</th><th>{ "growth" }</th>
                                        <th>{ "state" }</th><th>{ "where (first user frame)" }</th>
                                        if c.diff.timeline.is_some() { <th>{ "timeline" }</th> }
                                    </tr></thead>
                                    <tbody>
                                    { for c.diff.rows.iter().take(*shown).map(|r| {
                                        let badge = match r.change {
                                            Change::New => html! { <span class="badge new">{ "new" }</span> },
                                            Change::Vanished => html! { <span class="badge vanished">{ "vanished" }</span> },
                                            _ => html! {},
                                        };
                                        html! {
                                            <tr data-testid="diff-row" data-delta={r.delta.to_string()} data-base={r.base.to_string()} data-new={r.new.to_string()}
                                                class={classes!((r.delta > 0).then_some("grew"), (r.delta < 0).then_some("shrank"))}>
                                                <td class="num">{ r.base }</td>
                                                <td class="num">{ r.new }</td>
                                                <td class="num delta">{ format!("{:+}", r.delta) }</td>
                                                <td class="num muted">{ r.growth.map_or("–".to_string(), |g| format!("×{g:.2}")) }</td>
                                                <td class="nowrap"><span class={classes!("chip", state_family(r.state.as_deref()))}>{ r.state.clone().unwrap_or_else(|| "unknown".into()) }</span></td>
                                                <td>{ badge }
                                                    <button class="link open" data-testid="diff-open" title="show the groups and their stack"
                                                            onclick={props.on_focus.reform({
                                                                let at = if r.change == Change::Vanished { base } else { new };
                                                                let f = Focus::stack(&r.frames, r.site.as_ref(), r.state.as_deref());
                                                                move |_| (at, f.clone())
                                                            })}>
                                                        { r.site.as_ref().map(frame_label).unwrap_or_else(|| html! { <span class="muted">{ "(no frames)" }</span> }) }
                                                    </button>
                                                    if let Some(p) = r.persisted.filter(|&p| p > 0) { <span class="muted small">{ format!(" ({p} still blocked since the base)") }</span> }
                                                </td>
                                                if c.diff.timeline.is_some() { <td>{ r.timeline.as_deref().map(|cs| sparkline(cs, "row")).unwrap_or_default() }</td> }
                                            </tr>
                                        }
                                    }) }
                                    </tbody>
                                </table>
                                { more_rows(&shown, c.diff.rows.len()) }
                                { for c.diff.limits.iter().map(|l| html! { <p class="note">{ &l.message }</p> }) }
                            </>
                        }
                    }
                }
            }
        </section>
    }
}
