"""Training data and lexicons for the PERSON and LOCATION tagger of assay-pii (issue #18).

The tagger (`src/recognizers/ner/`) is an averaged perceptron trained in Rust
(`cargo run --release -p assay-pii --example train_ner_model`); this script makes what it
is trained on, from Faker (MIT licence, Copyright (c) 2012 Daniele Faraglia):

  * `names_first.txt`, `names_last.txt` (committed, beside this script): the given names and
    family names of the person providers of every Faker locale (86 locales), lower-cased, one
    a line. The tagger uses them as a lexicon feature; they are not a list of who is a person.
  * a training corpus (not committed; JSON lines, one document each: `text` and the UTF-8 byte
    spans of the person names and places in it, each `[start, end, "PERSON" | "LOCATION"]`), made from TRAIN_TEMPLATES below: letters, records,
    forms, logs, tables and lists written for training only. They share nothing with the
    evaluation templates of `tests/reference/pii_eval.py` (EVAL_TEMPLATES), which no model or
    rule of assay may be fitted on. Names come from every Faker locale with a person provider
    (weighted towards Latin-script ones), in many written forms (given + family, family first,
    "Family, Given", titles, initials, particles, double-barrelled names, capitals, lower case);
    places are Faker's cities (real ones in most locales, invented ones such as "Port
    Michaelside" in the English ones), regions, countries, street addresses and postcode-and-
    town lines; the non-entities that look like them are companies, job titles and
    catch phrases ("Davis, Walker and Smith").

Setup: python3 -m venv /work/venv && /work/venv/bin/pip install faker==40.63.0
Run:   /work/venv/bin/python crates/assay-pii/data/ner_training.py [OUT.jsonl] [N_DOCS]
       (defaults: target/ner_training.jsonl, 40000 documents; seed fixed, output identical
       for the same Faker version)
"""

import importlib
import json
import random
import sys
import unicodedata
from pathlib import Path

import faker
from faker import Faker
from faker.config import AVAILABLE_LOCALES

SEED = 20261208
HERE = Path(__file__).resolve().parent


def person_locales():
    out = []
    for loc in AVAILABLE_LOCALES:
        try:
            importlib.import_module("faker.providers.person." + loc)
        except ImportError:
            continue
        out.append(loc)
    return out


def latin(s):
    return all(not c.isalpha() or unicodedata.name(c, "").startswith("LATIN") for c in s)


def names_of(provider, attrs):
    got = set()
    for a in attrs:
        v = getattr(provider, a, None)
        if v is None or isinstance(v, property) or isinstance(v, str):
            continue
        for n in (v.keys() if hasattr(v, "keys") else v):
            if not isinstance(n, str):
                continue
            n = n.strip()
            if n and not n.endswith("."):
                got.add(n.lower())
    return got


def write_lexicon(locales):
    first, last = set(), set()
    for loc in locales:
        p = importlib.import_module("faker.providers.person." + loc).Provider
        first |= names_of(p, ["first_names", "first_names_male", "first_names_female",
                              "first_names_nonbinary", "first_names_unisex"])
        last |= names_of(p, ["last_names", "last_names_male", "last_names_female", "last_names_nonbinary"])
    head = ("# {} names of the person providers of the {} Faker {} locales (faker/providers/person/*),\n"
            "# MIT licence, Copyright (c) 2012 Daniele Faraglia; lower-cased, one a line. Made by\n"
            "# ner_training.py.\n")
    for fname, names, what in (("names_first.txt", first, "Given"), ("names_last.txt", last, "Family")):
        with open(HERE / fname, "w", encoding="utf-8") as f:
            f.write(head.format(what, len(locales), faker.VERSION))
            for n in sorted(names):
                f.write(n + "\n")
    from faker.providers.lorem.en_US import Provider as Lorem
    with open(HERE / "common_words.txt", "w", encoding="utf-8") as f:
        f.write(f"# The {len(Lorem.word_list)} common English words of Faker {faker.VERSION}'s en_US lorem provider\n"
                "# (faker/providers/lorem/en_US), MIT licence, Copyright (c) 2012 Daniele Faraglia;\n"
                "# lower-cased, one a line. Made by ner_training.py.\n")
        for w in sorted({w.lower() for w in Lorem.word_list}):
            f.write(w + "\n")
    return len(first), len(last)


