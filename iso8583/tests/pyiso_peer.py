"""Differential peer for tests/pyiso.rs: pyiso8583 encodes the messages and decodes the wires it
is given (JSON on stdin), and prints what it got (JSON on stdout)."""
import binascii
import json
import sys

import iso8583

job = json.load(sys.stdin)
spec = job["spec"]
out = {"encoded": [], "decoded": []}
for doc in job["messages"]:
    try:
        raw, _ = iso8583.encode(dict(doc), spec)
        out["encoded"].append(binascii.hexlify(raw).decode().upper())
    except Exception as e:  # reported, compared as a mismatch
        out["encoded"].append({"error": str(e)})
for wire in job["wires"]:
    try:
        dec, _ = iso8583.decode(binascii.unhexlify(wire), spec)
        out["decoded"].append(dec)
    except Exception as e:
        out["decoded"].append({"error": str(e)})
json.dump(out, sys.stdout)
