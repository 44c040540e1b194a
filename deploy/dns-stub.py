#!/usr/bin/env python3
"""A tiny DNS responder for deploy/check-static.sh: answers A queries for names under
`.playground.test` with 127.0.0.1, NXDOMAIN for anything else, and an empty NOERROR answer for
other types (AAAA). Usage: dns-stub.py ADDRESS PORT READY_FILE. It stands in for Docker's
embedded DNS server (127.0.0.11), which is how containers in a compose network find each
other by service name."""

import socket
import struct
import sys


def name_end(msg: bytes, i: int) -> tuple[str, int]:
    labels = []
    while msg[i] != 0:
        n = msg[i]
        labels.append(msg[i + 1 : i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    return ".".join(labels).lower(), i + 1


def answer(query: bytes) -> bytes:
    qid, _flags, qdcount = struct.unpack(">HHH", query[:6])
    name, end = name_end(query, 12)
    qtype, _qclass = struct.unpack(">HH", query[end : end + 4])
    question = query[12 : end + 4]
    ours = name.endswith(".playground.test")
    rcode = 0 if ours else 3
    answers = b""
    if ours and qtype == 1:
        # pointer to the name at offset 12, type A, class IN, ttl 60, 4 bytes: 127.0.0.1
        answers = struct.pack(">HHHIH", 0xC00C, 1, 1, 60, 4) + bytes([127, 0, 0, 1])
    flags = 0x8180 | rcode  # response, recursion desired + available
    header = struct.pack(">HHHHHH", qid, flags, min(qdcount, 1), 1 if answers else 0, 0, 0)
    sys.stderr.write(f"dns-stub: {name} type {qtype} -> {'127.0.0.1' if answers else 'rcode %d' % rcode}\n")
    return header + question + answers


def main() -> None:
    address, port, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, port))
    with open(ready, "w") as f:
        f.write("ready\n")
    while True:
        query, peer = sock.recvfrom(512)
        try:
            sock.sendto(answer(query), peer)
        except (IndexError, struct.error, UnicodeError):
            pass


if __name__ == "__main__":
    main()
