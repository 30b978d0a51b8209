//! The Web Worker that runs the core, so that decoding a big dump never blocks the page. It
//! keeps the decoded snapshots (see [`Engine`]) and answers each request with report rows.

use crate::engine::{Engine, Request, Response};
use yew_agent::worker::{HandlerId, Worker, WorkerScope};

pub struct AnalysisWorker {
    engine: Engine,
}

impl Worker for AnalysisWorker {
    type Message = ();
    type Input = Request;
    type Output = Response;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        AnalysisWorker { engine: Engine::default() }
    }

    fn update(&mut self, _scope: &WorkerScope<Self>, _msg: ()) {}

    fn received(&mut self, scope: &WorkerScope<Self>, request: Request, id: HandlerId) {
        scope.respond(id, self.engine.handle(request));
    }
}
