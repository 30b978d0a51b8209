use parkview_web::agent::AnalysisWorker;
use yew_agent::Registrable;

fn main() {
    AnalysisWorker::registrar().register();
}
