//! The end of every operation's `send()`, written once.
//!
//! Each generated `send()` builds its request and then calls
//! [`Client::send_json`] or [`Client::send_empty`] (`cargo xtask
//! generate`'s `shared_send` pass): the hooks before sending, the exchange,
//! the hooks after, and the answer read by its status, exactly as
//! progenitor writes it out per operation. One generic copy instead of 582
//! is what keeps the whole service's build affordable (BENCHMARKS.md).

use progenitor_client::{ClientHooks, OperationInfo};
use serde::de::DeserializeOwned;

use crate::{Client, Error, ResponseValue};

#[allow(
    dead_code,
    reason = "no send() calls them when the build enables no operation group"
)]
impl Client {
    /// Sends `request` through the hooks and returns the answer's head.
    async fn exchange<E>(
        &self,
        mut request: reqwest::Request,
        info: &OperationInfo,
    ) -> Result<reqwest::Response, Error<E>> {
        self.pre(&mut request, info).await?;
        let result = self.exec(request, info).await;
        self.post(&result, info).await?;
        Ok(result?)
    }

    /// Sends `request`; `success` answers a JSON `T`, each of `errors` a
    /// JSON `E` ([`Error::ErrorResponse`]), any other status is
    /// [`Error::UnexpectedResponse`].
    pub(crate) async fn send_json<T: DeserializeOwned, E: DeserializeOwned>(
        &self,
        request: reqwest::Request,
        info: OperationInfo,
        success: u16,
        errors: &[u16],
    ) -> Result<ResponseValue<T>, Error<E>> {
        let response = self.exchange(request, &info).await?;
        let status = response.status().as_u16();
        if status == success {
            ResponseValue::from_response(response).await
        } else if errors.contains(&status) {
            Err(Error::ErrorResponse(
                ResponseValue::from_response(response).await?,
            ))
        } else {
            Err(Error::UnexpectedResponse(response))
        }
    }

    /// [`send_json`](Self::send_json) for an operation whose success
    /// answer has no body.
    pub(crate) async fn send_empty<E: DeserializeOwned>(
        &self,
        request: reqwest::Request,
        info: OperationInfo,
        success: u16,
        errors: &[u16],
    ) -> Result<ResponseValue<()>, Error<E>> {
        let response = self.exchange(request, &info).await?;
        let status = response.status().as_u16();
        if status == success {
            Ok(ResponseValue::empty(response))
        } else if errors.contains(&status) {
            Err(Error::ErrorResponse(
                ResponseValue::from_response(response).await?,
            ))
        } else {
            Err(Error::UnexpectedResponse(response))
        }
    }
}
