use parkview_web::agent::Analyser;
use yew_agent::Registrable;

fn main() {
    Analyser::registrar().register();
}
