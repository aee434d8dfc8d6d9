#!/usr/bin/env python3
"""What the official Python SDK (huaweicloudsdkhss, pinned in
crates/hss-auth/tests/interop/requirements.txt) sends and accepts for each
operation, for crates/hss-api/tests/every_operation.rs.

Usage: sdk_cases.py OUT_JSON SPEC < operation ids (a JSON array)

For each operation id `Op` (our spec's), it builds a sample `OpRequest`
(crates/hss-auth/tests/interop/sdk_samples.py: every attribute filled,
fitted to the limits our spec SPEC sets, so that a difference is one of
shape, not of a value our client refuses before sending), calls the
operation through the SDK's real `HssClient` (AK/SK signing, its own
serialisation) against a capture server on 127.0.0.1, and records what
arrived: method, path, query pairs, the operation's header parameters and
the body. The same server answers with a sample of every field of
`OpResponse`, and the script checks that the SDK parsed every one back.

Writes one JSON object to OUT_JSON:
  cases: per operation, `inputs` in wire terms (each parameter's wire name,
         location and JSON value; the body), the `request` the SDK sent,
         the `response` the server gave, `problems` (SDK-side failures)
  missing_in_sdk: our operation ids the SDK lacks
  sdk_only: SDK operation ids not asked for
Exits 0 even when cases have problems: the Rust test reports them.
"""

import json
import os
import re
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Only loopback, whatever the environment says.
for _name in list(os.environ):
    if _name.lower().endswith("_proxy") or _name.startswith("HUAWEICLOUD_"):
        del os.environ[_name]
os.environ["NO_PROXY"] = "127.0.0.1"

from huaweicloudsdkcore.auth.credentials import BasicCredentials  # noqa: E402
from huaweicloudsdkcore.http.formdata import FormFile  # noqa: E402
from huaweicloudsdkcore.http.http_config import HttpConfig  # noqa: E402
from huaweicloudsdkcore.sdk_stream_response import SdkStreamResponse  # noqa: E402
from huaweicloudsdkcore.utils.http_utils import sanitize_for_serialization  # noqa: E402
from requests_toolbelt.multipart.decoder import MultipartDecoder  # noqa: E402
import huaweicloudsdkhss.v5 as hss  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "hss-auth", "tests", "interop"))
from sdk_samples import Limits, Sampler, sample_request, sdk_operations  # noqa: E402

# Shaped like a real one (32 hex digits), which limits on it accept.
PROJECT_ID = "0123456789abcdef0123456789abcdef"
# Downloads answer these bytes; uploads send FILE_BYTES as FILE_NAME.
DOWNLOAD_BYTES = b"sdk-cases download\r\n"
FILE_NAME = "logo.png"
FILE_BYTES = b"sdk-cases upload"
# The Content-Type every operation's http_info sets itself; not a parameter.
CONTENT_TYPE = "Content-Type"


