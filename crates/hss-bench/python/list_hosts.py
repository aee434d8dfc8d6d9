#!/usr/bin/env python3
"""Row d of the end-to-end benchmark: list every host of a scan task with
the official Huawei Cloud Python SDK (huaweicloudsdkhss, pinned in
requirements.txt) against hss-fake on 127.0.0.1.

Usage: list_hosts.py BASE_URL PROJECT_ID TASK_ID MAX_HOSTS MAX_SECONDS
with the AK and SK in the environment (HSS_BENCH_AK, HSS_BENCH_SK), so they
never show in a process list.

The listing is the loop a user of the SDK writes: ListVulScanTaskHostRequest
with enterprise_project_id=all_granted_eps, limit=200 and a growing offset,
until offset reaches total_num. Only the loop is timed (the client is built
and the interpreter has imported the SDK before). Bounded: it stops after
MAX_HOSTS hosts, MAX_SECONDS seconds or total_num / 200 + 1 pages.

Prints one JSON object: hosts, pages, seconds, sdk_version.
"""

import json
import logging
import os
import sys
import time
from importlib import metadata

import requests

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkhss.v5 import HssClient, ListVulScanTaskHostRequest

PAGE_SIZE = 200


def main():
    base_url, project_id, task_id = sys.argv[1], sys.argv[2], sys.argv[3]
    max_hosts, max_seconds = int(sys.argv[4]), float(sys.argv[5])
    if not base_url.startswith("http://127.0.0.1:"):
        sys.exit("list_hosts.py only talks to 127.0.0.1")
    logging.getLogger("HttpHandler").setLevel(logging.WARNING)

    credentials = BasicCredentials(
        os.environ["HSS_BENCH_AK"], os.environ["HSS_BENCH_SK"], project_id
    )
    config = HttpConfig.get_default_config()
    config.retry_times = 0
    client = (
        HssClient.new_builder()
        .with_credentials(credentials)
        .with_endpoints([base_url])
        .with_http_config(config)
        .build()
    )
    # requests adds Accept, Accept-Encoding and Connection after the SDK has
    # signed; hss-fake (hss_auth::signer::verify) refuses a request with an
    # unsigned header, where the real API gateway does not. Presetting the
    # same values that requests would send makes the SDK sign them: the bytes
    # on the wire are the same, only SignedHeaders is longer.
    defaults = requests.utils.default_headers()
    client.preset_headers = {
        name: defaults[name] for name in ("Accept", "Accept-Encoding", "Connection")
    }

    hosts = pages = offset = 0
    max_pages = None
    started = time.perf_counter()
    while True:
        request = ListVulScanTaskHostRequest(
            task_id=task_id,
            enterprise_project_id="all_granted_eps",
            limit=PAGE_SIZE,
            offset=offset,
        )
        response = client.list_vul_scan_task_host(request)
        page = response.data_list or []
        pages += 1
        hosts += len(page)
        offset += len(page)
        total = response.total_num or 0
        if max_pages is None:
            max_pages = total // PAGE_SIZE + 1
        if (
            not page
            or offset >= total
            or hosts >= max_hosts
            or pages >= max_pages
            or time.perf_counter() - started >= max_seconds
        ):
            break
    seconds = time.perf_counter() - started
    json.dump(
        {
            "hosts": hosts,
            "pages": pages,
            "seconds": seconds,
            "sdk_version": metadata.version("huaweicloudsdkhss"),
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
