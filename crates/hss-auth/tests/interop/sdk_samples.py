"""Sample requests for every operation of the official Python SDK
(huaweicloudsdkhss, pinned in requirements.txt beside this file), shared by
the scripts that drive the SDK through all of them:
crates/hss-api/tests/every_operation/sdk_cases.py (what the SDK sends) and
crates/hss-fake/tests/interop/every_operation.py (what hss-fake answers).

A sample fills every attribute of the SDK's `OpRequest` with a value of its
declared type (recursively through models; lists of two items, maps of one
entry), then fits each to the limits our spec (openapi/hss.yaml) sets on
that parameter or body field: enumerations (`enum`, `x-known-values`),
lengths, ranges, simple alternations. Where our spec has no such field the
sample stays as the SDK model's type gives it.

Importing this module imports the SDK; a caller that clears proxy or
HUAWEICLOUD_ variables does so first.
"""

import re

from huaweicloudsdkcore.http.formdata import FormFile
import huaweicloudsdkhss.v5 as hss
import yaml  # a dependency of huaweicloudsdkcore


def sdk_operations():
    """The SDK's operation ids, from its client's `_<op>_http_info`s."""
    class Empty:
        attribute_map = {}

    ops = {}
    for name in dir(hss.HssClient):
        m = re.fullmatch(r"_(\w+)_http_info", name)
        if m:
            info = getattr(hss.HssClient, name)(Empty())
            op = info["response_type"][: -len("Response")]
            ops[op] = m.group(1)
    return ops


class Sampler:
    """Deterministic sample values of the SDK's declared types."""

    def __init__(self, upload_path):
        self.upload_path = upload_path
        self.stack = []

    def value(self, declared, name, index=0):
        if declared == "str":
            return "s-%s" % name if index == 0 else "s-%s-%d" % (name, index)
        if declared == "int":
            return 3 + index
        if declared == "float":
            return 1.5 + index
        if declared == "bool":
            return True
        if declared == "object":
            return {"k-%s" % name: "v"}
        if declared == "file":
            return FormFile(self.upload_path)
        m = re.fullmatch(r"list\[(.*)\]", declared)
        if m:
            return [self.value(m.group(1), name, i) for i in range(2)]
        m = re.fullmatch(r"dict\(([^,]*), (.*)\)", declared)
        if m:
            return {"k-%s" % name: self.value(m.group(2), name)}
        return self.model(getattr(hss, declared))

    def model(self, cls, skip=()):
        if cls in self.stack:  # a recursive model: stop at one level
            return None
        self.stack.append(cls)
        try:
            kwargs = {
                attr: self.value(declared, cls.attribute_map[attr])
                for attr, declared in cls.openapi_types.items()
                if attr not in skip
            }
        finally:
            self.stack.pop()
        return cls(**kwargs)


class Limits:
    """Our spec's limits on each operation's parameters and body fields.

    With `prefer_known`, a string takes the spec's example or first known
    value where it has one (`all_granted_eps`, `failed`), so that a server
    that checks values can accept it; without, such a sample stays as the
    SDK's type gives it unless the limits refuse it (an enumerated string
    always takes a documented value)."""

    def __init__(self, path, prefer_known=False):
        self.prefer_known = prefer_known
        with open(path) as f:
            self.spec = yaml.safe_load(f)
        self.operations = {}
        for item in self.spec.get("paths", {}).values():
            for method, op in item.items():
                if isinstance(op, dict) and "operationId" in op:
                    params = [self.resolve(p) for p in item.get("parameters", []) + op.get("parameters", [])]
                    self.operations[op["operationId"]] = (params, op.get("requestBody"))

    def resolve(self, node):
        while isinstance(node, dict) and "$ref" in node:
            target = self.spec
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node or {}

    def fit_request(self, op, request, info):
        """Fits each attribute of `request` to its parameter's or the
        body's schema; `info` (the SDK's http_info) gives locations."""
        params, body = self.operations.get(op, ([], None))
        places = {}
        for name in info["path_params"]:
            places[name] = "path"
        for name, _ in info["query_params"]:
            places[name] = "query"
        for name in info["header_params"]:
            places[name] = "header"
        for attr, wire in request.attribute_map.items():
            value = getattr(request, attr)
            if wire == "body" and body is not None:
                content = self.resolve(body).get("content", {})
                schema = next(iter(content.values()), {}).get("schema")
                if schema is not None:
                    setattr(request, attr, self.fit(value, schema))
                continue
            for p in params:
                if p.get("name") == wire and p.get("in") == places.get(wire):
                    if self.prefer_known and isinstance(value, str) and isinstance(p.get("example"), str):
                        value = p["example"]
                    setattr(request, attr, self.fit(value, p.get("schema", {})))

    def fit(self, value, schema):
        schema = self.resolve(schema)
        for combined in ("allOf", "oneOf", "anyOf"):
            if combined in schema and schema[combined]:
                schema = self.resolve(schema[combined][0])
        if value is None:
            return None
        if hasattr(value, "openapi_types"):
            props = schema.get("properties", {})
            for attr, wire in value.attribute_map.items():
                if wire in props:
                    setattr(value, attr, self.fit(getattr(value, attr), props[wire]))
            return value
        if isinstance(value, list):
            return [self.fit(v, schema.get("items", {})) for v in value]
        if isinstance(value, dict):
            extra = schema.get("additionalProperties")
            return {k: self.fit(v, extra if isinstance(extra, dict) else {}) for k, v in value.items()}
        if schema.get("enum"):
            return schema["enum"][0]
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            if "minimum" in schema:
                value = max(value, schema["minimum"])
            if "maximum" in schema:
                value = min(value, schema["maximum"])
            return value
        if isinstance(value, str):
            if self.prefer_known:
                value = next((v for v in [schema.get("example")] + schema.get("x-known-values", [])
                              if isinstance(v, str)), value)
            return self.fit_string(value, schema)
        return value

    @staticmethod
    def fit_string(value, schema):
        pattern = schema.get("pattern")
        if pattern and not re.search(pattern, value):
            # `^(a|b)$`, `^a|b$`: the first alternative.
            first = re.match(r"\^?\(?([\w.-]+)", pattern)
            if first and re.search(pattern, first.group(1)):
                value = first.group(1)
        # A documented value, as the checks before sending (hss call's)
        # ask of an enumerated string.
        known = schema.get("x-known-values")
        if known and value not in known:
            value = known[0]
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        if len(value) < low:
            value += "x" * (low - len(value))
        if high is not None and len(value) > high:
            value = value[:high]
        return value


def sample_request(client, sampler, limits, op, method_name):
    """A sample `OpRequest` for operation `op` (whose client method is
    `method_name`), fitted to `limits`."""
    request = sampler.model(getattr(hss, op + "Request"))
    limits.fit_request(op, request, getattr(client, "_%s_http_info" % method_name)(request))
    return request