class Capture:
    """What the server saw during one call, and what it answers."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seen = []
        self.reply = (200, "application/json", b"{}")


CAPTURE = Capture()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without this the second
    # waits for the client's delayed ACK.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with CAPTURE.lock:
            CAPTURE.seen.append({
                "method": self.command,
                "target": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body,
            })
            status, content_type, payload = CAPTURE.reply
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = answer


def wire_inputs(info):
    """The parameters and body of an SDK http_info, in wire terms."""
    params = []
    for name, value in info["path_params"].items():
        params.append({"name": name, "in": "path", "value": sanitize_for_serialization(value)})
    for name, value in info["query_params"]:
        params.append({"name": name, "in": "query", "value": sanitize_for_serialization(value)})
    for name, value in info["header_params"].items():
        if name != CONTENT_TYPE:
            params.append({"name": name, "in": "header", "value": sanitize_for_serialization(value)})
    # The SDK's client fills in the project itself, where the path has it.
    if "{project_id}" in info["resource_path"]:
        params.append({"name": "project_id", "in": "path", "value": PROJECT_ID})
    body = info["body"]
    if body is None:
        return {"params": params, "body": None}
    if info["header_params"].get(CONTENT_TYPE) == "multipart/form-data":
        fields = sanitize_for_serialization(body)
        form = {}
        for name, value in fields.items():
            if isinstance(value, FormFile):
                form[name] = {"file_name": FILE_NAME, "text": FILE_BYTES.decode()}
            else:
                form[name] = {"text": str(value)}
        return {"params": params, "multipart": form}
    return {"params": params, "body": sanitize_for_serialization(body)}


def decode_query(target):
    _, _, query = target.partition("?")
    return sorted(urllib.parse.parse_qsl(query, keep_blank_values=True))


def recorded_body(seen):
    body, content_type = seen["body"], seen["headers"].get("content-type", "")
    if not body:
        return {"kind": "none"}
    if content_type.startswith("multipart/form-data"):
        parts = {}
        for part in MultipartDecoder(body, content_type).parts:
            disposition = part.headers.get(b"Content-Disposition", b"").decode()
            name = re.search(r'name="([^"]*)"', disposition).group(1)
            file_name = re.search(r'filename="([^"]*)"', disposition)
            parts[name] = {"text": part.content.decode()}
            if file_name:
                parts[name]["file_name"] = file_name.group(1)
        return {"kind": "multipart", "parts": parts}
    try:
        return {"kind": "json", "json": json.loads(body)}
    except ValueError:
        return {"kind": "text", "text": body.decode("utf-8", "replace")}


def response_sample(sampler, op, info):
    """(content type, payload bytes, expected) for the operation's answer:
    every field of OpResponse but its response headers."""
    cls = getattr(hss, op + "Response")
    if issubclass(cls, SdkStreamResponse):
        return "application/octet-stream", DOWNLOAD_BYTES, None
    headers = set(info["response_headers"])
    skip = {a for a, wire in cls.attribute_map.items() if wire in headers}
    instance = sampler.model(cls, skip)
    attrs = [a for a in cls.openapi_types if a not in skip]
    if attrs == ["body"] and cls.attribute_map["body"] == "body":
        expected = sanitize_for_serialization(instance.body)
    else:
        expected = sanitize_for_serialization(instance)
    return "application/json", json.dumps(expected).encode(), expected


def run_case(client, sampler, limits, op, method_name, problems):
    request = sample_request(client, sampler, limits, op, method_name)
    info = getattr(client, "_%s_http_info" % method_name)(request)
    inputs = wire_inputs(info)
    content_type, payload, expected = response_sample(sampler, op, info)
    with CAPTURE.lock:
        CAPTURE.seen = []
        CAPTURE.reply = (200, content_type, payload)
    case = {"operation": op, "inputs": inputs,
            "response": {"content_type": content_type, "text": payload.decode()}}
    try:
        response = getattr(client, method_name)(request)
    except Exception as error:  # noqa: BLE001 - reported, not hidden
        problems.append("the SDK call failed: %s: %s" % (type(error).__name__, error))
        return case
    if len(CAPTURE.seen) != 1:
        problems.append("the SDK sent %d requests, not 1" % len(CAPTURE.seen))
        return case
    seen = CAPTURE.seen[0]
    header_names = [p["name"] for p in inputs["params"] if p["in"] == "header"]
    case["request"] = {
        "method": seen["method"],
        "path": seen["target"].partition("?")[0],
        "query": decode_query(seen["target"]),
        "headers": {n: seen["headers"].get(n.lower()) for n in header_names},
        "body": recorded_body(seen),
    }
    if isinstance(response, SdkStreamResponse):
        chunks = []
        response.consume_download_stream(lambda s: chunks.extend(s.iter_content(8192)))
        if b"".join(chunks) != DOWNLOAD_BYTES:
            problems.append("the SDK read the download as %r" % b"".join(chunks))
        return case
    cls = type(response)
    attrs = [a for a in cls.openapi_types if cls.attribute_map[a] not in info["response_headers"]]
    if attrs == ["body"] and cls.attribute_map["body"] == "body":
        got = sanitize_for_serialization(response.body)
    else:
        got = sanitize_for_serialization(response)
        for a in cls.openapi_types:
            if a not in attrs:
                got.pop(cls.attribute_map[a], None)
    if got != expected:
        problems.append("the SDK did not decode its own sample response: served %s, parsed %r"
                        % (payload.decode(), got))
    return case


def main():
    out_path, spec_path = sys.argv[1], sys.argv[2]
    limits = Limits(spec_path)
    wanted = json.load(sys.stdin)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base_url = "http://127.0.0.1:%d" % server.server_address[1]
    # Any IAM or metadata lookup would reach the capture server and show
    # as an extra request.
    os.environ["HUAWEICLOUD_SDK_IAM_ENDPOINT"] = base_url
    os.environ["HUAWEICLOUD_SDK_METADATA_ENDPOINT"] = base_url

    upload_path = os.path.join(os.path.dirname(os.path.abspath(out_path)), FILE_NAME)
    with open(upload_path, "wb") as f:
        f.write(FILE_BYTES)

    config = HttpConfig.get_default_config()
    config.retry_times = 0
    client = (
        hss.HssClient.new_builder()
        .with_credentials(BasicCredentials("sdk-cases-ak", "sdk-cases-sk", PROJECT_ID))
        .with_endpoints([base_url])
        .with_http_config(config)
        .build()
    )
    sdk = sdk_operations()
    sampler = Sampler(upload_path)
    cases, missing = [], []
    for op in wanted:
        if op not in sdk or not hasattr(hss, op + "Request"):
            missing.append(op)
            continue
        problems = []
        case = run_case(client, sampler, limits, op, sdk[op], problems)
        case["problems"] = problems
        cases.append(case)
    server.shutdown()
    with open(out_path, "w") as f:
        json.dump({
            "cases": cases,
            "missing_in_sdk": missing,
            "sdk_only": sorted(set(sdk) - set(wanted)),
        }, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