TITLES = ["Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Dr", "Dr.", "Prof.", "Professor", "Sir", "Dame",
          "Herr", "Frau", "M.", "Mme", "Sr.", "Sra.", "Sig.", "Sig.ra", "Dhr.", "Mevr.", "Shri", "Smt."]
SUFFIXES = ["Jr.", "Sr.", "III", "PhD", "MD", "M.Sc.", "B.A."]


def person(r, fake):
    """A name as people write it, in one of many forms."""
    first, last = fake.first_name(), fake.last_name()
    k = r.random()
    if k < 0.28:
        s = fake.name()
    elif k < 0.45:
        s = f"{first} {last}"
    elif k < 0.52:
        s = f"{first} {fake.first_name()} {last}"
    elif k < 0.60:
        s = f"{last}, {first}"
    elif k < 0.68:
        s = f"{r.choice(TITLES)} {last}"
    elif k < 0.72:
        s = f"{r.choice(TITLES)} {first} {last}"
    elif k < 0.76:
        s = f"{first[0]}. {last}"
    elif k < 0.80:
        s = f"{last} {first}"
    elif k < 0.83:
        s = f"{first} {last}-{fake.last_name()}"
    elif k < 0.86:
        s = f"{first} {last} {r.choice(SUFFIXES)}"
    elif k < 0.93:
        s = first
    else:
        s = last
    if r.random() < 0.03:
        s = s.upper()
    return s


def street(fake):
    try:
        return fake.street_address()
    except AttributeError:
        return fake.address().split("\n")[0]


def city(fake):
    try:
        return fake.city()
    except AttributeError:
        return "Springfield"


def company(fake):
    try:
        return fake.company()
    except AttributeError:
        return "Acme Ltd"


def region(fake):
    for name in ("state", "administrative_unit", "region", "province", "county"):
        f = getattr(fake, name, None)
        if f is not None:
            try:
                return f()
            except (AttributeError, TypeError):
                continue
    return city(fake)


def city_line(r, fake):
    try:
        pc = fake.postcode()
    except AttributeError:
        pc = str(r.randrange(10000, 99999))
    c = city(fake)
    return r.choice([f"{pc} {c}", f"{c} {pc}", f"{c}, {pc}", f"{c} - {pc}"])


def fields(r, fake, en, english):
    """Template fields: (is a person, generator)."""
    return {
        "P": ("PERSON", lambda: person(r, fake)),
        "FULL": ("PERSON", lambda: fake.name()),
        "FN": ("PERSON", lambda: fake.first_name()),
        "LN": ("PERSON", lambda: fake.last_name()),
        "TL": ("PERSON", lambda: f"{r.choice(TITLES)} {fake.last_name()}"),
        "STREET": ("LOCATION", lambda: street(fake) if r.random() < 0.5 else street(r.choice(english))),
        "CITY": ("LOCATION", lambda: city(fake)),
        "TOWN": ("LOCATION", lambda: en.city()),
        "CO": (None, lambda: company(fake)),
        "JOB": (None, lambda: en.job()),
        "PHRASE": (None, lambda: en.catch_phrase().title()),
        "EMAIL": (None, lambda: fake.email()),
        "PHONE": (None, lambda: fake.phone_number()),
        "DATE": (None, lambda: fake.date_between(start_date="-70y").strftime(
            r.choice(["%d %B %Y", "%B %d", "%Y-%m-%d", "%d/%m/%y", "%A %d %B", "%b %d %Y", "%d %b %Y",
                      "%b %d, %Y", "%a %d %b"]))),
        "LABEL": (None, lambda: r.choice(["Tel", "Tel.", "Phone", "Mobile", "Fax", "Ext.", "Ref", "Ref.", "Amount",
                                          "Total", "Invoice", "Order", "Tracking", "Date", "Due", "Callback",
                                          "Account", "Balance", "Room", "Bed", "Ward", "Unit", "Code", "No."])),
        "ABBR": (None, lambda: r.choice(["ED", "ICU", "GP", "HR", "IT", "ID", "CEO", "VAT", "PDF", "FAQ", "ETA",
                                         "NB", "PS", "ASAP", "TBC", "OK", "N/A", "MRI", "ER", "OR"])),
        "DAY": (None, lambda: r.choice(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                                         "Sunday", "January", "March", "May", "June", "August"])),
        "N": (None, lambda: str(r.randrange(1, 99999))),
        "AMT": (None, lambda: f"{r.randrange(5, 9999)}.{r.randrange(100):02d}"),
        "COUNTRY": ("LOCATION", lambda: en.country()),
        "WORD": (None, lambda: en.word().title()),
        "SENT": (None, lambda: en.sentence()),
        "KEY": (None, lambda: r.choice(["_", "_", " ", ""]).join(en.words(r.choice([1, 2, 2, 3])))
                .replace(" ", "_") if r.random() < 0.5 else " ".join(en.words(r.choice([1, 2]))).title()),
        "TITLE": (None, lambda: r.choice([
            lambda: en.catch_phrase().title(), lambda: en.bs().title(),
            lambda: " ".join(en.words(r.choice([1, 2, 3, 4]))).title(), lambda: en.job().title(),
            lambda: f"{' '.join(en.words(2)).title()} {r.choice(['W/O', 'w/', 'in the', 'Or', 'of', '/'])} "
                    f"{' '.join(en.words(r.choice([1, 2]))).title()}"])()),
        "CAT": (None, lambda: r.choice(["Low", "Medium", "High", "Very High", "None", "Yes", "No", "N/A",
                                        "Active", "Inactive", "Pending", "Closed", "Open", "Approved",
                                        "Rejected", "Male", "Female", "Married", "Single", "Divorced",
                                        "Other", "Unknown", "Gold", "Silver", "Bronze", "Standard",
                                        "Premium", "Basic", "Urgent", "Normal", "Minor", "Major"])),
        "REGION": ("LOCATION", lambda: region(fake)),
        "CITYLINE": ("LOCATION", lambda: city_line(r, fake)),
    }


