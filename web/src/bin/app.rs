fn main() {
    // A panic on the page's thread ends the app: say so on the page, not only in the console.
    std::panic::set_hook(Box::new(|info| parkview_web::app::show_fatal(&info.to_string())));
    yew::Renderer::<parkview_web::app::App>::new().render();
}
