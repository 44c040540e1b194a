#!/usr/bin/env python3
"""The least a client can do to put a file into Azure Storage as a block blob: the users
service's own limit against Azurite in `make bench-per-core`.

Stages the file's bytes as BLOCKS blocks over CONCURRENCY keep-alive connections (the
service's defaults: about 2.3 MB blocks, three at once), then commits the block list. Python's
standard library only; an account SAS signed from the account key, as the service signs its
own. Nothing is generated or serialised: the time is the client's bytes and Azurite's work.

usage: azurite_minimal_client.py ENDPOINT ACCOUNT KEY CONTAINER BLOB FILE BLOCKS CONCURRENCY
"""

import base64
import datetime
import hashlib
import hmac
import http.client
import json
import sys
import threading
import urllib.parse

VERSION = "2023-11-03"


def account_sas(account, key):
    now = datetime.datetime.now(datetime.timezone.utc)
    fmt = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    start, expiry = fmt(now - datetime.timedelta(minutes=5)), fmt(now + datetime.timedelta(hours=1))
    perms, services, types, proto = "rwdlac", "b", "sco", "https,http"
    to_sign = f"{account}\n{perms}\n{services}\n{types}\n{start}\n{expiry}\n\n{proto}\n{VERSION}\n\n"
    sig = base64.b64encode(hmac.new(base64.b64decode(key), to_sign.encode(), hashlib.sha256).digest())
    return urllib.parse.urlencode(
        {"sv": VERSION, "ss": services, "srt": types, "sp": perms, "st": start, "se": expiry,
         "spr": proto, "sig": sig.decode()})


def main():
    endpoint, account, key, container, blob, path, blocks, concurrency = sys.argv[1:9]
    blocks, concurrency = int(blocks), int(concurrency)
    url = urllib.parse.urlsplit(endpoint)
    base = url.path.rstrip("/")
    sas = account_sas(account, key)
    with open(path, "rb") as f:
        data = f.read()
    size = -(-len(data) // max(blocks, 1))
    ids = [base64.b64encode(f"{i:020d}".encode()).decode() for i in range(blocks)]

    def request(conn, method, target, body=b""):
        conn.request(method, target, body=body, headers={"x-ms-version": VERSION})
        resp = conn.getresponse()
        resp.read()
        if resp.status not in (201, 202, 409):
            raise SystemExit(f"{method} {target.split('?')[0]}: HTTP {resp.status} {resp.reason}")

    conn = http.client.HTTPConnection(url.hostname, url.port)
    request(conn, "PUT", f"{base}/{container}?restype=container&{sas}")

    todo = list(range(blocks))
    lock = threading.Lock()

    def worker():
        c = http.client.HTTPConnection(url.hostname, url.port)
        while True:
            with lock:
                if not todo:
                    return
                i = todo.pop(0)
            block_id = urllib.parse.quote(ids[i], safe="")
            request(c, "PUT", f"{base}/{container}/{blob}?comp=block&blockid={block_id}&{sas}",
                    memoryview(data)[i * size:(i + 1) * size])

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>" + "".join(
        f"<Latest>{i}</Latest>" for i in ids) + "</BlockList>"
    # A new connection: Azurite closes one left idle while the blocks were staged.
    conn = http.client.HTTPConnection(url.hostname, url.port)
    request(conn, "PUT", f"{base}/{container}/{blob}?comp=blocklist&{sas}", body.encode())
    print(json.dumps({"bytes": len(data), "blocks": blocks}))


if __name__ == "__main__":
    main()
