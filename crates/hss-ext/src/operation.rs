//! Any operation of the spec, sent from its entry in `hss_operations` with
//! its values as they travel: text for the path, query and header
//! parameters, the bytes of a JSON body, the fields of a multipart form
//! (`UploadReportLogo`'s file). It needs none of the typed
//! client's models, so a new operation costs no code here; the answer is
//! the service's bytes as received.
//!
//! The request takes the same road as every typed call (`call.rs`):
//! credentials ready, project known (the client's, when the path's
//! `project_id` is not given), a send slot of the shared rate, retries as
//! the operation's retry safety allows, the signing hooks, and errors as
//! [`Error`]. Values are checked against the spec
//! ([`hss_operations::check`]) before anything is sent.

use bytes::Bytes;
use hss_api::types::ErrorBody;
use hss_operations::{Location, Operation, check};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo, ResponseValue};
use reqwest::header::{ACCEPT, CONTENT_TYPE};

use crate::call::Op;
use crate::client::HssClient;
use crate::decode::convert_error;
use crate::error::Error;
use crate::hooks::capture_response;

/// One request of any operation, its values as they are sent.
#[derive(Clone)]
pub struct OperationRequest {
    operation: &'static Operation,
    /// (parameter, value) of the path, query and headers, in the order
    /// given; a list parameter appears once per item.
    values: Vec<(&'static hss_operations::Param, String)>,
    body: Option<Vec<u8>>,
    /// The fields of a `multipart/form-data` body, in the order given.
    form: Vec<FormPart>,
}

/// One field of a multipart form.
#[derive(Clone)]
struct FormPart {
    field: &'static hss_operations::Param,
    /// Set for a file (the part's `filename`).
    file_name: Option<String>,
    content: Vec<u8>,
}

/// The media type of a body sent as form fields.
const FORM: &str = "multipart/form-data";

impl std::fmt::Debug for OperationRequest {
    // Names only: a value may be a secret (the `X-Security-Token` header
    // parameter of some operations), and so may the body.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperationRequest")
            .field("operation", &self.operation.id)
            .field(
                "params",
                &self.values.iter().map(|(p, _)| p.name).collect::<Vec<_>>(),
            )
            .field("body_bytes", &self.body.as_ref().map(Vec::len))
            .field(
                "form",
                &self
                    .form
                    .iter()
                    .map(|p| (p.field.name, p.content.len()))
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// What the service answered, as received.
#[derive(Clone, Debug)]
pub struct OperationAnswer {
    /// A success status (an error answer is [`Error::Service`]).
    pub status: http::StatusCode,
    /// The gateway's `X-Request-Id`.
    pub request_id: Option<String>,
    /// Its `Content-Type`.
    pub content_type: Option<String>,
    /// The body, as received.
    pub body: Bytes,
}

impl OperationRequest {
    /// A request of `operation` with no values yet.
    pub fn new(operation: &'static Operation) -> OperationRequest {
        OperationRequest {
            operation,
            values: Vec::new(),
            body: None,
            form: Vec::new(),
        }
    }

    /// The operation it sends.
    pub fn operation(&self) -> &'static Operation {
        self.operation
    }

    /// Adds `value` for the path, query or header parameter `name` (its
    /// wire name); a list parameter takes one call per item. A name the
    /// operation does not have is refused.
    pub fn param(mut self, name: &str, value: impl Into<String>) -> Result<Self, Error> {
        let param = self
            .operation
            .params
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = self.operation.params.iter().map(|p| p.name).collect();
                Error::InvalidInput {
                    parameter: "parameter",
                    reason: format!(
                        "{} has no parameter {name:?} (its parameters: {})",
                        self.operation.id,
                        names.join(", ")
                    ),
                }
            })?;
        self.values.push((param, value.into()));
        Ok(self)
    }