# Written for training only; never the evaluation templates of tests/reference/pii_eval.py.
TRAIN_TEMPLATES = [
    "Case No. {N}. Plaintiff {P} v. {CO}. Hearing before Judge {LN} on {DATE}.",
    "The court heard evidence from {P} and from the defendant, {P}, who lives on {STREET}.",
    "Witness statement of {FULL}\nI was at {STREET} in {CITY} on {DAY} evening when {FN} arrived.",
    "Enrolment form\nPupil: {P}\nParent/guardian: {P}\nSchool: {CITY} Primary\nPhone: {PHONE}",
    "Rx for {P}, {N} mg twice daily. Prescriber: {TL}. Pharmacy: {CO}, {STREET}.",
    "Claim {N} filed by {P} ({EMAIL}) for water damage at {STREET}, {CITY}. Adjuster: {FULL}.",
    "Viewing booked: {P} will see the flat on {STREET} on {DAY}; agent {FN} from {CO} attends.",
    "Booking reference {N}\nPassenger 1: {P}\nPassenger 2: {P}\nFrom {TOWN} to {CITY}, {DATE}",
    "Statement for {P}\n{DATE}  Transfer to {FULL}  {AMT}\n{DATE}  Card payment {CO}  {AMT}",
    "Incident report {N}: officer {LN} spoke with {P} near {STREET}. A second witness, {FN}, left before we arrived.",
    "Annual review - {P} ({JOB})\nReviewer: {P}\nRating: meets expectations\nNotes: {FN} led the {PHRASE} project.",
    "Hi {FN},\nI'm {FULL}, a recruiter at {CO}. Are you open to a {JOB} role in {CITY}?\nBest,\n{FN}",
    "Curriculum vitae\n{FULL}\n{STREET}, {CITY}\n{EMAIL} · {PHONE}\nReferences: {P} ({CO}), {P}",
    "In this issue: {P} on {PHRASE}, a farewell to {FULL} after {N} years, and the {CITY} office move.",
    "Posted by {FN}{N} on {DATE}: has anyone tried {CO}? {FN} at work swears by it.",
    "commit {N}\nAuthor: {FULL} <{EMAIL}>\nDate: {DATE}\n\n    Fix {WORD} parser; reviewed by {FN}",
    "id,name,city,phone\n{N},{FULL},{CITY},{PHONE}\n{N},{FULL},{TOWN},{PHONE}",
    "{{\"customer\": \"{FULL}\", \"city\": \"{CITY}\", \"agent\": \"{FN}\"}}",
    "Invitation: {PHRASE} sync\nOrganizer: {FULL}\nAttendees: {P}; {P}; {P}\nWhen: {DAY} {DATE}",
    "While you were out\nFor: {FN}\nFrom: {P} of {CO}\nPlease call back on {PHONE}",
    "Lab results for {P}, DOB {DATE}: sodium {N}, potassium {AMT}. Reviewed by {TL}.",
    "Dear {TL},\nThank you for referring {P}, whom I saw in clinic on {DATE}.\nYours sincerely,\n{FULL}",
    "{FULL} and {FULL} request the pleasure of your company at {CO}, {STREET}, on {DATE}.",
    "{FULL}, of {CITY}, died peacefully on {DATE}. Beloved wife of {FN} and mother of {FN} and {FN}.",
    "{CO} today named {P} as its new {JOB}. {LN} joins from {CO} in {COUNTRY}.",
    "Team sheet: 1 {P}, 2 {P}, 3 {P}, 4 {P}. Coach: {FULL}. Venue: {STREET}.",
    "Visitor log\n{DATE}  {FULL}  {CO}  host: {FN}\n{DATE}  {FULL}  {CO}  host: {FN}",
    "Minutes: present {P}, {P} and {P}; apologies from {FN}. {LN} proposed moving to {CITY}.",
    "Shipment {N} from {CO}, {STREET}, {CITY}, {COUNTRY} - signed for by {P}.",
    "Room {N}: {P} (allergies: none). Visiting hours for {FN}'s family are {N}:00-{N}:00.",
    "Re: {PHRASE}\n> On {DATE}, {FULL} wrote:\n> can you check with {FN} before {DAY}?\nDone, {FN} agreed.",
    "Tenancy agreement between {P} (landlord) and {P} (tenant) for {STREET}, {CITY}.",
    "Grant awarded to {P} and {P} of {CO} for '{PHRASE}'.",
    "Driver {P} collected the {WORD} order at {STREET} and handed it to {FN} at {CO}.",
    "Note from {FN}: the {WORD} meeting moved to {DAY}. {FULL} can't make it; {FN} will chair.",
    "ACCOUNT HOLDER: {P}\nJOINT HOLDER: {P}\nBRANCH: {CITY}\nSORT CODE: {N}",
    "{LN}, {FN} - {JOB} - ext {N}\n{LN}, {FN} - {JOB} - ext {N}\n{LN}, {FN} - {JOB} - ext {N}",
    "{FN} {LN}  {JOB}  {CITY}\n{FN} {LN}  {JOB}  {TOWN}\n{FN} {LN}  {JOB}  {CITY}",
    "Staff | Role | Site\n{FULL} | {JOB} | {CITY}\n{FULL} | {JOB} | {STREET}",
    "Reference for {FN}: I supervised {FN} {LN} at {CO} from {DATE} and recommend {LN} warmly. {TL}",
    "Volunteer rota ({DAY}): morning {FN}, afternoon {FN} and {P}, evening {P}.",
    "Complaint: {P} says that {P} at the {CITY} branch refused a refund of {AMT}.",
    "Police were called to {STREET} after {P}, {N}, was seen arguing with {P}.",
    "Certificate awarded to {FULL} for completing {PHRASE}. Signed {FULL}, {JOB}.",
    "Adoption record: child {FN}, born {DATE} in {CITY}; adoptive parents {FULL} and {FULL}.",
    "my brother {FN} and his wife {FN} moved to {CITY} last {DAY}, staying with {FULL} for now",
    "spoke w/ {FN} re {WORD}; {LN} to follow up w {P} tmrw",
    "Speaker: {TL} ({CO})\nChair: {P}\nTopic: {PHRASE}",
    "Owner: {P}\nVehicle kept at: {STREET}, {CITY}\nNamed drivers: {P}, {FN}",
    "Guest list: {FULL}, {FULL}, {FN} (+1), the {LN} family, {TL}.",
    "Please ask for {P} at reception. If {FN} is away, {P} can help.",
    "Order {N} for {P} delivered to {STREET}, {CITY}. Left with {FN} at no. {N}.",
    "Consent signed by {P} on behalf of {FN} {LN} (minor). Witness: {FULL}.",
    "Thanks to {FN}, {FN}, {FN} and {P} for organising the {CITY} {WORD} day!",
    "{P} ({N}) of {STREET} was fined {AMT} by {CITY} magistrates on {DATE}.",
    "Emergency contact\nName: {P}\nRelationship: sister\nPhone: {PHONE}",
    "Author: {LN}, {FN}; {LN}, {FN}. Title: {PHRASE}. {CO}, {DATE}.",
    "The {WORD} award went to {FULL}; runners-up were {P} and {P}.",
    "Authorised by: {FULL}\nPrepared by: {P}\nChecked: {FN}",
    "{CO}\n{STREET}\n{CITY}\n\nFAO {P}\nRe: account {N}",
    "Transfer {AMT} from {P} to {P}, reference {WORD} {N}.",
    "Ward round {DAY}: {TL} saw {P} in bay {N}; {FN} (nurse) to chase bloods.",
    "{P} is a {JOB} at {CO} in {CITY}. Before that {FN} worked in {COUNTRY} with {FULL}.",
    "{SENT} {P} said the {WORD} report is late. {SENT}",
    "Hello {FN},\n{SENT} {SENT}\nRegards, {P}",
    "Note: {SENT} Contact {P} on {PHONE} or write to {STREET}.",
    "Good morning! {SENT} Also, {FN} says hi.",
    "SUBJECT: {PHRASE}\nTO: {P}\nCC: {P}\n{SENT}",
    "Deliver to {STREET}, {CITY}. Card ending {N}. Bill to {P}.",
    "Family: wife ({FN}), two children ({FN} and {FN}); next of kin is {FN}'s brother {P}.",
    "Actions\n- {FN} to circulate the {WORD} budget\n- {P} and {FN} to review\n- chase {FN} re {CITY}",
    "| {N} | {FULL} | {PHONE} |\n| {N} | {FULL} | {PHONE} |",
    "Her grandson ({FN}) and {FN}'s partner {P} visited; {TL}'s notes are on file.",
    "{FN}'s flight lands at {N}:{N}; {P}'s car is booked. Uncle ({FN}) collects the keys.",
    "Born in {CITY}, {REGION}, {FN} grew up in {COUNTRY} and studied in {TOWN}.",
    "Relocation: {P} moves from {CITY} to {CITY} ({COUNTRY}) in {DAY}.",
    "Our {REGION} team covers {CITY}, {CITY} and {TOWN}; contact {P}.",
    "Weather warning for {CITY} and the surrounding {REGION} area tonight.",
    "{FULL:<24}{PHONE:<20}{CITY}\n{FULL:<24}{PHONE:<20}{TOWN}\n{FULL:<24}{PHONE:<20}{CITY}",
    "{N:<8}{CITY:<22}{REGION}\n{N:<8}{TOWN:<22}{COUNTRY}\n{N:<8}{CITY:<22}{REGION}",
    "site\tcity\tregion\n{N}\t{CITY}\t{REGION}\n{N}\t{TOWN}\t{COUNTRY}",
    "Send the forms to:\n{P}\n{STREET}\n{CITYLINE}\n{COUNTRY}",
    "We stayed two nights in {CITY} before driving to {TOWN}. {FN} loved {REGION}.",
    "Event venue: {CO}, {STREET}, {CITYLINE}. Parking on {STREET}.",
    "Transferred from the {CITY} hospital to {CITY} General on {DATE}.",
    "Delivery address {STREET}\n{CITYLINE}\nRecipient {P}, tel {PHONE}",
    "{P} lives at {STREET}, {CITY}, near the {WORD} station.",
    "Shipping from {COUNTRY} via {CITY}; customs in {TOWN}.",
    "Travel log: {DATE} {CITY} -> {TOWN}; {DATE} {TOWN} -> {COUNTRY}.",
    "Visitors from {CITY}, {TOWN} and {COUNTRY} signed the book, among them {P}.",
    "{LABEL}: {PHONE}\n{LABEL} {N}\n{LABEL}: {AMT}\n{DATE}  {WORD} {N}",
    "Seen in {ABBR} on {DATE}. {LABEL} {N}. Sent to {ABBR} {DAY}; {LABEL}: {PHONE}.",
    "{DATE}  {LABEL} {N}  {AMT}\n{DATE}  {LABEL} {N}  {AMT}\n{WORD} {WORD}: {AMT}",
    "Name | {LABEL} | City\n{FULL} | {N} | {CITY}\n{FULL} | {N} | {TOWN}",
    "{LABEL} {PHONE} ext. {N}. {SENT} {LABEL}: {DATE}.",
    "{KEY}: {TITLE}\n{KEY}: {CAT}\n{KEY}: {P}\n{KEY}: {N}",
    "{KEY}={CAT}; {KEY}={TITLE}; {KEY}={N}; {KEY}={FULL}",
    "{KEY}: {TITLE} ({P})",
    "{KEY}: {CAT}",
    "{KEY}: {TITLE}",
    "{KEY},{KEY},{KEY}\n{N},{TITLE},{CAT}\n{N},{FULL},{CAT}\n{N},{TITLE},{CAT}",
    "Category: {TITLE}. Priority: {CAT}. Assigned to {P}. Status: {CAT}.",
    "{TITLE}\n{SENT} Contact {P} ({JOB}) for {TITLE}.",
]

