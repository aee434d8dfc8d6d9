//! The official Python SDK of HSS (`huaweicloudsdkhss`, pinned in
//! [`crate::upstream::SDK`]) as a second source of facts: what each
//! operation sends (method, path, where each parameter goes under which
//! name, how a list is joined, the body and its content type) and the
//! shapes of its models (attribute -> wire name and type).
//!
//! The SDK is read as text, not run: `hss_client.py` has one
//! `_<operation>_http_info` function per operation, written by Huawei's
//! generator in a fixed form, and each `model/<name>.py` has an
//! `openapi_types` and an `attribute_map` dictionary. A line this reader
//! does not expect inside those is an error naming it, so a new SDK that
//! changes the form is noticed rather than half read.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use anyhow::{Context, bail};

/// Where the facts are inside the wheel.
const CLIENT: &str = "huaweicloudsdkhss/v5/hss_client.py";
const MODELS: &str = "huaweicloudsdkhss/v5/model/";

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Location {
    Path,
    Query,
    Header,
    /// A form field (`form_params`).
    Form,
}

impl Location {
    /// The OpenAPI `in` of the location (`formData` for a form field).
    pub fn openapi(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
            Location::Form => "formData",
        }
    }
}

/// A type as the SDK's `openapi_types` write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SdkType {
    Str,
    Int,
    Float,
    Bool,
    /// `object`: any JSON value.
    Object,
    /// `file`: a file's bytes (a form field).
    File,
    List(Box<SdkType>),
    /// `dict(str, T)`.
    Map(Box<SdkType>),
    /// Another model, by class name.
    Model(String),
}

impl SdkType {
    /// Parses `str`, `list[int]`, `dict(str, list[Foo])`, `Foo`.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let text = text.trim();
        Ok(match text {
            "str" => SdkType::Str,
            "int" => SdkType::Int,
            "float" => SdkType::Float,
            "bool" => SdkType::Bool,
            "object" => SdkType::Object,
            "file" => SdkType::File,
            _ => {
                if let Some(inner) = text.strip_prefix("list[").and_then(|t| t.strip_suffix(']')) {
                    SdkType::List(Box::new(Self::parse(inner)?))
                } else if let Some(inner) = text
                    .strip_prefix("dict(str,")
                    .and_then(|t| t.strip_suffix(')'))
                {
                    SdkType::Map(Box::new(Self::parse(inner)?))
                } else if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric()) {
                    SdkType::Model(text.to_string())
                } else {
                    bail!("`{text}` is not a type the SDK's models write");
                }
            }
        })
    }

    /// The OpenAPI `type` it corresponds to.
    pub fn openapi(&self) -> &'static str {
        match self {
            SdkType::Str | SdkType::File => "string",
            SdkType::Int => "integer",
            SdkType::Float => "number",
            SdkType::Bool => "boolean",
            SdkType::List(_) => "array",
            SdkType::Object => "",
            SdkType::Map(_) | SdkType::Model(_) => "object",
        }
    }
}

/// One request parameter of an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The request model's attribute.
    pub attribute: String,
    /// The name on the wire.
    pub wire: String,
    pub location: Location,
    /// How a list is joined in a query (`csv`, `multi`), when the SDK says.
    pub collection_format: Option<String>,
}

/// One operation, as `_<name>_http_info` sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// The SDK's snake-case name (`list_host_status`).
    pub name: String,
    /// Upper case (`GET`).
    pub method: String,
    /// `/v5/{project_id}/...`.
    pub path: String,
    pub params: Vec<Param>,
    /// The request attribute sent as the body, if any.
    pub body: Option<String>,
    /// The content types the request declares.
    pub content_types: Vec<String>,
    /// The response model's class name.
    pub response: String,
    /// Response attributes the SDK reads from headers (`X-request-id`), by
    /// header name: not fields of the body.
    pub response_headers: Vec<String>,
}

impl Operation {
    /// The operation id our spec uses: `ListHostStatus`.
    pub fn id(&self) -> String {
        camel(&self.name)
    }

    /// The request model's class name: `ListHostStatusRequest`.
    pub fn request_model(&self) -> String {
        format!("{}Request", self.id())
    }

    /// The first path segment after the project: `host-management`.
    pub fn group(&self) -> &str {
        let rest = self.path.trim_start_matches('/');
        let mut segments = rest.split('/').skip(1); // the version
        let second = segments.next().unwrap_or_default();
        if second == "{project_id}" {
            segments.next().unwrap_or_default()
        } else {
            second
        }
    }
}

