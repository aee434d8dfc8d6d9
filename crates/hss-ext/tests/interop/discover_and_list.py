#!/usr/bin/env python3
"""The official Huawei Cloud Python SDK (huaweicloudsdkhss, pinned in
crates/hss-auth/tests/interop/requirements.txt) against hss-fake, for
crates/hss-ext/tests/official_sdk_discovery.rs.

Usage: discover_and_list.py BASE_URL REGION TASK_ID
with the AK and SK in HSS_INTEROP_AK and HSS_INTEROP_SK (never in a process
list) and HUAWEICLOUD_SDK_IAM_ENDPOINT naming the fake's IAM, the SDK's own
variable.

BasicCredentials get no project id, so the SDK's ClientBuilder.build() asks
IAM (GET /v3/projects?name=REGION, signed) for it, as every user of the SDK
without a project id does. Then the script lists every host of the task,
200 at a time, with the discovered project. Bounded: at most 100 pages.

Prints one JSON object: project_id, total_num, host_ids. When building the
client fails (no project, several), prints {"error": "..."} and exits 3.
"""

import json
import logging
import os
import sys

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import SdkException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.region.region import Region
from huaweicloudsdkhss.v5 import HssClient, ListVulScanTaskHostRequest

PAGE_SIZE = 200
MAX_PAGES = 100


def main():
    base_url, region, task_id = sys.argv[1], sys.argv[2], sys.argv[3]
    iam = os.environ.get("HUAWEICLOUD_SDK_IAM_ENDPOINT", "")
    for url in (base_url, iam):
        if not url.startswith("http://127.0.0.1:"):
            sys.exit("discover_and_list.py only talks to 127.0.0.1, got %r" % url)
    logging.getLogger("HttpHandler").setLevel(logging.WARNING)

    credentials = BasicCredentials(os.environ["HSS_INTEROP_AK"], os.environ["HSS_INTEROP_SK"])
    config = HttpConfig.get_default_config()
    config.retry_times = 0
    try:
        client = (
            HssClient.new_builder()
            .with_credentials(credentials)
            .with_region(Region(region, base_url))
            .with_http_config(config)
            .build()
        )
    except SdkException as error:
        print(json.dumps({"error": str(error)}))
        sys.exit(3)

    host_ids = []
    total = None
    offset = 0
    for _ in range(MAX_PAGES):
        request = ListVulScanTaskHostRequest(
            task_id=task_id,
            enterprise_project_id="all_granted_eps",
            limit=PAGE_SIZE,
            offset=offset,
        )
        response = client.list_vul_scan_task_host(request)
        page = response.data_list or []
        total = response.total_num or 0
        host_ids.extend(host.host_id for host in page)
        offset += len(page)
        if not page or offset >= total:
            break
    print(json.dumps({
        "project_id": credentials.project_id,
        "total_num": total,
        "host_ids": host_ids,
    }))


if __name__ == "__main__":
    main()
