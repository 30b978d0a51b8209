//! The top functions of a profile, as `go tool pprof -top` prints them: flat, flat%, sum%,
//! cum, cum% with units, and where each function is; sortable by flat or cum; one sample type
//! at a time, picked with the picker the flame graph shares.

use super::count;
use parkview::report::Report;
use parkview::rows::TopRow;
use std::rc::Rc;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// Rows shown before "show more".
const FIRST_ROWS: usize = 30;

/// `1.5` not `1.50`, `260` not `260.00`: a scaled value with at most two decimals.
fn scaled(v: f64) -> String {
    let text = format!("{v:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A value in its sample type's unit as pprof prints it: nanoseconds as `ms`/`s`, bytes as
/// `KiB`/`MiB`/`GiB`, counts with thousands separators.
pub fn value_text(v: i64, unit: &str) -> String {
    let f = v as f64;
    let a = f.abs();
    let nanos = match unit {
        "nanoseconds" => Some(f),
        "microseconds" => Some(f * 1e3),
        "milliseconds" => Some(f * 1e6),
        "seconds" => Some(f * 1e9),
        _ => None,
    };
    if let Some(ns) = nanos {
        let a = ns.abs();
        return match a {
            a if a >= 1e9 => format!("{}s", scaled(ns / 1e9)),
            a if a >= 1e6 => format!("{}ms", scaled(ns / 1e6)),
            a if a >= 1e3 => format!("{}µs", scaled(ns / 1e3)),
            _ => format!("{}ns", scaled(ns)),
        };
    }
    match unit {
        "bytes" => match a {
            a if a >= (1u64 << 30) as f64 => format!("{}GiB", scaled(f / (1u64 << 30) as f64)),
            a if a >= (1u64 << 20) as f64 => format!("{}MiB", scaled(f / (1u64 << 20) as f64)),
            a if a >= 1024.0 => format!("{}KiB", scaled(f / 1024.0)),
            _ => format!("{v}B"),
        },
        _ => count(v),
    }
}

/// `12.34%` of `total` (pprof's two decimals); nothing of nothing is 0%.
pub fn percent(v: i64, total: i64) -> String {
    if total == 0 {
        return "0%".into();
    }
    format!("{:.2}%", v as f64 * 100.0 / total as f64)
}

/// The unit of the sample type of kind `kind` in the report (`nanoseconds`), `count` if unknown.
pub fn unit_of<'a>(report: &'a Report, kind: &str) -> &'a str {
    report.sample_types.iter().find(|t| t[0] == kind).map_or("count", |t| t[1].as_str())
}

/// The picker of the sample type the flame graph and the top table show, for profiles with
/// several (heap: alloc_objects, alloc_space, inuse_objects, inuse_space); nothing otherwise.
pub fn sample_type_picker(report: &Report, on_pick: &Callback<String>) -> Html {
    if report.sample_types.len() < 2 || report.goroutines.is_some() {
        return html! {};
    }
    let current = report.flame_sample_type.clone().unwrap_or_default();
    let onchange = on_pick.reform(|e: Event| e.target_unchecked_into::<HtmlSelectElement>().value());
    html! {
        <label class="sample-type">
            { "sample type " }
            <select data-testid="sample-type" {onchange}>
                { for report.sample_types.iter().map(|[kind, unit]| html! {
                    <option value={kind.clone()} selected={*kind == current}>{ format!("{kind} ({unit})") }</option>
                }) }
            </select>
        </label>
    }
}

#[derive(Properties, PartialEq)]
pub struct TopProps {
    pub report: Rc<Report>,
    /// A sample type picked (its kind).
    pub on_sample_type: Callback<String>,
}

/// The column the rows are sorted by, heaviest first.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SortBy {
    Flat,
    Cum,
}