/// A field of a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub wire: String,
    pub ty: SdkType,
}

/// A model: attribute -> field, in the SDK's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Model {
    pub fields: Vec<(String, Field)>,
    /// A response whose body is a byte stream (`SdkStreamResponse`), not
    /// JSON.
    pub stream: bool,
}

impl Model {
    pub fn field(&self, attribute: &str) -> Option<&Field> {
        self.fields
            .iter()
            .find(|(a, _)| a == attribute)
            .map(|(_, f)| f)
    }
}

/// Everything read from the SDK.
#[derive(Debug, Clone, Default)]
pub struct Sdk {
    /// By operation id (`ListHostStatus`).
    pub operations: BTreeMap<String, Operation>,
    /// By class name.
    pub models: BTreeMap<String, Model>,
}

impl Sdk {
    /// Reads the pinned wheel, fetching it as needed.
    pub fn pinned() -> anyhow::Result<Self> {
        Self::from_wheel(&crate::upstream::SDK.ensure()?)
    }

    /// Reads a wheel of the SDK.
    pub fn from_wheel(wheel: &Path) -> anyhow::Result<Self> {
        let file =
            std::fs::File::open(wheel).with_context(|| format!("opening {}", wheel.display()))?;
        let mut archive = zip::ZipArchive::new(file)
            .with_context(|| format!("{} is not a zip archive (a wheel)", wheel.display()))?;
        let mut read = |name: &str| -> anyhow::Result<String> {
            let mut text = String::new();
            archive
                .by_name(name)
                .with_context(|| format!("{} has no {name}", wheel.display()))?
                .read_to_string(&mut text)
                .with_context(|| format!("reading {name} from {}", wheel.display()))?;
            Ok(text)
        };
        let client = read(CLIENT)?;
        let model_files: Vec<String> = archive
            .file_names()
            .filter(|n| {
                n.strip_prefix(MODELS)
                    .is_some_and(|f| f.ends_with(".py") && !f.contains('/') && f != "__init__.py")
            })
            .map(str::to_string)
            .collect();
        let mut models = Vec::new();
        for name in model_files {
            let mut text = String::new();
            archive
                .by_name(&name)?
                .read_to_string(&mut text)
                .with_context(|| format!("reading {name}"))?;
            models.push((name, text));
        }
        Self::from_sources(
            &client,
            models.iter().map(|(n, t)| (n.as_str(), t.as_str())),
        )
    }

    /// Reads the client's text and the models' `(file name, text)`.
    pub fn from_sources<'a>(
        client: &str,
        models: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> anyhow::Result<Self> {
        let mut sdk = Sdk::default();
        for op in parse_client(client)? {
            sdk.operations.insert(op.id(), op);
        }
        for (file, text) in models {
            if let Some((class, model)) = parse_model(text).with_context(|| file.to_string())? {
                sdk.models.insert(class, model);
            }
        }
        Ok(sdk)
    }

    /// The type of a request parameter: from the request model, or for a
    /// form field from the body model (the SDK keeps a file there).
    pub fn param_type(&self, op: &Operation, attribute: &str) -> Option<&SdkType> {
        let request = self.models.get(&op.request_model())?;
        if let Some(field) = request.field(attribute) {
            return Some(&field.ty);
        }
        let SdkType::Model(body) = &request.field(op.body.as_deref()?)?.ty else {
            return None;
        };
        self.models.get(body)?.field(attribute).map(|f| &f.ty)
    }

    /// The body model's class name.
    pub fn body_model(&self, op: &Operation) -> Option<&SdkType> {
        self.param_type(op, op.body.as_deref()?)
    }
}

