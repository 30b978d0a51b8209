fn main() {
    // A panic on the page's thread ends the app: say so on the page, not only in the console.
    // Through yew: a hook set with std::panic::set_hook is replaced by yew's own when it renders.
    yew::set_custom_panic_hook(Box::new(|info| parkview_web::app::show_fatal(&info.to_string())));
    yew::Renderer::<parkview_web::app::App>::new().render();
}
