#!/usr/bin/env python3
"""The official Huawei Cloud Python SDK (huaweicloudsdkhss, pinned in
crates/hss-auth/tests/interop/requirements.txt) runs the whole
vulnerability-scan workflow against hss-fake, for
crates/hss-fake/tests/official_sdk_workflow.rs.

Usage: vul_workflow.py BASE_URL REGION PROJECT_ID
with the AK and SK in HSS_INTEROP_AK and HSS_INTEROP_SK (never in a
process list).

Every operation is called through the SDK's own request and response
models, so each answer is parsed by the SDK: start a scan of every host,
wait for it, list its failed hosts, list vulnerabilities, the hosts of one
and the vulnerabilities of one host, the statistics, ignore that
vulnerability and read the lists and statistics again, show, change and
show the scan policy, export, wait for the export and download its file.
Every wait is bounded (at most 100 polls, 0.1 s apart).

Prints one JSON object of what the SDK parsed (the Rust test asserts on
it); on an SDK error prints {"error": "...", "step": "..."} and exits 3.
"""

import json
import logging
import os
import sys
import time

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import SdkException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.region.region import Region
from huaweicloudsdkhss.v5 import (
    ChangeVulScanPolicyRequest,
    ChangeVulScanPolicyRequestInfo,
    ChangeVulScanPolicyRequestInfoTime,
    ChangeVulStatusRequest,
    ChangeVulStatusRequestInfo,
    CreateVulnerabilityScanTaskRequest,
    ExportVulRequestBody,
    ExportVulsRequest,
    HssClient,
    ListDownloadExportedFileRequest,
    ListHostVulsRequest,
    ListQueryExportTaskRequest,
    ListVulHostsRequest,
    ListVulnerabilitiesRequest,
    ListVulScanTaskHostRequest,
    ListVulScanTaskRequest,
    ManualVulScanRequestInfo,
    ShowVulScanPolicyRequest,
    ShowVulStaticsRequest,
    VulOperateInfo,
)

MAX_POLLS = 100
STEP = "start"


def step(name):
    global STEP
    STEP = name


def poll(fetch, done):
    """fetch() until done(answer), at most MAX_POLLS times."""
    answer = fetch()
    for _ in range(MAX_POLLS):
        if done(answer):
            return answer
        time.sleep(0.1)
        answer = fetch()
    sys.exit("gave up waiting in step %s" % STEP)


def stats_dict(s):
    return {
        "need_urgent_repair": s.need_urgent_repair,
        "unrepair": s.unrepair,
        "existed_vul_hosts": s.existed_vul_hosts,
        "today_handle": s.today_handle,
        "all_handle": s.all_handle,
        "supported": s.supported,
    }


