//! The groups table: search, state chips with counts, similarity and label grouping with totals
//! per label value, sorting, and a virtualized body (only the rows in view are in the page),
//! with the selected group's whole stack beside it (below it on narrow windows). Rows that read
//! alike say how they differ; columns nothing fills are left out.

use super::{count, frame_label, minutes_text, short_frame_label, site_label, stack_text, state_family};
use crate::state::{visible_groups, Focus, GroupsView, SortBy};
use parkview::group::Similarity;
use parkview::report::Report;
use parkview::rows::GroupRow;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Every body row is this tall (CSS `.group-table tbody tr` says the same).
pub const ROW_HEIGHT: i32 = 30;
/// Rows rendered beyond the visible ones, above and below.
const OVERSCAN: usize = 10;

#[derive(Properties, PartialEq)]
pub struct GroupsProps {
    pub report: Rc<Report>,
    pub view: GroupsView,
    pub on_search: Callback<String>,
    pub on_toggle_state: Callback<String>,
    pub on_toggle_background: Callback<()>,
    pub on_similarity: Callback<Similarity>,
    pub on_label_key: Callback<Option<String>>,
    pub on_sort: Callback<SortBy>,
    pub on_select: Callback<usize>,
    pub on_toggle_args: Callback<()>,
    pub on_copy: Callback<String>,
    /// "Mark as expected" on the selected group: its rule.
    pub on_mark: Callback<String>,
    /// A click on the selected group's "created by": the groups that function created.
    pub on_focus: Callback<Focus>,
    /// "show all groups" on the focus line.
    pub on_clear_focus: Callback<()>,
    pub search_ref: NodeRef,
}

/// The columns a table of these groups has content for: waiting, labels, created by.
#[derive(Clone, Copy, PartialEq)]
struct Columns {
    waiting: bool,
    labels: bool,
    created: bool,
}

