//! The one seam between the generated client and hand-written layers.
//!
//! progenitor calls [`ClientHooks`] on every request; the generated `Client`
//! carries a [`Hooks`] value and this impl forwards to the [`RequestHook`]s
//! in it. Signing, tracing and request-id capture (in `hss-ext`) plug in
//! here instead of wrapping each call, so retries and every future operation
//! pass through them too.
//!
//! Per request the order is: every hook's `before_send`, the HTTP exchange
//! up to the response head, every hook's `wrap_response`, every hook's
//! `after_send`, then the generated code reads and decodes the body.

use std::fmt;
use std::sync::Arc;

use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo};

use crate::Client;

/// Something that sees every request just before it is sent, and every
/// outcome right after.
pub trait RequestHook: Send + Sync + 'static {
    /// A short name for `Debug` output and error messages.
    fn name(&self) -> &'static str;

    /// Called with the complete request (URL, query and every header the
    /// generated code sets) just before it is sent. It may add headers or
    /// rewrite the URL; an error stops the request before anything is sent.
    fn before_send(
        &self,
        request: &mut reqwest::Request,
        operation: &OperationInfo,
    ) -> Result<(), String>;

    /// Called with each response as soon as its head has arrived, before
    /// [`after_send`](Self::after_send) and before the generated code reads
    /// the body; returns the response the generated code goes on with. A
    /// hook may replace the body here, for example with one that stops with
    /// an error past a size limit (the generated code reads whole bodies
    /// into memory). The default returns the response unchanged.
    fn wrap_response(
        &self,
        response: reqwest::Response,
        _operation: &OperationInfo,
    ) -> reqwest::Response {
        response
    }

    /// Called with the outcome of sending, before the body is read.
    fn after_send(&self, _result: &reqwest::Result<reqwest::Response>, _operation: &OperationInfo) {
    }
}

/// The hooks a [`Client`] runs on each request, in order. The default runs
/// none, which gives progenitor's plain behaviour.
///
/// Creating one ([`Hooks::new`], [`Hooks::default`]) also calls
/// [`ensure_crypto_provider`](crate::ensure_crypto_provider): every
/// [`Client::new`] call takes a `Hooks`, so a TLS crypto provider is in
/// place before the generated code builds its `reqwest::Client`.
#[derive(Clone)]
pub struct Hooks {
    hooks: Vec<Arc<dyn RequestHook>>,
}

impl Default for Hooks {
    fn default() -> Self {
        crate::ensure_crypto_provider();
        Self { hooks: Vec::new() }
    }
}

impl Hooks {
    /// No hooks (and a TLS crypto provider in place, see [`Hooks`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a hook that runs after the ones already added.
    pub fn with(mut self, hook: impl RequestHook) -> Self {
        self.hooks.push(Arc::new(hook));
        self
    }

    /// Adds a shared hook that runs after the ones already added.
    pub fn with_shared(mut self, hook: Arc<dyn RequestHook>) -> Self {
        self.hooks.push(hook);
        self
    }

    /// True when no hook is installed.
    pub fn is_empty(&self) -> bool {
        self.hooks.is_empty()
    }
}

impl fmt::Debug for Hooks {
    // Names only: a hook may hold credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.hooks.iter().map(|h| h.name()))
            .finish()
    }
}

impl ClientHooks<Hooks> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        for hook in &self.inner().hooks {
            hook.before_send(request, info)
                .map_err(|e| Error::Custom(format!("{}: {e}", hook.name())))?;
        }
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let mut response = self.client().execute(request).await?;
        for hook in &self.inner().hooks {
            response = hook.wrap_response(response, info);
        }
        Ok(response)
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        for hook in &self.inner().hooks {
            hook.after_send(result, info);
        }
        Ok(())
    }
}