    /// Sets the JSON body, as sent.
    pub fn json_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// The values given for the parameter `name` (its wire name), in the
    /// order given.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.values
            .iter()
            .filter(move |(p, _)| p.name == name)
            .map(|(_, v)| v.as_str())
    }

    /// This request with `value` as the only value of the parameter
    /// `name`: how a listing moves its `offset`.
    pub(crate) fn replace(mut self, name: &str, value: String) -> Result<Self, Error> {
        self.values.retain(|(p, _)| p.name != name);
        self.param(name, value)
    }

    /// Adds the text field `name` to the operation's multipart form body;
    /// refused when the operation's body is not a form or has no such field.
    pub fn form_text(mut self, name: &str, text: impl Into<String>) -> Result<Self, Error> {
        let field = self.form_field(name)?;
        self.form.push(FormPart {
            field,
            file_name: None,
            content: text.into().into_bytes(),
        });
        Ok(self)
    }

    /// Adds `bytes` as the file `file_name` of the form field `name` (see
    /// [`form_text`](Self::form_text)).
    pub fn form_file(
        mut self,
        name: &str,
        file_name: impl Into<String>,
        bytes: impl Into<Vec<u8>>,
    ) -> Result<Self, Error> {
        let field = self.form_field(name)?;
        self.form.push(FormPart {
            field,
            file_name: Some(file_name.into()),
            content: bytes.into(),
        });
        Ok(self)
    }

    /// The form fields given: name, file name (for a file) and size in
    /// bytes, in the order given; what a preview shows of them.
    pub fn form_fields(&self) -> impl Iterator<Item = (&'static str, Option<&str>, usize)> {
        self.form
            .iter()
            .map(|p| (p.field.name, p.file_name.as_deref(), p.content.len()))
    }

    /// The field `name` of the operation's form body.
    fn form_field(&self, name: &str) -> Result<&'static hss_operations::Param, Error> {
        let op = self.operation;
        let Some(body) = op.body.filter(|b| b.media_type == FORM) else {
            return Err(Error::invalid(
                "body",
                format!("{} takes no form body, so no field {name:?}", op.id),
            ));
        };
        body.fields
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| Error::InvalidInput {
                parameter: "body",
                reason: format!(
                    "{}'s form has no field {name:?} (its fields: {})",
                    op.id,
                    body.fields
                        .iter()
                        .map(|f| f.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
    }

    /// Checks the form fields: each field's text against the spec, the
    /// required ones present, nothing but a form for a form body.
    fn check_form(
        &self,
        body: &hss_operations::Body,
        unknown: &mut Vec<check::Refusal>,
    ) -> Result<(), Error> {
        if self.body.is_some() {
            return Err(Error::invalid(
                "body",
                format!(
                    "{} takes a {FORM} body: give its fields, not a body",
                    self.operation.id
                ),
            ));
        }
        if self.form.is_empty() && body.required {
            return Err(Error::invalid(
                "body",
                format!(
                    "is required: a form with the fields {}",
                    body.fields
                        .iter()
                        .map(|f| f.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        for field in body.fields {
            let parts: Vec<&FormPart> = self
                .form
                .iter()
                .filter(|p| p.field.name == field.name)
                .collect();
            if parts.iter().any(|p| p.file_name.is_some()) {
                // A file's bytes are not text to check; how often it is
                // given still is.
                if parts.len() > 1 && field.ty != hss_operations::Type::Array {
                    return Err(Error::invalid(field.name, "is given more than once"));
                }
                continue;
            }
            let texts: Vec<&str> = parts
                .iter()
                .map(|p| std::str::from_utf8(&p.content).unwrap_or_default())
                .collect();
            triage(check::text(field, &texts), unknown).map_err(|r| Error::InvalidInput {
                parameter: field.name,
                reason: r.reason,
            })?;
        }
        Ok(())
    }

    /// The values given for `param`.
    fn values_of(&self, param: &hss_operations::Param) -> Vec<&str> {
        self.values
            .iter()
            .filter(|(p, _)| p.name == param.name && p.location == param.location)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Checks every value against the spec, before anything is sent. The
    /// path's `project_id` may be left out: the client's is sent. A value
    /// that breaks a rule (type, range, length, a required one missing) is
    /// [`Error::InvalidInput`]. A string outside a field's documented
    /// values is not an error, since the service may know values added
    /// after the spec: those are returned, for the caller to warn about.
    pub fn check(&self) -> Result<Vec<check::Refusal>, Error> {
        let mut unknown = Vec::new();
        for param in self.operation.params {
            let values = self.values_of(param);
            if param.name == "project_id" && param.location == Location::Path && values.is_empty() {
                continue;
            }
            triage(check::text(param, &values), &mut unknown).map_err(|r| Error::InvalidInput {
                parameter: param.name,
                reason: r.reason,
            })?;
        }
        match (&self.operation.body, &self.body) {
            (Some(body), _) if body.media_type == FORM => self.check_form(body, &mut unknown)?,
            (Some(body), given) => {
                let checked = check::body(body, given.as_deref().unwrap_or_default());
                triage(checked, &mut unknown).map_err(|r| {
                    let name = body
                        .fields
                        .iter()
                        .find(|f| f.name == r.name)
                        .map_or("body", |f| f.name);
                    Error::InvalidInput {
                        parameter: name,
                        reason: if name == r.name {
                            r.reason
                        } else {
                            r.to_string()
                        },
                    }
                })?;
            }
            (None, Some(_)) => {
                return Err(Error::invalid(
                    "body",
                    format!("{} takes no body", self.operation.id),
                ));
            }
            (None, None) => {}
        }
        Ok(unknown)
    }

    /// The path with its parameters encoded, `project` for a `project_id`
    /// not given.
    fn path(&self, project: &str) -> String {
        let mut path = self.operation.path.to_owned();
        for param in self.operation.params {
            if param.location != Location::Path {
                continue;
            }
            let value = self
                .values_of(param)
                .first()
                .map(|v| (*v).to_owned())
                .unwrap_or_else(|| project.to_owned());
            path = path.replace(
                &format!("{{{}}}", param.name),
                &hss_auth::signer::encode_component(&value),
            );
        }
        path
    }
}

/// Warns once for each value outside its field's documented values.
pub(crate) fn warn_unknown(operation: &Operation, unknown: &[check::Refusal]) {
    for refusal in unknown {
        tracing::warn!(
            operation = operation.id,
            parameter = %refusal.name,
            "{refusal}; sent as given, since the service may know values the spec does not"
        );
    }
}

/// A check's refusal for an unknown value kept in `unknown`; any other
/// refusal returned.
fn triage(
    checked: Result<(), check::Refusal>,
    unknown: &mut Vec<check::Refusal>,
) -> Result<(), check::Refusal> {
    match checked {
        Err(refusal) if refusal.kind == check::RefusalKind::UnknownValue => {
            unknown.push(refusal);
            Ok(())
        }
        other => other,
    }
}

impl HssClient {
    /// Sends `request` after checking it ([`OperationRequest::check`]);
    /// a success answer is returned as received, an error answer is
    /// [`Error::Service`] as for every typed call.
    pub async fn send_operation(
        &self,
        request: &OperationRequest,
    ) -> Result<OperationAnswer, Error> {
        warn_unknown(request.operation, &request.check()?);
        self.send_checked(request).await
    }

    /// Sends `request`, already checked.
    pub(crate) async fn send_checked(
        &self,
        request: &OperationRequest,
    ) -> Result<OperationAnswer, Error> {
        let given_project = request
            .values
            .iter()
            .find(|(p, _)| p.name == "project_id" && p.location == Location::Path)
            .map(|(_, v)| v.as_str());
        self.call_with(Op::of(request.operation), given_project, |project| {
            self.send_once(request, project)
        })
        .await
    }

    async fn send_once(
        &self,
        request: &OperationRequest,
        project: String,
    ) -> (
        Result<OperationAnswer, Error>,
        Option<reqwest::header::HeaderMap>,
    ) {
        let api = self.api();
        let op = request.operation;
        let method = match reqwest::Method::from_bytes(op.method.as_str().as_bytes()) {
            Ok(method) => method,
            Err(_) => return (Err(Error::invalid("method", op.method.as_str())), None),
        };
        let url = format!("{}{}", api.baseurl(), request.path(&project));
        let query: Vec<(&str, &str)> = request
            .values
            .iter()
            .filter(|(p, _)| p.location == Location::Query)
            .map(|(p, v)| (p.name, v.as_str()))
            .collect();
        let mut builder = api
            .client()
            .request(method, url)
            .header(ACCEPT, "application/json");
        if !query.is_empty() {
            builder = builder.query(&query);
        }
        for (param, value) in request
            .values
            .iter()
            .filter(|(p, _)| p.location == Location::Header)
        {
            builder = builder.header(param.name, value.as_str());
        }
        if let Some(body) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        if !request.form.is_empty() {
            let mut form = reqwest::multipart::Form::new();
            for part in &request.form {
                let mut sent = reqwest::multipart::Part::bytes(part.content.clone());
                if let Some(file_name) = &part.file_name {
                    sent = sent.file_name(file_name.clone());
                }
                form = form.part(part.field.name, sent);
            }
            builder = builder.multipart(form);
        }
        let info = OperationInfo {
            operation_id: op.id,
        };
        let exchange = async {
            let mut built = builder
                .build()
                .map_err(|e| hss_api::Error::<ErrorBody>::InvalidRequest(e.to_string()))?;
            api.pre(&mut built, &info).await?;
            let result = api.exec(built, &info).await;
            api.post(&result, &info).await?;
            let response = result.map_err(hss_api::Error::CommunicationError)?;
            let status = response.status();
            if !status.is_success() {
                return Err(
                    match ResponseValue::<ErrorBody>::from_response(response).await {
                        Ok(body) => hss_api::Error::ErrorResponse(body),
                        Err(error) => error,
                    },
                );
            }
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            let (request_id, content_type) = (header("x-request-id"), header("content-type"));
            let body = response
                .bytes()
                .await
                .map_err(hss_api::Error::ResponseBodyError)?;
            Ok(OperationAnswer {
                status,
                request_id,
                content_type,
                body,
            })
        };
        let (result, meta) = capture_response(exchange).await;
        match result {
            Ok(answer) => (Ok(answer), None),
            Err(error) => {
                let headers = meta.as_ref().map(|m| m.headers.clone());
                (Err(convert_error(error, meta).await), headers)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_names_not_values() {
        let request = OperationRequest::new(hss_operations::LIST_HOST_GROUPS)
            .param("group_name", "secret-looking-value")
            .unwrap()
            .json_body(b"{\"token\": \"s3cret\"}".to_vec());
        let shown = format!("{request:?}");
        assert!(
            shown.contains("group_name") && shown.contains("ListHostGroups"),
            "{shown}"
        );
        assert!(
            !shown.contains("secret-looking-value") && !shown.contains("s3cret"),
            "{shown}"
        );
    }

    #[test]
    fn form_fields_are_the_form_bodys_and_checked_like_parameters() {
        let logo = OperationRequest::new(hss_operations::UPLOAD_REPORT_LOGO);
        assert!(
            logo.clone().form_text("nope", "x").is_err(),
            "no such field"
        );
        assert!(
            OperationRequest::new(hss_operations::LIST_HOST_GROUPS)
                .form_text("file", "x")
                .is_err(),
            "no form body"
        );
        assert!(logo.check().is_err(), "the form body is required");
        let with_file = logo
            .clone()
            .form_file("file", "logo.png", b"png bytes".to_vec())
            .unwrap();
        with_file.check().unwrap();
        assert_eq!(
            with_file.form_fields().collect::<Vec<_>>(),
            [("file", Some("logo.png"), 9)]
        );
        let shown = format!("{with_file:?}");
        assert!(
            shown.contains("file") && !shown.contains("png bytes"),
            "{shown}"
        );
        let twice = with_file.form_file("file", "b.png", b"b".to_vec()).unwrap();
        assert!(twice.check().is_err(), "one file field, given twice");
        assert!(
            logo.json_body(b"{}".to_vec())
                .check()
                .is_err_and(|e| e.to_string().contains("give its fields")),
            "a JSON body for a form"
        );
    }
}
