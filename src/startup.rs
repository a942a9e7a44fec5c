//! Building and running the server. `Application::build` binds the listener
//! before returning so tests can ask for port 0 and read the real port.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::config::{Config, ImapConfig};
use crate::kb::{KnowledgeBase, SharedKb};
use crate::mail::Mailer;
use crate::mail::delivery::Deliverer;
use crate::mail::imap::Take;
use crate::mail::inbound::Ingest;
use crate::store::Store;
use crate::tickets::OutgoingMail;
use crate::web;
use crate::web::AppState;
use crate::webhooks::delivery::Deliverer as WebhookDeliverer;

#[cfg(unix)]
mod reload;

/// How long shutdown takes at most: inside the 10 s `docker stop` waits
/// after SIGTERM before SIGKILL (Kubernetes waits 30 s, systemd 90 s).
const SHUTDOWN: Duration = Duration::from_secs(9);
/// How much of it the requests in flight get; the background tasks and
/// closing the database (a WAL checkpoint, slow on a busy disk) get the rest.
const DRAIN_REQUESTS: Duration = Duration::from_secs(5);

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    /// `--metrics-bind`: a second listener that serves only `/metrics`.
    metrics: Option<(TcpListener, axum::Router)>,
    store: Store,
    /// Walks still being counted when the server stops are waited for.
    walks: web::WalkCounts,
    header_timeout: Duration,
    max_connections: usize,
    /// The outbox's delivery task, when SMTP is configured.
    deliverer: Option<Deliverer>,
    /// Incoming mail polling, when IMAP is configured.
    poller: Option<(ImapConfig, Ingest)>,
    /// Webhook delivery: always running, idle while no endpoint is registered.
    webhooks: WebhookDeliverer,
    /// Reads the `--content` folder again on SIGHUP.
    #[cfg(unix)]
    reloader: reload::Reloader,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        // Before any HTTP client is built: reqwest's TLS has no crypto
        // provider of its own (see Cargo.toml).
        crate::webhooks::use_ring_for_tls();
        // Checked once: it reads the CA file, and refuses a mail setting
        // that cannot work, naming it.
        let mail = config.mail.check(config.public_url.as_deref())?;
        let imap = config.imap.check()?;
        let outgoing = if mail.is_some() {
            OutgoingMail::On
        } else {
            OutgoingMail::Off
        };
        let state = state_with(config.clone(), outgoing).await?;
        let store = state.store.clone();
        let walks = state.walks.clone();
        let deliverer = match mail {
            Some(mail) => {
                let mailer = Mailer::new(&mail)?;
                tracing::info!(server = %mailer.server(), "mail: sending through SMTP");
                Some(Deliverer {
                    store: store.clone(),
                    kb: state.kb.clone(),
                    transport: Arc::new(mailer),
                    public_url: mail.public_url.clone(),
                    domain: mail.from.email.domain().to_string(),
                    // Mail invites a reply only where replies reach apidesk.
                    replies: config.mail_replies(),
                })
            }
            None => {
                tracing::info!("mail: off (no --smtp-url); nothing is sent");
                None
            }
        };
        let poller = imap.map(|imap| {
            tracing::info!(server = %imap.server(), "mail: taking replies over IMAP");
            let ingest = Ingest {
                store: store.clone(),
                targets: config.response_targets,
                open_tickets: config.mail.mail_new_tickets,
                sender_limit: config.rate_limits.rate(crate::config::Level::Mail),
                rules: config.file_rules(),
            };
            (imap, ingest)
        });
        if !config.webhook_allow_hosts.is_empty() {
            tracing::info!(
                hosts = %config.webhook_allow_hosts,
                "webhooks: these hosts may be private addresses (--webhook-allow-hosts)"
            );
        }
        let webhooks = WebhookDeliverer::new(
            store.clone(),
            config.public_url.clone(),
            config.webhook_allow_hosts.clone(),
        )?;
        #[cfg(unix)]
        let reloader = reload::Reloader::listen(config.content.clone(), state.kb.clone())?;
        let listener = TcpListener::bind(config.bind)
            .await
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        let metrics = match config.metrics.metrics_bind {
            Some(addr) => {
                let listener = TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("cannot listen on {addr} (--metrics-bind)"))?;
                tracing::info!(%addr, "metrics: served at /metrics on this address");
                Some((listener, web::metrics_only(state.clone())))
            }
            None => None,
        };
        Ok(Self {
            listener,
            metrics,
            router: web::router(state),
            store,
            walks,
            header_timeout: config.header_timeout,
            max_connections: config.max_connections.max(1),
            deliverer,
            poller,
            webhooks,
            #[cfg(unix)]
            reloader,
        })
    }

    /// The database handle, for tools and tests that need it beside the server.
    pub fn store(&self) -> Store {
        self.store.clone()
    }

    /// The walks being counted, for tests that read them once written.
    pub fn walk_counts(&self) -> web::WalkCounts {
        self.walks.clone()
    }

    /// The `--metrics-bind` listener's address, when there is one.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().and_then(|(l, _)| l.local_addr().ok())
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight
    /// and closes the database cleanly (checkpointing the WAL).
    ///
    /// HTTP/1.1 only, with hyper directly rather than `axum::serve`, which
    /// cannot bound a slow client: a client gets `header_timeout` to send
    /// each request's headers (counted from connecting, or from the end of
    /// its previous response, so idle keep-alive connections end too), and
    /// at most `max_connections` are open at once. Past that the server
    /// stops accepting until one closes; new clients wait in the kernel's
    /// queue. Cleartext HTTP/2 is not offered: hyper cannot time out its
    /// idle connections, and the TLS proxy in front speaks HTTP/1.1 to us.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(self.header_timeout)
            .keep_alive(true);
        let graceful = GracefulShutdown::new();
        let (stop_tasks, tasks_stopped) = tokio::sync::watch::channel(false);
        let delivery = self
            .deliverer
            .map(|deliverer| tokio::spawn(deliverer.run(tasks_stopped.clone())));
        let polling = self.poller.map(|(imap, ingest)| {
            let take: Arc<dyn Take> = Arc::new(ingest);
            tokio::spawn(crate::mail::imap::run(imap, take, tasks_stopped.clone()))
        });
        let webhooks = tokio::spawn(self.webhooks.run(tasks_stopped.clone()));
        let metrics = self.metrics.map(|(listener, router)| {
            let mut stop = tasks_stopped.clone();
            tokio::spawn(async move {
                axum::serve(listener, router)
                    .with_graceful_shutdown(async move {
                        let _ = stop.wait_for(|stopped| *stopped).await;
                    })
                    .await
            })
        });
        let sweeping = tokio::spawn(sweep_unclaimed_files(
            self.store.clone(),
            tasks_stopped.clone(),
        ));
        #[cfg(unix)]
        let reloading = tokio::spawn(self.reloader.run(tasks_stopped));
        let connections = Arc::new(Semaphore::new(self.max_connections));
        tokio::pin!(shutdown);
        loop {
            let permit = tokio::select! {
                permit = connections.clone().acquire_owned() => {
                    permit.expect("the connection semaphore is never closed")
                }
                () = &mut shutdown => break,
            };
            let (stream, remote) = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        // Out of file descriptors, usually: wait rather than spin.
                        tracing::warn!(%err, "cannot accept a connection");
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let _ = stream.set_nodelay(true);
            // Connection info gives rate limits and sign-in throttling the client's address.
            let service = self.router.clone().map_request(
                move |mut request: axum::http::Request<Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(remote));
                    request
                },
            );
            let connection =
                http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            let connection = graceful.watch(connection);
            tokio::spawn(async move {
                if let Err(err) = connection.await {
                    tracing::debug!(%err, "connection ended with an error");
                }
                drop(permit);
            });
        }
        drop(self.listener);
        let deadline = tokio::time::Instant::now() + SHUTDOWN;
        tracing::info!("shutting down: finishing requests in flight");
        if tokio::time::timeout(DRAIN_REQUESTS, graceful.shutdown())
            .await
            .is_err()
        {
            // A client still sending its request (or a handler stuck on
            // one) would otherwise hold the shutdown for the request
            // timeout. A request is answered only after its commit, so what
            // is cut off here was never acknowledged.
            tracing::warn!(
                seconds = DRAIN_REQUESTS.as_secs(),
                "shutting down: requests still unfinished are cut off"
            );
        }
        // The mail and the webhook delivery in hand are finished (each
        // SMTP, IMAP and HTTP step is bounded), so they are recorded before
        // the database closes; one still running past the bound is cut
        // off, unrecorded, and sent again after the restart.
        let _ = stop_tasks.send(true);
        let stopping = async {
            if let Some(delivery) = delivery
                && let Err(err) = delivery.await
            {
                tracing::error!(%err, "the mail delivery task failed");
            }
            if let Some(polling) = polling
                && let Err(err) = polling.await
            {
                tracing::error!(%err, "the IMAP polling task failed");
            }
            if let Err(err) = webhooks.await {
                tracing::error!(%err, "the webhook delivery task failed");
            }
            if let Some(metrics) = metrics {
                match metrics.await {
                    Ok(Ok(())) => {}
                    Ok(Err(err)) => tracing::error!(%err, "the metrics listener failed"),
                    Err(err) => tracing::error!(%err, "the metrics listener task failed"),
                }
            }
            if let Err(err) = sweeping.await {
                tracing::error!(%err, "the unclaimed-files task failed");
            }
            #[cfg(unix)]
            if let Err(err) = reloading.await {
                tracing::error!(%err, "the content reload task failed");
            }
        };
        if tokio::time::timeout_at(deadline, stopping).await.is_err() {
            tracing::warn!("shutting down: background work still running is cut off");
        }
        // Walks counted by the last pages served are written, not lost.
        if tokio::time::timeout_at(deadline, self.walks.settled())
            .await
            .is_err()
        {
            tracing::warn!("shutting down: walks still being counted are cut off");
        }
        // Closing waits for connections still lent out, to requests cut off
        // above; every commit is on disk already, so the bound loses nothing.
        if tokio::time::timeout_at(deadline, self.store.close())
            .await
            .is_err()
        {
            tracing::warn!("shutting down: the database was not closed cleanly");
        }
        tracing::info!("apidesk stopped");
        Ok(())
    }
}

