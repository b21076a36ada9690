# Peer side of tests/interop_ndeflib.rs, run with MPAY_PYTHON (ndeflib and cryptography installed).
#   check: reads hex messages (one per line) on stdin; for each prints JSON: whether ndeflib
#          re-encodes its decoding to the same octets, and a description of every record.
#   gen SEED N: prints N JSON lines {hex, records} for random messages built with ndeflib.
#   verify-sm2: the same for the mpay SM2/SM3 extension (signature type 0x7F), checked with gmssl
#           (public key given as x||y hex; gmssl's default ID 1234567812345678).
#   verify: reads lines "<pubkey-sec1-hex> <message-hex>"; splits the message with ndeflib and,
#           for every Signature record, re-encodes the records of its section with ndeflib (ME = 0)
#           and checks the ECDSA P-256/SHA-256 signature with `cryptography`; prints "ok" or the failure.
#   verify-chain: reads lines "<anchor-cert-hex> <unix-time> <message-hex>"; for every Signature
#           record, walks its X.509 chain field (signer first) up to the anchor certificate with
#           `cryptography` (each certificate directly issued by the next, valid at the time), then
#           checks the section's ECDSA P-256/SHA-256 signature with the signer certificate's key;
#           prints "ok" or the failure.
import json, random, sys
import ndef

# ndeflib switches to the first record's local types when known_types is its own global map
# (a Smart Poster first hides a later Signature record); a copy keeps the global map.
KNOWN = dict(ndef.Record._known_types)

def describe(r):
    d = {"type": r.type, "id": r.name, "data": bytes(r.data).hex()}
    if isinstance(r, ndef.TextRecord):
        d["text"] = [r.text, r.language, r.encoding]
    elif isinstance(r, ndef.UriRecord):
        d["uri"] = r.iri  # r.uri re-normalises some schemes (imap:x -> imap:///x)
    elif isinstance(r, ndef.SmartposterRecord):
        d["sp"] = {"uri": r.resource.iri, "titles": sorted([k, v] for k, v in r.titles.items()),
                   "action": r.action, "size": r.resource_size, "type": r.resource_type}
    elif isinstance(r, (ndef.HandoverSelectRecord, ndef.HandoverRequestRecord)):
        h = {"version": r.hexversion,
             "carriers": [[ac.carrier_power_state, ac.carrier_data_reference, list(ac.auxiliary_data_reference)]
                          for ac in r.alternative_carriers]}
        if isinstance(r, ndef.HandoverRequestRecord):
            h["crn"] = r.collision_resolution_number
        elif r.error is not None:
            h["error"] = [r.error.error_reason, r.error.error_data if isinstance(r.error.error_data, int) else None]
        d["handover"] = h
    elif isinstance(r, ndef.SignatureRecord):
        d["sig"] = [r.signature_type, r.hash_type, bytes(r.signature or b"").hex(), r.signature_uri or "",
                    r.certificate_format, [bytes(c).hex() for c in r.certificate_store], r.certificate_uri or ""]
    return d

ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789 éΔ中😀-"
def word(rng, n, alphabet="abcdefghijklmnopqrstuvwxyz0123456789"):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, n)))

def random_uri(rng):
    prefixes = ["", "http://www.", "https://", "tel:", "mailto:", "urn:nfc:", "urn:epc:id:", "ftp://", "sip:", "imap:"]
    return rng.choice(prefixes) + word(rng, 30)

def random_record(rng):
    k = rng.randrange(9)
    if k == 0:
        return ndef.TextRecord(word(rng, 40, ALPHABET), word(rng, 5, "abcdefghijklmnopqrstuvwxyz"), rng.choice(["UTF-8", "UTF-16"]))
    if k == 1:
        return ndef.UriRecord(random_uri(rng))
    if k == 2:
        sp = ndef.SmartposterRecord(random_uri(rng))
        for lang in rng.sample(["en", "de", "fr", "zh"], rng.randint(0, 3)):
            sp.set_title(word(rng, 20, ALPHABET), lang, rng.choice(["UTF-8", "UTF-16"]))
        if rng.random() < 0.5:
            sp.action = rng.choice(["exec", "save", "edit"])
        if rng.random() < 0.5:
            sp.resource_size = rng.randrange(1 << 32)
        if rng.random() < 0.5:
            sp.resource_type = "image/png"
        return sp
    if k == 3:
        hs = ndef.HandoverSelectRecord(rng.choice(["1.2", "1.3"]))
        for _ in range(rng.randint(0, 3)):
            hs.add_alternative_carrier(rng.choice(["inactive", "active", "activating", "unknown"]), word(rng, 4), *[word(rng, 3) for _ in range(rng.randint(0, 2))])
        return hs
    if k == 4:
        hr = ndef.HandoverRequestRecord(rng.choice(["1.2", "1.3"]), rng.randrange(1 << 16))
        for _ in range(rng.randint(1, 2)):
            hr.add_alternative_carrier("active", word(rng, 4))
        return hr
    if k == 5:
        sig = bytes(rng.randrange(256) for _ in range(rng.choice([0, 64, 71])))
        certs = [bytes(rng.randrange(256) for _ in range(rng.randint(1, 40))) for _ in range(rng.randint(0, 3))]
        uri = "https://ca.example/" + word(rng, 8) if rng.random() < 0.5 else None
        if sig or rng.random() < 0.5:
            return ndef.SignatureRecord("ECDSA-P256" if sig else None, "SHA-256", sig, None, rng.choice(["X.509", "M2M"]), certs, uri)
        return ndef.SignatureRecord("ECDSA-P256", "SHA-256", None, "https://sig.example/" + word(rng, 8), "X.509", certs, uri)
    if k == 6:
        return ndef.Record("application/vnd.mpay+json", word(rng, 6), bytes(rng.randrange(256) for _ in range(rng.randint(0, 300))))
    if k == 7:
        return ndef.Record("urn:nfc:ext:android.com:pkg", "", ("com." + word(rng, 12)).encode())
    return ndef.Record("https://example.com/type/" + word(rng, 6), "", b"")