FILLER = [
    "All times are local.", "This message may contain confidential information.", "Sent from my phone.",
    "Kind regards.", "The Quarterly Review Is Due Next Week.", "Head Office, Main Building, Second Floor.",
    "Customer Service Team", "Please Do Not Reply To This Email.", "Terms and Conditions apply.",
    "Annual General Meeting", "Best wishes from everyone at the office.", "Update: New Parking Rules",
    "Human Resources Department", "Thank You For Your Order!", "Emergency Department, North Wing",
]


def slip(r, w):
    """A typing slip in a template word (never in a value)."""
    if len(w) < 4 or not w.isalpha():
        return w
    i = r.randrange(1, len(w) - 1)
    return w[:i] + w[i + 1:] if r.random() < 0.5 else w[:i] + w[i] * 2 + w[i + 1:]


class Doc:
    def __init__(self):
        self.parts, self.spans, self.nbytes = [], [], 0

    def add(self, s, label=None):
        b = len(s.encode("utf-8"))
        if label:
            self.spans.append([self.nbytes, self.nbytes + b, label])
        self.parts.append(s)
        self.nbytes += b


def fill(r, template, f, d, typos):
    i = 0
    while i < len(template):
        j = template.find("{", i)
        if j < 0:
            j = len(template)
        chunk = template[i:j].replace("}}", "}")
        if typos:
            chunk = " ".join(slip(r, w) if r.random() < 0.05 else w for w in chunk.split(" "))
        d.add(chunk)
        if j == len(template):
            break
        if template.startswith("{{", j):
            d.add("{")
            i = j + 2
            continue
        k = template.index("}", j)
        name, width = template[j + 1:k], 0
        if ":<" in name:
            name, width = name.split(":<")
            width = int(width)
        label, gen = f[name]
        v = gen()
        d.add(v, label)
        if width:
            d.add(" " * max(2, width - len(v)))
        i = k + 1


