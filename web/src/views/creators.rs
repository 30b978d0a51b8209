//! Who started the goroutines: creator site x blocking site, and the parent chain of a goroutine.

use super::{frame_label, more_rows, state_family, PAGE_ROWS};
use crate::state::Focus;
use parkview::report::Report;
use parkview::rows::ChainRow;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CreatorsProps {
    pub report: Rc<Report>,
    /// The chain last asked for: (goroutine, links).
    pub chain: Option<(u64, Vec<ChainRow>)>,
    pub on_chain: Callback<u64>,
    /// A creator row's groups, or a chain goroutine's.
    pub on_focus: Callback<Focus>,
}

#[function_component(Creators)]
pub fn creators(props: &CreatorsProps) -> Html {
    let r = &props.report;
    let shown = use_state(|| PAGE_ROWS);
    if r.creators.is_empty() {
        return html! {
            <section class="creators" aria-label="creators">
                <p class="muted">{ "This input names no creators: only debug=2 dumps and tracebacks print `created by`." }</p>
            </section>
        };
    }
    let input = use_node_ref();
    let ask = {
        let (input, on_chain) = (input.clone(), props.on_chain.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(id) = input.cast::<HtmlInputElement>().and_then(|i| i.value().trim().parse().ok()) {
                on_chain.emit(id);
            }
        })
    };
    html! {
        <section class="creators" aria-label="creators">
            <h2>{ "Creator site × blocking site" }</h2>
            <table>
                <thead><tr><th>{ "count" }</th><th>{ "created by" }</th><th>{ "state" }</th><th>{ "parked at" }</th></tr></thead>
                <tbody>
                { for r.creators.iter().take(*shown).map(|c| html! {
                    <tr data-testid="creator-row" data-count={c.count.to_string()}>
                        <td class="num">{ c.count }</td>
                        <td>
                            <button class="link open" data-testid="creator-open" title="show the groups it created"
                                    onclick={props.on_focus.reform({
                                        let f = Focus::Created { creator: c.creator.as_ref().map(|f| f.func.clone()), via: c.via.clone(), site: None, state: None };
                                        move |_| f.clone()
                                    })}>
                                { c.creator.as_ref().map(frame_label).unwrap_or_else(|| html! { <span class="muted">{ "(no creator: started by the runtime or main)" }</span> }) }
                            </button>
                            if let Some(via) = &c.via { <div class="muted small">{ format!("via {via}") }</div> }
                        </td>
                        <td><span class={classes!("chip", state_family(c.state.as_deref()))}>{ c.state.clone().unwrap_or_else(|| "unknown".into()) }</span></td>
                        <td>
                            <button class="link open" data-testid="creator-site-open" title="show these groups and their stack"
                                    onclick={props.on_focus.reform({
                                        let f = Focus::Created {
                                            creator: c.creator.as_ref().map(|f| f.func.clone()),
                                            via: c.via.clone(),
                                            site: c.blocking.as_ref().map(|f| f.func.clone()),
                                            state: c.state.clone(),
                                        };
                                        move |_| f.clone()
                                    })}>
                                { c.blocking.as_ref().map(frame_label).unwrap_or_default() }
                            </button>
                        </td>
                    </tr>
                }) }
                </tbody>
            </table>
            { more_rows(&shown, r.creators.len()) }
            <h2>{ "Parent chain" }</h2>
            <form class="controls" onsubmit={ask}>
                <label>{ "goroutine " }<input ref={input} type="number" min="0" placeholder="id" aria-label="goroutine id" data-testid="chain-input"/></label>
                <button class="button" type="submit">{ "show its parents" }</button>
            </form>
            if let Some((id, links)) = &props.chain {
                <ol class="chain" data-testid="chain">
                    { for links.iter().map(|l| html! {
                        <li>
                            if l.state.is_some() {
                                <button class="link open" data-testid="chain-open" title="show its group"
                                        onclick={props.on_focus.reform({ let id = l.goroutine; move |_| Focus::Goroutine(id) })}>
                                    <strong>{ format!("goroutine {}", l.goroutine) }</strong>
                                </button>
                            } else {
                                <strong>{ format!("goroutine {}", l.goroutine) }</strong>
                            }
                            { match &l.state {
                                Some(s) => html! { <> <span class={classes!("chip", state_family(Some(s.as_str())))}>{ s.clone() }</span>{ " " }{ l.site.as_ref().map(frame_label).unwrap_or_default() }</> },
                                None => html! { <span class="muted">{ " not in this dump (it has exited)" }</span> },
                            } }
                            if let Some(c) = &l.created_by { <div class="muted small">{ "created by " }{ frame_label(c) }</div> }
                        </li>
                    }) }
                </ol>
                if links.len() == 1 && links[0].state.is_none() { <p class="muted">{ format!("goroutine {id} is not in this dump") }</p> }
            }
        </section>
    }
}