/// Drops files attached to forms that were never sent on (staged a day
/// ago and unclaimed), at start and then every hour, until `stop`.
async fn sweep_unclaimed_files(store: Store, mut stop: tokio::sync::watch::Receiver<bool>) {
    const EVERY: Duration = Duration::from_secs(3600);
    while !*stop.borrow() {
        match store
            .drop_unclaimed_files(time::OffsetDateTime::now_utc())
            .await
        {
            Ok(0) => {}
            Ok(dropped) => tracing::info!(dropped, "unclaimed files dropped"),
            Err(err) => tracing::warn!(cause = %err.cause(), "cannot drop unclaimed files"),
        }
        tokio::select! {
            () = tokio::time::sleep(EVERY) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Everything the handlers share: the database (migrated), the validated
/// knowledge base and the configuration.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    // Refuses to start with a mail setting that cannot work, naming it.
    let outgoing = match config.mail.check(config.public_url.as_deref())? {
        Some(_) => OutgoingMail::On,
        None => OutgoingMail::Off,
    };
    state_with(config, outgoing).await
}

/// The state for `config`, whose mail settings were checked already.
async fn state_with(config: Config, outgoing_mail: OutgoingMail) -> anyhow::Result<AppState> {
    // Before the database: content that does not load stops apidesk before
    // it creates or migrates anything.
    let kb = load_content(config.content.as_deref())?;
    match &config.content {
        Some(dir) => tracing::info!(folder = %dir.display(), "content: {}", kb.describe()),
        None => tracing::info!("content: built in, {}", kb.describe()),
    }
    let store = Store::connect_with(&config.database_url, outgoing_mail).await?;
    let csrf = crate::web::csrf::CsrfKey::load_or_create(&store).await?;
    let limits = crate::web::rate_limit::RateLimits::in_memory(config.rate_limits.clone());
    Ok(AppState {
        store,
        limits,
        config: Arc::new(config),
        kb: SharedKb::new(kb),
        csrf,
        outgoing_mail,
        uploads: crate::web::UploadPermits::default(),
        walks: crate::web::WalkCounts::default(),
    })
}

/// The content in `folder` (`--content`), or the built-in content; every
/// problem is in the error, each with its file and line.
pub fn load_content(folder: Option<&Path>) -> anyhow::Result<KnowledgeBase> {
    match folder {
        Some(dir) => KnowledgeBase::load_folder(dir)
            .with_context(|| format!("the content in {} (--content) is invalid", dir.display())),
        None => KnowledgeBase::load_embedded().context("the built-in content is invalid"),
    }
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
}
