"""pyiso8583 on the reference 0100 (20 fields, 132-byte field 55), timed in the same run as
benches/codec.rs (which starts this script when MPAY_PYTHON is set). Best of 5 rounds.
Prints one line per figure: `<name> <messages per second>`."""
import sys
import time

import iso8583
from iso8583.specs import default, default_ascii

F55 = sys.argv[1]
TEXT = dict(a.split("=", 1) for a in sys.argv[2:])


def doc():
    d = {"t": "0100"}
    d.update(TEXT)
    d["52"] = "123456789ABCDEF0"
    d["55"] = F55
    return d


def rate(fn, n):
    # Thread CPU time, like the criterion bench (the machine is shared).
    best = 0.0
    for _ in range(5):
        t = time.thread_time()
        for _ in range(n):
            fn()
        best = max(best, n / (time.thread_time() - t))
    return best


for name, spec in (("bin", default), ("ascii", default_ascii)):
    d = doc()
    raw, _ = iso8583.encode(dict(d), spec)
    raw = bytes(raw)
    pack = rate(lambda: iso8583.encode(dict(d), spec), 20000)
    unpack = rate(lambda: iso8583.decode(raw, spec), 20000)
    print(f"pyiso8583 {name} ({len(raw)} bytes): pack {pack / 1e6:.4f} M msg/s, unpack {unpack / 1e6:.4f} M msg/s (cpu)")