def run(client):
    out = {}
    step("CreateVulnerabilityScanTask")
    created = client.create_vulnerability_scan_task(CreateVulnerabilityScanTaskRequest(
        body=ManualVulScanRequestInfo(
            manual_scan_type=["linux_vul", "windows_vul", "urgent_vul"],
            batch_flag=True,
            range_type="all_host",
        )))
    task_id = created.task_id
    out["task_id"] = task_id

    step("ListVulScanTask")
    list_task = lambda: client.list_vul_scan_task(ListVulScanTaskRequest(task_id=task_id, limit=10, offset=0))
    first = list_task()
    out["first_status"] = first.data_list[0].status
    finished = poll(list_task, lambda a: a.data_list[0].status == "finished")
    task = finished.data_list[0]
    out["task"] = {
        "status": task.status,
        "scan_type": task.scan_type,
        "scan_vul_types": task.scan_vul_types,
        "scanning": task.scanning_host_num,
        "success": task.success_host_num,
        "failed": task.failed_host_num,
        "start_time": task.start_time,
        "end_time": task.end_time,
    }
    out["task_total_num"] = finished.total_num

    step("ListVulScanTaskHost")
    failed = client.list_vul_scan_task_host(ListVulScanTaskHostRequest(
        task_id=task_id, scan_status="failed", limit=200, offset=0))
    out["failed_hosts"] = [
        {"host_id": h.host_id, "reasons": [r.failed_reason for r in (h.failed_reasons or [])]}
        for h in failed.data_list or []
    ]

    step("ListVulnerabilities")
    vulns = client.list_vulnerabilities(ListVulnerabilitiesRequest(
        type="linux_vul", handle_status="unhandled", limit=200, offset=0))
    out["vulnerabilities"] = [
        {"vul_id": v.vul_id, "host_num": v.host_num, "unhandle_host_num": v.unhandle_host_num,
         "severity_level": v.severity_level, "cves": [c.cve_id for c in (v.cve_list or [])]}
        for v in vulns.data_list or []
    ]
    out["vulnerabilities_total"] = vulns.total_num
    target = max(vulns.data_list, key=lambda v: v.unhandle_host_num)

    step("ListVulHosts")
    vul_hosts = lambda **kw: client.list_vul_hosts(ListVulHostsRequest(
        vul_id=target.vul_id, type="linux_vul", limit=200, offset=0, **kw))
    hosts = vul_hosts(handle_status="unhandled")
    host_ids = [h.host_id for h in hosts.data_list]
    out["vul_id"] = target.vul_id
    out["vul_host_ids"] = host_ids
    out["vul_hosts_total"] = hosts.total_num

    step("ListHostVuls")
    on_host = client.list_host_vuls(ListHostVulsRequest(
        host_id=host_ids[0], type="linux_vul", limit=200, offset=0))
    out["host_vuls"] = [{"vul_id": v.vul_id, "status": v.status} for v in on_host.data_list or []]

    step("ShowVulStatics")
    out["stats_before"] = stats_dict(client.show_vul_statics(ShowVulStaticsRequest()))

    step("ChangeVulStatus")
    changed = client.change_vul_status(ChangeVulStatusRequest(body=ChangeVulStatusRequestInfo(
        operate_type="ignore", remark="accepted by the interop test",
        data_list=[VulOperateInfo(vul_id=target.vul_id, host_id_list=host_ids)])))
    out["change_status_code"] = changed.status_code
    out["unhandled_after"] = vul_hosts(handle_status="unhandled").total_num
    out["ignored_after"] = vul_hosts(status="vul_status_ignored").total_num
    out["stats_after"] = stats_dict(client.show_vul_statics(ShowVulStaticsRequest()))

    step("ShowVulScanPolicy")
    policy = client.show_vul_scan_policy(ShowVulScanPolicyRequest())
    out["policy_before"] = {"scan_period": policy.scan_period, "scan_range_type": policy.scan_range_type,
                            "status": policy.status, "total_host_num": policy.total_host_num}
    step("ChangeVulScanPolicy")
    client.change_vul_scan_policy(ChangeVulScanPolicyRequest(body=ChangeVulScanPolicyRequestInfo(
        scan_period="one_week", scan_range_type="specific_host", host_ids=host_ids[:2],
        scan_vul_types=["linux_vul"], status="close",
        time=ChangeVulScanPolicyRequestInfoTime(day_part=[1], hour_part=3, minute_part=30, timezone_offset=-480))))
    policy = client.show_vul_scan_policy(ShowVulScanPolicyRequest())
    out["policy_after"] = {"scan_period": policy.scan_period, "scan_range_type": policy.scan_range_type,
                           "status": policy.status, "host_ids": policy.host_ids,
                           "scan_vul_types": policy.scan_vul_types, "total_host_num": policy.total_host_num,
                           "hour_part": policy.time.hour_part if policy.time else None}

    step("ExportVuls")
    export = client.export_vuls(ExportVulsRequest(
        type="linux_vul", export_size=1000, category="vul",
        body=ExportVulRequestBody(export_headers=[["vul_id", "ID"], ["host_num", "Servers"]])))
    step("ListQueryExportTask")
    query = lambda: client.list_query_export_task(ListQueryExportTaskRequest(task_id=export.task_id))
    out["export_first_status"] = query().task_status
    done = poll(query, lambda a: a.task_status == "success")
    out["export"] = {"task_status": done.task_status, "file_id": done.file_id, "file_name": done.file_name}

    step("ListDownloadExportedFile")
    download = client.list_download_exported_file(ListDownloadExportedFileRequest(file_id=done.file_id))
    chunks = []
    download.consume_download_stream(lambda stream: chunks.extend(stream.iter_content(8192)))
    out["file"] = b"".join(chunks).decode("utf-8")
    return out


def main():
    base_url, region, project_id = sys.argv[1], sys.argv[2], sys.argv[3]
    if not base_url.startswith("http://127.0.0.1:"):
        sys.exit("vul_workflow.py only talks to 127.0.0.1, got %r" % base_url)
    logging.getLogger("HttpHandler").setLevel(logging.WARNING)
    credentials = BasicCredentials(os.environ["HSS_INTEROP_AK"], os.environ["HSS_INTEROP_SK"], project_id)
    config = HttpConfig.get_default_config()
    config.retry_times = 0
    client = (
        HssClient.new_builder()
        .with_credentials(credentials)
        .with_region(Region(region, base_url))
        .with_http_config(config)
        .build()
    )
    try:
        out = run(client)
    except SdkException as error:
        print(json.dumps({"error": str(error), "step": STEP}))
        sys.exit(3)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