def make_doc(r, locales, weights, en, english):
    loc = r.choices(locales, weights)[0]
    fake = Faker(loc)
    fake.seed_instance(r.randrange(2**31))
    f = fields(r, fake, en, english)
    d = Doc()
    if r.random() < 0.25:
        d.add(r.choice(FILLER) + "\n")
    if r.random() < 0.3:
        d.add(en.paragraph() + r.choice(["\n", " "]))
    for n in range(r.choice([1, 1, 2])):
        if n:
            d.add(r.choice(["\n\n", "\n", " "]))
        fill(r, r.choice(TRAIN_TEMPLATES), f, d, typos=r.random() < 0.4)
    if r.random() < 0.25:
        d.add("\n" + r.choice(FILLER))
    if r.random() < 0.3:
        d.add(r.choice(["\n", " "]) + en.sentence())
    return {"locale": loc, "text": "".join(d.parts), "spans": d.spans}


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent.parent.parent / "target" / "ner_training.jsonl"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 40000
    locales = person_locales()
    nf, nl = write_lexicon(locales)
    # Weight Latin-script locales up: most text assay reads is written in them.
    weights = []
    for loc in locales:
        p = importlib.import_module("faker.providers.person." + loc).Provider
        sample = sorted(names_of(p, ["first_names", "first_names_male", "first_names_female"]))[:20]
        weights.append(4.0 if sample and all(latin(s) for s in sample) else 1.0)
    r = random.Random(SEED)
    en = Faker("en_US")
    en.seed_instance(SEED)
    english = [Faker(loc) for loc in ("en_US", "en_GB", "en_AU", "en_CA")]
    for k, e in enumerate(english):
        e.seed_instance(SEED + k)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as fo:
        for _ in range(n):
            d = make_doc(r, locales, weights, en, english)
            data = d["text"].encode("utf-8")
            for s, e, _ in d["spans"]:
                assert data[s:e].decode("utf-8").strip()
            fo.write(json.dumps(d, ensure_ascii=False) + "\n")
    print(json.dumps({"faker": faker.VERSION, "locales": len(locales), "first_names": nf, "last_names": nl,
                      "docs": n, "seed": SEED, "out": str(out)}))


if __name__ == "__main__":
    main()