/// The top table of the sample type the report's flame graph weighs (else the first).
#[function_component(Top)]
pub fn top(props: &TopProps) -> Html {
    let sort = use_state_eq(|| SortBy::Flat);
    let shown = use_state_eq(|| FIRST_ROWS);
    let r = &props.report;
    let kind = r.flame_sample_type.as_deref().unwrap_or_default();
    let Some((key, rows)) = r.top.iter().find(|(k, _)| k.split('/').next() == Some(kind)).or_else(|| r.top.iter().next()) else {
        return html! {};
    };
    let (kind, unit) = key.split_once('/').unwrap_or((key.as_str(), "count"));
    let total = r.totals.get(key).copied().unwrap_or(0);
    let mut rows: Vec<&TopRow> = rows.iter().collect();
    if *sort == SortBy::Cum {
        rows.sort_by_key(|t| (std::cmp::Reverse(t.cum), std::cmp::Reverse(t.flat)));
    }
    // The core keeps the first hundred by flat and the first hundred by cum: each order is
    // whole that far.
    rows.truncate(parkview::top::TOP_ROWS);
    let listed = rows.len();
    let header = |by: SortBy, name: &'static str| {
        let active = *sort == by;
        let onclick = {
            let sort = sort.clone();
            Callback::from(move |_| sort.set(by))
        };
        html! {
            <th class="num" aria-sort={if active { "descending" } else { "none" }}>
                <button class={classes!("link", "sort", active.then_some("active"))} data-testid={format!("top-sort-{name}")} {onclick}
                        title={format!("sort by {name}, heaviest first")}>{ name }{ if active { " ▾" } else { "" } }</button>
            </th>
        }
    };
    let mut running = 0i64;
    html! {
        <section class="top-functions" aria-label="top functions" data-testid="top">
            <h2>{ format!("Top functions by {kind}") }{ sample_type_picker(r, &props.on_sample_type) }</h2>
            <table class="top" data-testid="top-table">
                <thead><tr>
                    { header(SortBy::Flat, "flat") }<th class="num col-flat-pct">{ "flat%" }</th><th class="num col-sum-pct">{ "sum%" }</th>
                    { header(SortBy::Cum, "cum") }<th class="num col-cum-pct">{ "cum%" }</th><th>{ "function" }</th><th>{ "where" }</th>
                </tr></thead>
                <tbody>
                { for rows.iter().take(*shown).map(|t| {
                    running = running.saturating_add(t.flat);
                    let place = (!t.file.is_empty() || t.line > 0).then(|| format!("{}:{}", parkview::gofunc::base_name(&t.file), t.line));
                    html! {
                        <tr data-testid="top-row">
                            <td class="num" data-testid="top-flat">{ value_text(t.flat, unit) }</td>
                            <td class="num col-flat-pct" data-testid="top-flat-pct">{ percent(t.flat, total) }</td>
                            <td class="num col-sum-pct" data-testid="top-sum-pct">{ percent(running, total) }</td>
                            <td class="num" data-testid="top-cum">{ value_text(t.cum, unit) }</td>
                            <td class="num col-cum-pct" data-testid="top-cum-pct">{ percent(t.cum, total) }</td>
                            <td class="func">{ &t.func }</td>
                            <td class="where muted" title={format!("{}:{}", t.file, t.line)}>{ place.unwrap_or_default() }</td>
                        </tr>
                    }
                }) }
                </tbody>
            </table>
            { crate::views::more_rows(&shown, listed) }
            <p class="muted small">{ format!("{} in all; flat: in the function itself, cum: in it and what it called; sum%: flat% of this row and those above.", value_text(total, unit)) }</p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn values_read_in_their_units() {
        assert_eq!(value_text(260_000_000, "nanoseconds"), "260ms");
        assert_eq!(value_text(1_234_567_890, "nanoseconds"), "1.23s");
        assert_eq!(value_text(512, "nanoseconds"), "512ns");
        assert_eq!(value_text(1536, "bytes"), "1.5KiB");
        assert_eq!(value_text(3 << 20, "bytes"), "3MiB");
        assert_eq!(value_text(206_002, "count"), "206,002");
        assert_eq!(value_text(-1_000, "count"), "-1,000");
        assert_eq!(percent(1, 3), "33.33%");
        assert_eq!(percent(5, 0), "0%");
    }
}
