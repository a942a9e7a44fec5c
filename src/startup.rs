//! Building and running the server. `Application::build` binds the listener
//! before returning so tests can ask for port 0 and read the real port.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::kb::KnowledgeBase;
use crate::state::AppState;
use crate::store::Store;
use crate::web;

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    store: Store,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let state = build_state(config.clone()).await?;
        let store = state.store.clone();
        let listener = TcpListener::bind(config.bind)
            .await
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        Ok(Self {
            listener,
            router: web::router(state),
            store,
        })
    }

    /// The database handle, for tools and tests that need it beside the server.
    pub fn store(&self) -> Store {
        self.store.clone()
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight
    /// and closes the database cleanly (checkpointing the WAL).
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        // Connection info gives rate limits and sign-in throttling the client's address.
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await
            .context("server error")?;
        self.store.close().await;
        tracing::info!("apidesk stopped");
        Ok(())
    }
}

/// Everything the handlers share: the database (migrated), the validated
/// knowledge base and the configuration.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    let kb = KnowledgeBase::load_embedded().context("the built-in content is invalid")?;
    let store = Store::connect(&config.database_url).await?;
    let csrf = crate::web::csrf::CsrfKey::load_or_create(&store).await?;
    let limits = crate::web::rate_limit::RateLimits::in_memory(config.rate_limits.clone());
    Ok(AppState {
        store,
        limits,
        config: Arc::new(config),
        kb: Arc::new(kb),
        csrf,
    })
}

/// Resolves on Ctrl-C or SIGTERM, whichever comes first.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(%err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(err) => {
                tracing::error!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