/// `list_host_status` -> `ListHostStatus`.
fn camel(snake: &str) -> String {
    snake
        .split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// The quoted strings of a line, in order (the SDK writes no escapes in
/// the lines read here).
fn quoted(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find(['\'', '"']) {
        let quote = &rest[start..start + 1];
        let after = &rest[start + 1..];
        let Some(end) = after.find(quote) else { break };
        out.push(&after[..end]);
        rest = &after[end + 1..];
    }
    out
}

/// Every `_<name>_http_info` of the client.
fn parse_client(text: &str) -> anyhow::Result<Vec<Operation>> {
    let mut out = Vec::new();
    let mut current: Option<Operation> = None;
    let mut content_type_next = false;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let at = || format!("{CLIENT} line {}: `{line}`", n + 1);
        if let Some(name) = line
            .strip_prefix("def _")
            .and_then(|l| l.strip_suffix("_http_info(cls, request):"))
        {
            current = Some(Operation {
                name: name.to_string(),
                method: String::new(),
                path: String::new(),
                params: Vec::new(),
                body: None,
                content_types: Vec::new(),
                response: String::new(),
                response_headers: Vec::new(),
            });
            continue;
        }
        let Some(op) = current.as_mut() else { continue };
        let q = quoted(line);
        if content_type_next {
            op.content_types = q.iter().map(|s| s.to_string()).collect();
            content_type_next = false;
        } else if line.starts_with("\"method\":") {
            op.method = q.get(1).with_context(at)?.to_string();
        } else if line.starts_with("\"resource_path\":") {
            op.path = q.get(1).with_context(at)?.to_string();
        } else if line.starts_with("\"response_type\":") {
            op.response = q.get(1).with_context(at)?.to_string();
        } else if line.contains("select_header_content_type(") {
            content_type_next = true;
        } else if let Some(location) = [
            ("query_params.append(", Location::Query),
            ("path_params[", Location::Path),
            ("header_params[", Location::Header),
            ("form_params[", Location::Form),
        ]
        .iter()
        .find(|(prefix, _)| line.starts_with(prefix) && line.contains("local_var_params["))
        .map(|(_, l)| *l)
        {
            let (Some(wire), Some(attribute)) = (q.first(), q.get(1)) else {
                bail!("{}: expected a wire name and an attribute", at());
            };
            op.params.push(Param {
                attribute: attribute.to_string(),
                wire: wire.to_string(),
                location,
                collection_format: None,
            });
        } else if line.starts_with("collection_formats[") {
            let (Some(attribute), Some(format)) = (q.first(), q.get(1)) else {
                bail!("{}: expected an attribute and a format", at());
            };
            match op
                .params
                .iter_mut()
                .rev()
                .find(|p| p.attribute == *attribute)
            {
                Some(p) => p.collection_format = Some(format.to_string()),
                None => bail!("{}: a collection format for no parameter", at()),
            }
        } else if line.starts_with("response_headers = [") {
            op.response_headers = q.iter().map(|s| s.to_string()).collect();
        } else if line.starts_with("body = local_var_params[") {
            op.body = Some(q.first().with_context(at)?.to_string());
        } else if line == "return http_info" {
            let done = current.take().expect("inside an operation");
            if done.method.is_empty() || done.path.is_empty() {
                bail!("{}: `{}` has no method or path", at(), done.name);
            }
            out.push(done);
        }
    }
    Ok(out)
}

