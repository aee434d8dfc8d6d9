//! The one seam between the generated client and hand-written layers.
//!
//! progenitor calls [`ClientHooks`] on every request; the generated `Client`
//! carries a [`Hooks`] value and this impl forwards to the [`RequestHook`]s
//! in it. Signing, tracing and request-id capture (in `hss-ext`) plug in
//! here instead of wrapping each call, so retries and every future operation
//! pass through them too.

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

    /// Called with the outcome of sending, before the body is read.
    fn after_send(&self, _result: &reqwest::Result<reqwest::Response>, _operation: &OperationInfo) {
    }
}

/// The hooks a [`Client`] runs on each request, in order. The default runs
/// none, which gives progenitor's plain behaviour.
#[derive(Clone, Default)]
pub struct Hooks {
    hooks: Vec<Arc<dyn RequestHook>>,
}

impl Hooks {
    /// No hooks.
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