#[function_component(Groups)]
pub fn groups(props: &GroupsProps) -> Html {
    let r = &props.report;
    let view = &props.view;
    let rows = use_memo(
        (props.report.clone(), view.focus.clone(), view.search.clone(), view.hidden_states.clone(), view.hide_background, view.sort, view.descending),
        |_| visible_groups(&r.groups, view),
    );
    let scroll = use_node_ref();
    let detail_ref = use_node_ref();
    let top = use_state(|| 0i32);
    let height = use_state(|| 600i32);

    // Keep the selected row in view when j/k move it: inside the table's scroll box, then in
    // the window.
    {
        let scroll = scroll.clone();
        use_effect_with(view.selected, move |selected| {
            if let (Some(i), Some(el)) = (selected, scroll.cast::<Element>()) {
                let y = *i as i32 * ROW_HEIGHT;
                let (st, h) = (el.scroll_top(), el.client_height());
                if y < st {
                    el.set_scroll_top(y);
                } else if y + ROW_HEIGHT > st + h - ROW_HEIGHT {
                    el.set_scroll_top(y + 2 * ROW_HEIGHT - h);
                }
                // The row, drawn now that the box scrolled, is brought into the window as well
                // (the box may be partly off-screen); its CSS scroll margins keep it clear of the
                // sticky header.
                if let Ok(Some(row)) = el.query_selector("tr.selected") {
                    bring_into_view(&row);
                    // Keyboard focus in the table follows the selection, so that Enter (the
                    // row's own key handler) opens the row j/k moved to, not the one clicked.
                    let focused = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
                    if focused.is_some_and(|f| el.contains(Some(&f))) {
                        if let Some(row) = row.dyn_ref::<web_sys::HtmlElement>() {
                            let _ = row.focus();
                        }
                    }
                }
            }
        });
    }
    // An opened stack is brought into view where it is drawn below the table (narrow windows);
    // beside the table it is already in view, and nothing moves.
    {
        let detail_ref = detail_ref.clone();
        use_effect_with((view.selected, view.expanded), move |(selected, expanded)| {
            if let (Some(_), true, Some(el)) = (selected, expanded, detail_ref.cast::<Element>()) {
                bring_into_view(&el);
            }
        });
    }
    let on_scroll = {
        let (top, height) = (top.clone(), height.clone());
        Callback::from(move |e: Event| {
            let el: Element = e.target_unchecked_into();
            top.set(el.scroll_top());
            height.set(el.client_height().max(ROW_HEIGHT));
        })
    };
    let first = ((*top / ROW_HEIGHT) as usize).saturating_sub(OVERSCAN).min(rows.len());
    let last = (first + (*height / ROW_HEIGHT) as usize + 2 * OVERSCAN).min(rows.len());

    let mut states: BTreeMap<String, i64> = BTreeMap::new();
    for g in &r.groups {
        *states.entry(g.state.clone().unwrap_or_else(|| "unknown".into())).or_default() += g.count;
    }
    for s in &view.hidden_states {
        states.entry(s.clone()).or_default();
    }
    let columns = Columns {
        waiting: r.groups.iter().any(|g| g.wait_minutes.is_some()),
        labels: r.groups.iter().any(|g| !g.labels.is_empty()),
        created: r.groups.iter().any(|g| g.created_by.is_some()),
    };
    let split = view.expanded && view.selected.is_some();
    let label_keys: Vec<&String> = r.labels.keys().collect();
    let sum: i64 = rows.iter().map(|&i| r.groups[i].count).sum();
    let expected = r.groups.iter().filter(|g| g.background.is_some() || g.silenced_by.is_some()).count();

    let on_input = props.on_search.reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
    let on_similarity = props.on_similarity.reform(|e: Event| Similarity::parse(&e.target_unchecked_into::<HtmlSelectElement>().value()).unwrap_or_default());
    let on_label = props.on_label_key.reform(|e: Event| {
        let v = e.target_unchecked_into::<HtmlSelectElement>().value();
        (!v.is_empty()).then_some(v)
    });
    let sort_header = |by: SortBy, name: &str, class: &'static str| {
        let arrow = if view.sort == by {
            if view.descending {
                " ▾"
            } else {
                " ▴"
            }
        } else {
            ""
        };
        let sort = props.on_sort.reform(move |_| by);
        html! { <th class={class}><button class="link sort" onclick={sort}>{ format!("{name}{arrow}") }</button></th> }
    };
    let selected = view.selected.and_then(|i| rows.get(i)).map(|&g| &r.groups[g]);

    html! {
        <section class="groups" aria-label="groups">
            <div class="controls">
                <input ref={props.search_ref.clone()} class="search" type="search" placeholder="search functions, files, labels — or /regex/  ( / )"
                       value={view.search.clone()} oninput={on_input} aria-label="search" data-testid="search"/>
                <label title={Similarity::ALL.iter().map(|s| format!("{}: {}", s.name(), s.explain())).collect::<Vec<_>>().join("\n")}>{ "similarity " }
                    <select onchange={on_similarity} aria-label="similarity" aria-describedby="similarity-explain" data-testid="similarity">
                        { for Similarity::ALL.iter().map(|s| html! {
                            <option value={s.name()} selected={view.grouping.similarity == *s} title={s.explain()}>{ s.name() }</option>
                        }) }
                    </select>
                </label>
                <span class="muted small" id="similarity-explain" data-testid="similarity-explain">{ format!("groups alike: {}", view.grouping.similarity.explain()) }</span>
                if !label_keys.is_empty() || view.grouping.label_key.is_some() {
                    <label>{ "group by " }
                        <select onchange={on_label} aria-label="group by label" data-testid="group-by">
                            <option value="" selected={view.grouping.label_key.is_none()}>{ "all labels" }</option>
                            { for label_keys.iter().map(|k| html! {
                                <option value={k.to_string()} selected={view.grouping.label_key.as_deref() == Some(k.as_str())}>{ format!("label {k}") }</option>
                            }) }
                        </select>
                    </label>
                }
            </div>
            if let Err(e) = parkview::search::Search::parse(&view.search) {
                <p class="search-error" role="alert" data-testid="search-error">{ format!("{e}: searching for the text as it is") }</p>
            }
            if expected > 0 {
                <label class="background-toggle" title="goroutines that wait by design (the runtime's workers, servers' and clients' loops, signal and log loops, the testing harness) and those your ignore rules name">
                    <input type="checkbox" checked={view.hide_background} onchange={props.on_toggle_background.reform(|_| ())} data-testid="hide-background"/>
                    { format!(" hide expected background ({expected} group{})", if expected == 1 { "" } else { "s" }) }
                </label>
            }
            if let Some(key) = &view.grouping.label_key {
                { label_totals(r, key, props.on_focus.clone()) }
            }
            <div class="chips" role="group" aria-label="show or hide goroutines by state">
                { for states.iter().map(|(s, n)| {
                    let off = view.hidden_states.contains(s);
                    let toggle = { let s = s.clone(); props.on_toggle_state.reform(move |_| s.clone()) };
                    html! {
                        <button class={classes!("chip-toggle", state_family(Some(s.as_str())), off.then_some("off"))}
                                title={format!("{} {s}: {}", count(*n), if off { "hidden, press to show" } else { "shown, press to hide" })}
                                aria-pressed={(!off).to_string()} onclick={toggle} data-testid="state-chip" data-state={s.clone()}>
                            { s.clone() }<span class="chip-count">{ count(*n) }</span>
                        </button>
                    }
                }) }
            </div>
            if let Some(focus) = &view.focus {
                <p class="focus" data-testid="focus">
                    { "Showing " }<strong>{ focus.describe() }</strong>
                    <button class="button small" data-testid="clear-focus" onclick={props.on_clear_focus.reform(|_| ())}>{ "show all groups" }</button>
                </p>
            }
            <h2>
                <span data-testid="group-count">{ count(rows.len() as i64) }</span>{ if rows.len() == 1 { " group of " } else { " groups of " } }
                <span data-testid="group-sum">{ count(sum) }</span>{ if sum == 1 { " goroutine" } else { " goroutines" } }
                if rows.len() < r.groups.len() { <span class="muted">{ format!(" (of {} groups)", count(r.groups.len() as i64)) }</span> }
            </h2>
            <div class={classes!("groups-body", split.then_some("split"))}>
                <div class="table-scroll" ref={scroll} onscroll={on_scroll} tabindex="0" aria-label="groups table">
                    <table class="group-table">
                        <thead><tr>
                            { sort_header(SortBy::Count, "count", "col-count") }
                            { sort_header(SortBy::State, "state", "col-state") }
                            if columns.waiting { { sort_header(SortBy::Wait, "waiting", "col-waiting") } }
                            { sort_header(SortBy::Function, "where (first user frame)", "col-where") }
                            if columns.labels { <th class="col-labels">{ "labels" }</th> }
                            if columns.created { <th class="col-created">{ "created by" }</th> }
                        </tr></thead>
                        <tbody>
                            { spacer(first as i32 * ROW_HEIGHT) }
                            { for (first..last).map(|pos| {
                                let g = &r.groups[rows[pos]];
                                let select = props.on_select.reform(move |_| pos);
                                row(g, columns, view.selected == Some(pos), select)
                            }) }
                            { spacer((rows.len() - last) as i32 * ROW_HEIGHT) }
                        </tbody>
                    </table>
                </div>
                if let (Some(g), true) = (selected, view.expanded) {
                    <div class="detail" data-testid="group-detail" ref={detail_ref}>
                        { detail(g, view.show_args, props.on_toggle_args.reform(|_| ()), props.on_copy.clone(), props.on_mark.clone(), props.on_focus.clone()) }
                    </div>
                }
            </div>
        </section>
    }
}

