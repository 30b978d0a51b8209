//! What is kept in this browser for a reload, and the control that forgets it.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StoredProps {
    /// How many inputs are kept.
    pub kept: usize,
    pub on_forget: Callback<()>,
}

#[function_component(Stored)]
pub fn stored(props: &StoredProps) -> Html {
    if props.kept == 0 {
        return html! {};
    }
    let files = if props.kept == 1 { "1 input".to_string() } else { format!("{} inputs", props.kept) };
    html! {
        <p class="stored muted small" data-testid="stored">
            { format!("{files} kept in this browser's storage on this machine, so that a reload brings them back. ") }
            <button class="link" onclick={props.on_forget.reform(|_| ())} data-testid="forget-stored">{ "Forget them" }</button>
        </p>
    }
}
