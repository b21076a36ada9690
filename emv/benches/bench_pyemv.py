"""Times pyemv on the inputs of benches/crypto.rs (run beside `cargo bench -p mpay-emv`)."""
import timeit

from pyemv import cvn

c = cvn.VisaCVN18(
    iss_mk_ac=bytes.fromhex("0123456789ABCDEFFEDCBA9876543210"),
    iss_mk_smi=bytes.fromhex("0123456789ABCDEFFEDCBA9876543210"),
    iss_mk_smc=bytes.fromhex("0123456789ABCDEFFEDCBA9876543210"),
    pan="1234567890123456",
    psn="00",
)
args = dict(
    tag_9f02=bytes.fromhex("000000004000"), tag_9f03=bytes.fromhex("000000000000"),
    tag_9f1a=bytes.fromhex("0124"), tag_95=bytes.fromhex("8000048000"),
    tag_5f2a=bytes.fromhex("0124"), tag_9a=bytes.fromhex("191105"), tag_9c=bytes.fromhex("01"),
    tag_9f37=bytes.fromhex("52BF4585"), tag_82=bytes.fromhex("1800"),
    tag_9f36=bytes.fromhex("001C"), tag_9f10=bytes.fromhex("06011203A0B800"),
)
assert c.generate_ac(**args).hex().upper() == "7A788EA6B8A3E733"
n = 20000
best = min(timeit.repeat(lambda: c.generate_ac(**args), number=n, repeat=5))
print(f"pyemv cvn18_arqc_with_session_key: {n / best:,.0f}/s ({best / n * 1e6:.2f} us)")