/// Room for the rows not rendered; an SVG's height attribute, since the page's CSP forbids
/// style attributes.
fn spacer(px: i32) -> Html {
    if px <= 0 {
        return html! {};
    }
    html! { <tr class="spacer" aria-hidden="true"><td colspan="6"><svg width="1" height={px.to_string()}></svg></td></tr> }
}

/// Scrolls the least that brings `el` into view (none where it is in view already).
fn bring_into_view(el: &Element) {
    let options = web_sys::ScrollIntoViewOptions::new();
    options.set_block(web_sys::ScrollLogicalPosition::Nearest);
    el.scroll_into_view_with_scroll_into_view_options(&options);
}

/// The label values of the grouping key with the goroutines each holds, largest first; a value
/// focuses the table on its groups ([`Focus::Label`]).
fn label_totals(r: &Report, key: &str, on_focus: Callback<Focus>) -> Html {
    let mut totals: BTreeMap<Option<&str>, (i64, usize)> = BTreeMap::new();
    for g in &r.groups {
        let t = totals.entry(g.labels.get(key).map(String::as_str)).or_default();
        t.0 += g.count;
        t.1 += 1;
    }
    let mut totals: Vec<_> = totals.into_iter().collect();
    totals.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
    html! {
        <div class="label-totals" data-testid="label-totals" aria-label={format!("goroutines by label {key}")}>
            <span class="muted small">{ format!("by {key}: ") }</span>
            { for totals.into_iter().map(|(value, (n, groups))| {
                let focus = Focus::Label { key: key.to_string(), value: value.map(str::to_string) };
                let text = focus.describe();
                let title = format!("{} goroutines in {} group{}", count(n), count(groups as i64), if groups == 1 { "" } else { "s" });
                html! {
                    <button class="label-total" data-testid="label-total" title={title} onclick={on_focus.reform(move |_| focus.clone())}>
                        <span class="label-chip">{ text }</span>{ " " }<strong>{ count(n) }</strong>
                    </button>
                }
            }) }
        </div>
    }
}

