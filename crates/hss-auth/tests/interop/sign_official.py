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
project_id (or null: then no X-Project-Id), sdk_date, body (string or null).

Result fields: authorization, uri (path and query the SDK would send),
headers (every header the SDK would send; values as the SDK stores them,
UTF-8 bytes shown as ISO-8859-1 characters), sdk_version.
"""

import json
import sys
from importlib import metadata
from urllib.parse import urlparse

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.client import Client
from huaweicloudsdkcore.sdk_request import SdkRequest


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

    body = case.get("body")
    request = SdkRequest(
        method=case["method"],
        schema=endpoint.scheme,
        host=endpoint.netloc,
        resource_path=resource_path,
        query_params=query_params,
        header_params=header_params,
        body=body.encode("utf-8") if body is not None else "",
    )
    signed = credentials.sign_request(request)
    return {
        "authorization": signed.header_params["Authorization"],
        "uri": signed.uri,
        "headers": {str(k): str(v) for k, v in signed.header_params.items()},
    }


def main():
    cases = json.load(sys.stdin)
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