mode = sys.argv[1]
if mode == "check":
    for line in sys.stdin:
        octets = bytes.fromhex(line.strip())
        records = list(ndef.message_decoder(octets, known_types=KNOWN))
        again = b"".join(ndef.message_encoder(records))
        print(json.dumps({"same": again == octets, "records": [describe(r) for r in records]}))
elif mode == "gen":
    rng = random.Random(int(sys.argv[2]))
    for _ in range(int(sys.argv[3])):
        records = [random_record(rng) for _ in range(rng.randint(1, 4))]
        octets = b"".join(ndef.message_encoder(records))
        print(json.dumps({"hex": octets.hex(), "records": [describe(r) for r in records]}))
elif mode in ("verify", "verify-sm2"):
    if mode == "verify":
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.exceptions import InvalidSignature

        def check(key_hex, signature, data):
            key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), bytes.fromhex(key_hex))
            try:
                key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
                return True
            except InvalidSignature:
                return False
    else:
        from gmssl import sm2

        def check(key_hex, signature, data):
            crypt = sm2.CryptSM2(private_key="", public_key=key_hex, asn1=True)
            return bool(crypt.verify_with_sm3(signature.hex(), data))
    for line in sys.stdin:
        key_hex, msg_hex = line.split()
        records = list(ndef.message_decoder(bytes.fromhex(msg_hex), known_types=KNOWN))
        sigs = [n for n, r in enumerate(records) if r.type == "urn:nfc:wkt:Sig"]
        result, start = "ok", 0
        for i in sigs:
            if records[i].signature_type is not None or mode == "verify-sm2":
                # ndeflib sets ME on the last record it encodes: encode the section plus the Signature
                # record and cut the Signature record off, so the section carries ME = 0 as on the wire.
                whole = b"".join(ndef.message_encoder(records[:i + 1]))
                sig_len = len(b"".join(ndef.message_encoder([records[i]])))
                before = len(b"".join(ndef.message_encoder(records[:start]))) if start else 0
                if not check(key_hex, bytes(records[i].signature), whole[before:len(whole) - sig_len]):
                    result = "invalid signature"
            start = i + 1
        print(result)
elif mode == "verify-chain":
    import datetime
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    def chain_ok(certs, anchor, when):
        for cert, issuer in zip(certs, certs[1:] + [anchor]):
            if not cert.not_valid_before_utc <= when <= cert.not_valid_after_utc:
                return "certificate expired or not yet valid"
            try:
                cert.verify_directly_issued_by(issuer)
            except Exception:
                return "certificate not issued by the next one"
        return None

    for line in sys.stdin:
        anchor_hex, when, msg_hex = line.split()
        anchor = x509.load_der_x509_certificate(bytes.fromhex(anchor_hex))
        when = datetime.datetime.fromtimestamp(int(when), datetime.timezone.utc)
        records = list(ndef.message_decoder(bytes.fromhex(msg_hex), known_types=KNOWN))
        result, start = "ok", 0
        for i, r in enumerate(records):
            if r.type != "urn:nfc:wkt:Sig":
                continue
            if r.signature_type is not None:
                certs = [x509.load_der_x509_certificate(bytes(c)) for c in r.certificate_store]
                failure = chain_ok(certs, anchor, when) if certs else "no certificate"
                if failure is None:
                    whole = b"".join(ndef.message_encoder(records[:i + 1]))
                    sig_len = len(b"".join(ndef.message_encoder([r])))
                    before = len(b"".join(ndef.message_encoder(records[:start]))) if start else 0
                    try:
                        certs[0].public_key().verify(bytes(r.signature),
                                                     whole[before:len(whole) - sig_len],
                                                     ec.ECDSA(hashes.SHA256()))
                    except Exception:
                        failure = "invalid signature"
                if failure and result == "ok":
                    result = failure
            start = i + 1
        print(result)