/// A model file's class name and fields; `None` for a file without
/// `openapi_types` (not a model).
fn parse_model(text: &str) -> anyhow::Result<Option<(String, Model)>> {
    let Some(class) = text.lines().find_map(|l| {
        l.strip_prefix("class ")
            .and_then(|c| c.split([':', '(']).next())
            .map(str::to_string)
    }) else {
        return Ok(None);
    };
    let dict = |name: &str| -> Option<Vec<(String, String)>> {
        let start = text.find(&format!("    {name} = {{"))?;
        let body = &text[start..];
        let end = body.find('}')?;
        Some(
            body[..end]
                .lines()
                .skip(1)
                .filter_map(|l| {
                    let q = quoted(l);
                    Some((q.first()?.to_string(), q.get(1)?.to_string()))
                })
                .collect(),
        )
    };
    let (Some(types), Some(wire)) = (dict("openapi_types"), dict("attribute_map")) else {
        return Ok(None);
    };
    let mut model = Model {
        stream: text.contains("(SdkStreamResponse)"),
        ..Model::default()
    };
    for (attribute, ty) in types {
        let wire = wire
            .iter()
            .find(|(a, _)| *a == attribute)
            .map(|(_, w)| w.clone())
            .with_context(|| format!("{class}: `{attribute}` is not in `attribute_map`"))?;
        let ty = SdkType::parse(&ty).with_context(|| format!("{class}.{attribute}"))?;
        model.fields.push((attribute, Field { wire, ty }));
    }
    Ok(Some((class, model)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two operations in the SDK client's form (our own text).
    const CLIENT_FIXTURE: &str = r#"
class HssClient(Client):
    @classmethod
    def _list_widgets_http_info(cls, request):
        http_info = {
            "method": "GET",
            "resource_path": "/v5/{project_id}/widget-shop/widgets",
            "request_type": request.__class__.__name__,
            "response_type": "ListWidgetsResponse"
            }
        path_params = {}
        query_params = []
        if 'colours' in local_var_params:
            query_params.append(('colour', local_var_params['colours']))
            collection_formats['colours'] = 'csv'
        if 'limit' in local_var_params:
            query_params.append(('limit', local_var_params['limit']))
        header_params = {}
        if 'region' in local_var_params:
            header_params['region'] = local_var_params['region']
        header_params['Content-Type'] = http_utils.select_header_content_type(
            ['application/json'])
        return http_info

    def _paint_widget_http_info(cls, request):
        http_info = {
            "method": "PUT",
            "resource_path": "/v5/{project_id}/widget/{widget_id}/paint",
            "response_type": "PaintWidgetResponse"
            }
        if 'widget_id' in local_var_params:
            path_params['widget_id'] = local_var_params['widget_id']
        body = None
        if 'body' in local_var_params:
            body = local_var_params['body']
        header_params['Content-Type'] = http_utils.select_header_content_type(
            ['application/json;charset=UTF-8'])
        return http_info
"#;

    const MODEL_FIXTURE: &str = r#"
class PaintWidgetRequest:
    sensitive_list = []

    openapi_types = {
        'widget_id': 'str',
        'body': 'PaintWidgetRequestInfo'
    }

    attribute_map = {
        'widget_id': 'widget_id',
        'body': 'body'
    }
"#;

    const BODY_FIXTURE: &str = r#"
class PaintWidgetRequestInfo:
    openapi_types = {
        'colour_list': 'list[str]',
        'layers': 'dict(str, list[Layer])',
        'wet': 'bool'
    }

    attribute_map = {
        'colour_list': 'colour_list',
        'layers': 'layerMap',
        'wet': 'is_wet'
    }
"#;

    fn sdk() -> Sdk {
        Sdk::from_sources(
            CLIENT_FIXTURE,
            [
                ("paint_widget_request.py", MODEL_FIXTURE),
                ("paint_widget_request_info.py", BODY_FIXTURE),
                ("__init__.py", "from x import y\n"),
            ],
        )
        .unwrap()
    }

    #[test]
    fn operations_are_read_with_their_parameters_body_and_content_type() {
        let sdk = sdk();
        assert_eq!(
            sdk.operations.keys().collect::<Vec<_>>(),
            ["ListWidgets", "PaintWidget"]
        );
        let list = &sdk.operations["ListWidgets"];
        assert_eq!((list.method.as_str(), list.group()), ("GET", "widget-shop"));
        assert_eq!(list.response, "ListWidgetsResponse");
        assert_eq!(
            list.params,
            [
                Param {
                    attribute: "colours".into(),
                    wire: "colour".into(),
                    location: Location::Query,
                    collection_format: Some("csv".into()),
                },
                Param {
                    attribute: "limit".into(),
                    wire: "limit".into(),
                    location: Location::Query,
                    collection_format: None,
                },
                Param {
                    attribute: "region".into(),
                    wire: "region".into(),
                    location: Location::Header,
                    collection_format: None,
                },
            ]
        );
        let paint = &sdk.operations["PaintWidget"];
        assert_eq!(paint.path, "/v5/{project_id}/widget/{widget_id}/paint");
        assert_eq!(paint.body.as_deref(), Some("body"));
        assert_eq!(paint.content_types, ["application/json;charset=UTF-8"]);
        assert_eq!(
            sdk.body_model(paint),
            Some(&SdkType::Model("PaintWidgetRequestInfo".into()))
        );
    }

    #[test]
    fn models_map_attributes_to_wire_names_and_types() {
        let sdk = sdk();
        let body = &sdk.models["PaintWidgetRequestInfo"];
        assert_eq!(
            body.field("layers"),
            Some(&Field {
                wire: "layerMap".into(),
                ty: SdkType::Map(Box::new(SdkType::List(Box::new(SdkType::Model(
                    "Layer".into()
                )))))
            })
        );
        assert_eq!(body.field("wet").unwrap().wire, "is_wet");
        assert_eq!(
            body.field("colour_list").unwrap().ty,
            SdkType::List(Box::new(SdkType::Str))
        );
        assert!(!sdk.models.contains_key("__init__"));
    }

    #[test]
    fn what_the_reader_does_not_know_is_an_error() {
        assert!(SdkType::parse("tuple(int)").is_err());
        let broken =
            "    def _x_http_info(cls, request):\n        collection_formats['ghost'] = 'csv'\n";
        let err = format!("{:#}", Sdk::from_sources(broken, []).unwrap_err());
        assert!(err.contains("line 2"), "{err}");
        assert!(
            err.contains("a collection format for no parameter"),
            "{err}"
        );
    }
}