fn row(g: &GroupRow, columns: Columns, selected: bool, on_click: Callback<MouseEvent>) -> Html {
    let state = g.state.clone().unwrap_or_else(|| "unknown".into());
    // A row reached with Tab opens and closes its stack with Enter or Space, as a click does.
    let activate_row = Callback::from(|e: KeyboardEvent| {
        if matches!(e.key().as_str(), "Enter" | " ") {
            e.prevent_default();
            e.target_unchecked_into::<web_sys::HtmlElement>().click();
        }
    });
    html! {
        <tr data-testid="group-row" data-count={g.count.to_string()}
            class={classes!(selected.then_some("selected"), (g.background.is_some() || g.silenced_by.is_some()).then_some("background"))}
            title={g.silenced_by.as_ref().map(|rule| format!("expected: silenced by {rule}")).or_else(|| g.background.as_ref().map(|why| format!("expected background: {why}")))}
            onclick={on_click} aria-selected={selected.to_string()} tabindex="0" onkeydown={activate_row}>
            <td class="num">{ g.count }</td>
            <td class="nowrap">
                <span class={classes!("chip", state_family(g.state.as_deref()))}>{ state }</span>
                if g.inferred { <span class="muted" title="inferred from the leaf frames">{ " ≈" }</span> }
                if g.leaked > 0 { <span class="leak small">{ format!(" {} leaked", g.leaked) }</span> }
                if g.durable { <span class="muted small" title="blocked inside a synctest bubble on something only the bubble can wake">{ " durable" }</span> }
                if let Some(b) = g.synctest_bubble { <span class="muted small" title="the synctest bubble the goroutines are in">{ format!(" bubble {b}") }</span> }
            </td>
            if columns.waiting { <td class="nowrap muted col-waiting">{ minutes_text(g.wait_minutes) }</td> }
            <td class="ellipsis col-where">
                { site_label(g) }
            </td>
            if columns.labels { <td class="ellipsis labels col-labels">{ for g.labels.iter().map(|(k, v)| html! { <span class="label-chip">{ format!("{k}={v}") }</span> }) }</td> }
            if columns.created { <td class="ellipsis col-created">{ g.created_by.as_ref().map(short_frame_label).unwrap_or_default() }</td> }
        </tr>
    }
}

fn detail(
    g: &GroupRow,
    show_args: bool,
    on_toggle_args: Callback<MouseEvent>,
    on_copy: Callback<String>,
    on_mark: Callback<String>,
    on_focus: Callback<Focus>,
) -> Html {
    let text = stack_text(g);
    let copy = Callback::from(move |_| on_copy.emit(text.clone()));
    html! {
        <>
            <div class="detail-bar">
                <strong>{ format!("{} goroutine{}", count(g.count), if g.count == 1 { "" } else { "s" }) }</strong>
                if let Some(ids) = &g.ids {
                    <span class="muted">{ format!(" ids {}{}", ids.iter().take(12).map(|i| i.to_string()).collect::<Vec<_>>().join(", "), if ids.len() > 12 { ", …" } else { "" }) }</span>
                }
                if g.args.is_some() {
                    <button class="button small" onclick={on_toggle_args}>{ if show_args { "hide arguments" } else { "show arguments" } }</button>
                }
                <button class="button small" onclick={copy} data-testid="copy-stack">{ "copy stack" }</button>
                if let Some(rule) = &g.silenced_by {
                    <span class="muted small" data-testid="silenced-by">{ " silenced by " }<code>{ rule }</code></span>
                } else if let Some(rule) = &g.rule {
                    <button class="button small" data-testid="mark-expected" title={format!("add the ignore rule {rule}: the group is then no leak suspect")}
                            onclick={{ let rule = rule.clone(); on_mark.reform(move |_| rule.clone()) }}>{ "mark as expected" }</button>
                }
            </div>
            // Said again here in full: in a narrow "where" cell (a phone) it is cut off.
            if !g.distinctions.is_empty() {
                <div class="muted small" data-testid="detail-differs">{ format!("unlike the groups that read alike: {}", g.distinctions.join(" · ")) }</div>
            }
            <ol class="stack">
                { for g.frames.iter().enumerate().map(|(i, f)| {
                    let args = g.args.as_ref().and_then(|a| a.get(i)).filter(|_| show_args);
                    html! {
                        <li>
                            <span class="func">{ &f.func }</span>
                            if let Some(a) = args { <span class="args">{ format!("({a})") }</span> }
                            if !f.file.is_empty() || f.line > 0 {
                                <div class="file muted">{ format!("{}:{}", f.file, f.line) }</div>
                            }
                        </li>
                    }
                }) }
            </ol>
            if !g.labels.is_empty() {
                <div class="labels">{ "labels " }{ for g.labels.iter().map(|(k, v)| html! { <span class="label-chip">{ format!("{k}={v}") }</span> }) }</div>
            }
            if let Some(c) = &g.created_by {
                <div class="created">{ "created by " }
                    <button class="link open" data-testid="created-by-open" title="show every group this function created"
                            onclick={{ let func = c.func.clone(); on_focus.reform(move |_| Focus::Created { creator: Some(func.clone()), via: None, site: None, state: None }) }}>
                        { frame_label(c) }
                    </button>
                </div>
            }
        </>
    }
}
