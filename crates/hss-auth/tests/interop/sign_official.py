#!/usr/bin/env python3
"""Sign requests with the official Huawei Cloud Python SDK, for interop tests.

Reads a JSON array of cases from stdin and prints a JSON array of results,
one per case, in order. Each case is prepared exactly the way the SDK's
HTTP layer prepares a request (huaweicloudsdkcore/client.py,
Client.build_future_request) before handing it to the SDK's own signer:

- path parameters are substituted with quote(str(v), safe='') by
  Client._parse_path_params, including the credentials' project_id
  (BasicCredentials.get_update_path_params), as for
  GET /v5/{project_id}/vulnerability/scan-task/{task_id}/hosts;
- query parameters go through Client._parse_query_params;
- BasicCredentials.sign_request adds X-Project-Id and X-Security-Token and
  calls signer.Signer.sign, which also rebuilds request.uri with the
  canonical query string.

Nothing is sent over the network. The X-Sdk-Date header is preset so the
date is fixed (the SDK uses a preset X-Sdk-Date as is).

Case fields: method, endpoint (scheme://netloc), resource_path (template or
raw path), path_params (object), query_params (array of [key, value]),
headers (object, insertion order kept), ak, sk, security_token (or null),
project_id (or null: then no X-Project-Id), sdk_date, and body, one of:

- null: no body (SdkRequest.body is None, as for an operation without one);
- {"hex": "...", "as": "bytes"}: exactly these bytes (hex, so nothing is
  lost in transit, not even bytes that are not UTF-8);
- {"hex": "...", "as": "str"}: these UTF-8 bytes decoded to a Python str,
  the form Client._parse_body hands the signer (Signer.sign encodes a str
  with six.ensure_binary, UTF-8);
- {"sdk_json": value}: value serialised by the SDK's own serialiser,
  Client._parse_body (simplejson.dumps with the SDK's settings), as the
  generated clients do for a JSON request body.

Result fields: authorization, uri (path and query the SDK would send),
headers (every header the SDK would send; values as the SDK stores them,
UTF-8 bytes shown as ISO-8859-1 characters), body_hex (the bytes the SDK
would send, hex, or null for no body), canonical_request and
string_to_sign (captured from the SDK's Signer while it signs),
sdk_version.
"""

import json
import sys
from importlib import metadata
from urllib.parse import urlparse

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.client import Client
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer import signer as sdk_signer

# What the SDK's signer computed for the case being signed: its own
# methods, wrapped to record their results and otherwise unchanged.
_captured = {}


def _capture(name, method):
    def wrapper(*args, **kwargs):
        result = method(*args, **kwargs)
        _captured[name] = result
        return result
    return wrapper


sdk_signer.Signer._process_canonical_request = _capture(
    "canonical_request", sdk_signer.Signer._process_canonical_request)
sdk_signer.Signer._process_string_to_sign = _capture(
    "string_to_sign", sdk_signer.Signer._process_string_to_sign)


def request_body(client, body):
    if body is None:
        return None
    if "sdk_json" in body:
        return client._parse_body(body["sdk_json"])
    data = bytes.fromhex(body["hex"])
    if body["as"] == "str":
        return data.decode("utf-8")
    if body["as"] == "bytes":
        return data
    raise ValueError("unknown body form: %r" % (body["as"],))


def sign_case(client, case):
    endpoint = urlparse(case["endpoint"])
    credentials = BasicCredentials(case["ak"], case["sk"], case.get("project_id"))
    if case.get("security_token") is not None:
        credentials.with_security_token(case["security_token"])

    resource_path = client._parse_path_params(
        {}, dict(case["path_params"]), case["resource_path"],
        credentials.get_update_path_params())
    query_params = client._parse_query_params(
        {}, [tuple(pair) for pair in case["query_params"]])

    header_params = dict(case["headers"])
    header_params["X-Sdk-Date"] = case["sdk_date"]

    request = SdkRequest(
        method=case["method"],
        schema=endpoint.scheme,
        host=endpoint.netloc,
        resource_path=resource_path,
        query_params=query_params,
        header_params=header_params,
        body=request_body(client, case.get("body")),
    )
    _captured.clear()
    signed = credentials.sign_request(request)
    # What HttpClient.do_request_sync sends: data=request.body.
    sent = signed.body
    if isinstance(sent, str):
        sent = sent.encode("utf-8")
    return {
        "authorization": signed.header_params["Authorization"],
        "uri": signed.uri,
        "headers": {str(k): str(v) for k, v in signed.header_params.items()},
        "body_hex": sent.hex() if sent is not None else None,
        "canonical_request": _captured["canonical_request"],
        "string_to_sign": _captured["string_to_sign"],
    }


def main():
    # Bytes, not the locale's text encoding: the cases are UTF-8 JSON.
    cases = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    client = Client()  # only its parameter helpers are used; nothing is sent
    version = metadata.version("huaweicloudsdkcore")
    results = []
    for case in cases:
        result = sign_case(client, case)
        result["sdk_version"] = version
        results.append(result)
    json.dump(results, sys.stdout, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
