#!/usr/bin/env python3
"""The official Huawei Cloud Python SDK (huaweicloudsdkhss, pinned in
crates/hss-auth/tests/interop/requirements.txt) calls every one of its
operations against hss-fake, for
crates/hss-fake/tests/official_sdk_every_operation.rs.

Usage: every_operation.py BASE_URL REGION PROJECT_ID SPEC
with the AK and SK in HSS_INTEROP_AK and HSS_INTEROP_SK (never in a
process list).

Each request is a sample (crates/hss-auth/tests/interop/sdk_samples.py:
every attribute filled, fitted to the limits our spec SPEC sets, strings
its examples or known values where it has them), sent once
through the SDK's real HssClient (its signer, its serialisation, no
retries, a connect and read timeout), and the SDK parses the answer with
its own response model; a download is read to its end.

Prints one JSON object, {"operations": {Op: outcome}}, where an outcome is
  status      the HTTP status (null when no answer came)
  error_code, error_msg
              of an answer of 400 or more: what the SDK reads from its
              JSON body (null where the body has none)
  problem     null, or why the SDK could not use the answer: it raised on a
              2xx (its models did not fit), warned while parsing one (a
              value of the wrong type or outside an enumeration), a 2xx
              JSON answer that is not JSON, no answer at all
Exits 0 whatever the answers were: the Rust test judges them.
"""

import json
import logging
import os
import sys
import tempfile
import warnings

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exception_handler import DefaultExceptionHandler
from huaweicloudsdkcore.exceptions.exceptions import SdkError, ServiceResponseException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.http.http_handler import HttpHandler
from huaweicloudsdkcore.region.region import Region
from huaweicloudsdkcore.sdk_stream_response import SdkStreamResponse
import huaweicloudsdkhss.v5 as hss

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "hss-auth", "tests", "interop"))
from sdk_samples import Limits, Sampler, sample_request, sdk_operations  # noqa: E402

# Seconds to connect and to wait for each read: bounds every call.
TIMEOUT = (5, 60)
# What the multipart upload (UploadReportLogo) sends as its file.
UPLOAD_NAME, UPLOAD_BYTES = "logo.png", b"every-operation upload"
# Longest error_msg and problem kept in the output.
MAX_TEXT = 300


class LastAnswer:
    """Status and, unless a download, body of the answer to the last call,
    seen by a response handler before the SDK parses it."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.status, self.content_type, self.body = None, "", b""

    def handler(self, **kwargs):
        response = kwargs["response"]
        self.status = response.status_code
        self.content_type = response.headers.get("Content-Type", "")
        if not self.content_type.endswith("octet-stream"):
            # requests keeps it: a stream read later still gets every byte.
            self.body = response.content


def short(text):
    text = str(text)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "..."


def error_fields(body):
    """(error_code, error_msg) as the SDK reads them from an error
    answer's JSON body, without its fallbacks (the status as the code, the
    whole body as the message)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return None, None
    if not isinstance(parsed, dict):
        return None, None
    found = SdkError()
    DefaultExceptionHandler._process_sdk_error(found, parsed)
    code, msg = found.error_code, found.error_msg
    return (code if isinstance(code, str) else None,
            short(msg) if isinstance(msg, str) else None)


def call(client, last, sampler, limits, op, method_name):
    outcome = {"status": None, "error_code": None, "error_msg": None, "problem": None}
    try:
        request = sample_request(client, sampler, limits, op, method_name)
        # A security token is the credentials' to send (the fake's key is
        # permanent and takes none), not a sample value.
        if hasattr(request, "x_security_token"):
            request.x_security_token = None
    except Exception as error:  # noqa: BLE001 - reported, not hidden
        outcome["problem"] = short("no sample request: %s: %s" % (type(error).__name__, error))
        return outcome
    last.reset()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            response = getattr(client, method_name)(request)
            if isinstance(response, SdkStreamResponse):
                response.consume_download_stream(lambda s: sum(len(c) for c in s.iter_content(65536)))
        except ServiceResponseException as error:
            outcome["status"] = error.status_code
            outcome["error_code"], outcome["error_msg"] = error_fields(last.body)
            return outcome
        except Exception as error:  # noqa: BLE001 - reported, not hidden
            outcome["status"] = last.status
            what = "the SDK failed on the answer" if last.status else "no answer"
            outcome["problem"] = short("%s: %s: %s" % (what, type(error).__name__, error))
            return outcome
    outcome["status"] = last.status
    # A deprecated operation warns on every call, whatever the answer.
    parsing = [w for w in caught if not issubclass(w.category, DeprecationWarning)]
    if parsing:
        outcome["problem"] = short("the SDK warned: " + "; ".join(str(w.message) for w in parsing))
    elif last.body and "json" in last.content_type:
        try:
            json.loads(last.body)
        except ValueError:
            outcome["problem"] = short("the answer is not JSON: %r" % last.body)
    return outcome


def main():
    base_url, region, project_id, spec = sys.argv[1:5]
    if not base_url.startswith("http://127.0.0.1:"):
        sys.exit("every_operation.py only talks to 127.0.0.1, got %r" % base_url)
    logging.getLogger("HttpHandler").setLevel(logging.WARNING)
    last = LastAnswer()
    config = HttpConfig.get_default_config()
    config.retry_times = 0
    config.timeout = TIMEOUT
    client = (
        hss.HssClient.new_builder()
        .with_credentials(BasicCredentials(os.environ["HSS_INTEROP_AK"], os.environ["HSS_INTEROP_SK"], project_id))
        .with_region(Region(region, base_url))
        .with_http_config(config)
        .with_http_handler(HttpHandler().add_response_handler(last.handler))
        .build()
    )
    limits = Limits(spec, prefer_known=True)
    outcomes = {}
    with tempfile.TemporaryDirectory() as upload_dir:
        upload_path = os.path.join(upload_dir, UPLOAD_NAME)
        with open(upload_path, "wb") as f:
            f.write(UPLOAD_BYTES)
        sampler = Sampler(upload_path)
        for op, method_name in sorted(sdk_operations().items()):
            outcomes[op] = call(client, last, sampler, limits, op, method_name)
    print(json.dumps({"operations": outcomes}))


if __name__ == "__main__":
    main()
