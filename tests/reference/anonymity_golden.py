#!/usr/bin/env python3
"""Generate golden values for assay's anonymity measurement (``crates/assay-anonymity``).

Writes ``anonymity.json`` into ``--out`` (default ``tests/reference/golden``);
``crates/assay-anonymity/tests/golden.rs`` and ``crates/assay-cli/tests/risk.rs`` compare
assay against it (integers exactly, floats to 1e-12).

Environment. pycanon pins old numpy/pandas/scipy exactly (``numpy==2.0.2``, ``pandas==2.3.3``,
``scipy==1.15.3``), which would downgrade the shared ``/work/venv``, so it lives in its own
virtualenv::

    python3 -m venv /work/venv-pycanon
    /work/venv-pycanon/bin/pip install pycanon==1.3.6
    /work/venv-pycanon/bin/python tests/reference/anonymity_golden.py

(Python 3.11.7, pycanon 1.3.6, pandas 2.3.3, numpy 2.0.2; the versions are also recorded in
the output.) A run takes a few minutes: pycanon filters a DataFrame per equivalence class.

Data are read from ``--data`` (default ``$ASSAY_DATA_DIR`` or ``../shared/data`` relative to the
repository root) and never copied into the repository:

* ``adult.data``: no header, the 15 UCI column names, ``skipinitialspace=True`` (assay's CSV
  reader trims the blank after each comma the same way); ``?`` is an ordinary category;
* ``compas-scores-two-years.csv``: header; pandas renames the repeated ``decile_score`` to
  ``decile_score.1`` as assay's reader does; all 7,214 rows.

For every case (a quasi-identifier set and a list of sensitive attributes) the figures are
pycanon's, called with its default ``gen=True`` (several sensitive attributes are combined over
the same equivalence classes):

* ``k``: ``k_anonymity`` (Sweeney 2002);
* ``l_distinct``: ``l_diversity``; ``l_entropy``: ``entropy_l_diversity`` (``int`` of the
  smallest ``e ** H``); ``recursive_c`` / ``recursive_l``: ``recursive_c_l_diversity``, which in
  pycanon 1.3.6 takes no ``l``: it uses the distinct l and returns ``c = max over classes of
  floor(r[0] / sum(r[l-1:]) + 1)`` with the counts ``r`` sorted **ascending** (Machanavajjhala
  et al. 2007 sort them descending: ``r_1 < c (r_l + ... + r_m)``; assay reproduces pycanon's
  figure and notes the difference); ``null`` when ``l == 1``;
* ``recursive_c_definition``: for l = 2 and 3, recursive (c,l)-diversity by the definition
  (Machanavajjhala et al. 2007, Definition 4.3), computed here with pandas (pycanon has no such
  function): with each class's value counts in descending order ``r_1 >= ... >= r_m``, the
  smallest integer c with ``r_1 < c (r_l + ... + r_m)`` in every class and for every sensitive
  attribute, i.e. ``max(r_1 // (r_l + ... + r_m) + 1)``; ``null`` when a class has fewer than l
  values;
* ``t``: ``t_closeness`` (Li, Li & Venkatasubramanian 2007): the ordered-distance EMD for a
  column pandas reads as numeric, the equal-distance EMD for a text column;
* ``beta_basic`` / ``beta_enhanced``: ``basic_beta_likeness`` / ``enhanced_beta_likeness``
  (Cao & Karras 2012);
* ``delta``: ``delta_disclosure`` (Brickell & Shmatikov 2008).

Re-identification risk (pycanon has none), per quasi-identifier set, from first principles with
pandas, for ``n`` records in equivalence classes ``j`` of sizes ``f_j`` (El Emam 2013, *Guide to
the De-Identification of Personal Health Information*, ch. 14-16; the ARX risk model, Prasser et
al. 2014):

* prosecutor: record risk ``1/f_j``; ``prosecutor_max = 1/min f_j``; ``prosecutor_avg =
  sum_j f_j (1/f_j) / n = J/n`` (J classes); ``records_at_max_risk`` = share of records in
  classes of the smallest size; ``uniques`` = share of records in classes of size 1;
* journalist: record risk ``1/F_j`` with ``F_j`` the class size in the population table; with no
  separate population table the data set is its own population (``F_j = f_j``, as ARX does
  without a research subset), so ``journalist_max = 1/min F_j`` and ``journalist_avg = J/n``;
* marketer: expected share of records matched correctly, ``(1/n) sum_j f_j / F_j`` = ``J/n``
  when ``F_j = f_j``.

``population_cases``: the journalist and marketer models with a population table, as ARX
computes them for a research subset (``RiskModelSampleSummary``): the sample is the first
``sample_rows`` records of the file and the population the whole file; ``F_j`` is the
population class with sample class j's values; ``journalist_max = 1/min F_j``,
``journalist_avg = max(J / sum_j F_j, (1/n) sum_j f_j / F_j)``, ``marketer = (1/n) sum_j f_j /
F_j``; the prosecutor figures are the sample's.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pycanon
from pycanon import anonymity as an

REPO_ROOT = Path(__file__).resolve().parents[2]

ADULT_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
    "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
    "hours-per-week", "native-country", "income",
]

ADULT_QI = [
    ["age", "sex", "race"],
    ["age", "education", "marital-status", "sex"],
    ["workclass", "education", "race", "sex", "native-country"],
]
ADULT_SA = [["income"], ["occupation"], ["income", "occupation"]]
COMPAS_QI = [["sex", "age_cat", "race"], ["sex", "age", "race", "juv_fel_count"]]
COMPAS_SA = [["two_year_recid"], ["score_text"], ["two_year_recid", "score_text"]]
# Numerical sensitive attributes with many values, for the ordered-distance EMD, and coarse
# quasi-identifiers (k > 1, l > 1) so that recursive (c,l)-diversity and the entropy are not
# trivially those of singleton classes.
EXTRA = [
    ("adult", ["age", "sex", "race"], ["education-num"]),
    ("compas", ["sex", "age_cat", "race"], ["decile_score"]),
    ("adult", ["sex", "race"], ["income"]),
    ("adult", ["sex", "race"], ["occupation"]),
    ("adult", ["sex", "race"], ["income", "occupation"]),
    ("adult", ["sex", "race"], ["education-num"]),
    ("adult", ["marital-status", "sex"], ["occupation"]),
    ("compas", ["sex", "age_cat"], ["two_year_recid"]),
    ("compas", ["sex", "age_cat"], ["score_text"]),
    ("compas", ["sex", "age_cat"], ["decile_score"]),
    ("compas", ["sex", "age_cat"], ["two_year_recid", "score_text"]),
    ("compas", ["race"], ["score_text", "decile_score"]),
]


def num(x):
    """A JSON number, or null for NaN."""
    x = float(x)
    return None if np.isnan(x) else x


def risk(df: pd.DataFrame, qi: list[str]) -> dict:
    f = df.groupby(qi).size().to_numpy()
    n = int(f.sum())
    assert n == len(df), "missing quasi-identifier values"
    j = len(f)
    k = int(f.min())
    return {
        "records": n,
        "classes": j,
        "prosecutor_max": 1.0 / k,
        "prosecutor_avg": j / n,
        "records_at_max_risk": int(f[f == k].sum()) / n,
        "uniques": int(f[f == 1].sum()) / n,
        "population": None,
        "journalist_max": 1.0 / k,
        "journalist_avg": j / n,
        "marketer": j / n,
    }


def recursive_c_definition(df: pd.DataFrame, qi: list[str], sa: list[str], l: int):
    c = 0
    for s in sa:
        for _, counts in df.groupby(qi)[s]:
            r = sorted(counts.value_counts().tolist(), reverse=True)
            if len(r) < l:
                return None
            c = max(c, r[0] // sum(r[l - 1:]) + 1)
    return c


def population_case(name: str, df: pd.DataFrame, qi: list[str], rows: int) -> dict:
    sample = df.iloc[:rows]
    f = sample.groupby(qi).size().rename("f").reset_index()
    big = df.groupby(qi).size().rename("F").reset_index()
    m = f.merge(big, on=qi, how="left", validate="one_to_one")
    assert m["F"].notna().all()
    n = int(m["f"].sum())
    ratio = float((m["f"] / m["F"]).sum())
    r = risk(sample, qi)
    r.update({
        "population": len(df),
        "journalist_max": 1.0 / int(m["F"].min()),
        "journalist_avg": max(len(m) / int(m["F"].sum()), ratio / n),
        "marketer": ratio / n,
    })
    return {"dataset": name, "quasi_identifiers": qi, "sample_rows": rows, "risk": r}


def case(name: str, df: pd.DataFrame, qi: list[str], sa: list[str]) -> dict:
    c, l_rec = an.recursive_c_l_diversity(df, qi, sa)
    out = {
        "dataset": name,
        "quasi_identifiers": qi,
        "sensitive": sa,
        "numeric_sensitive": [bool(pd.api.types.is_numeric_dtype(df[s])) for s in sa],
        "k": int(an.k_anonymity(df, qi)),
        "l_distinct": int(an.l_diversity(df, qi, sa)),
        "l_entropy": int(an.entropy_l_diversity(df, qi, sa)),
        "recursive_c": None if np.isnan(c) else int(c),
        "recursive_l": int(l_rec),
        "recursive_c_definition": {
            str(l): recursive_c_definition(df, qi, sa, l) for l in (2, 3)
        },
        "t": float(an.t_closeness(df, qi, sa)),
        "beta_basic": float(an.basic_beta_likeness(df, qi, sa)),
        "beta_enhanced": float(an.enhanced_beta_likeness(df, qi, sa)),
        "delta": float(an.delta_disclosure(df, qi, sa)),
        "risk": risk(df, qi),
    }
    print(f"{name} qi={qi} sa={sa}: k={out['k']} l={out['l_distinct']} t={out['t']}",
          file=sys.stderr)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_data = os.environ.get("ASSAY_DATA_DIR") or str(REPO_ROOT / "../shared/data")
    ap.add_argument("--data", default=default_data)
    ap.add_argument("--out", default=str(REPO_ROOT / "tests/reference/golden"))
    args = ap.parse_args()
    data = Path(args.data)
    frames = {
        "adult": pd.read_csv(data / "adult.data", header=None, names=ADULT_COLUMNS,
                             skipinitialspace=True),
        "compas": pd.read_csv(data / "compas-scores-two-years.csv"),
    }
    plan = [("adult", q, s) for q in ADULT_QI for s in ADULT_SA]
    plan += [("compas", q, s) for q in COMPAS_QI for s in COMPAS_SA]
    plan += EXTRA
    cases = [case(name, frames[name], q, s) for name, q, s in plan]
    population_cases = [
        population_case("adult", frames["adult"], ["age", "sex", "race"], 5000),
        population_case("adult", frames["adult"], ["sex", "race"], 5000),
        population_case("adult", frames["adult"], ["age", "education", "marital-status", "sex"], 5000),
        population_case("compas", frames["compas"], ["sex", "age", "race", "juv_fel_count"], 2000),
    ]
    doc = {
        "generator": "tests/reference/anonymity_golden.py",
        "versions": {
            "python": platform.python_version(),
            "pycanon": pycanon.__version__ if hasattr(pycanon, "__version__") else "1.3.6",
            "pandas": pd.__version__,
            "numpy": np.__version__,
        },
        "files": {"adult": "adult.data", "compas": "compas-scores-two-years.csv"},
        "cases": cases,
    }
    out = Path(args.out) / "anonymity.json"
    # One line per case keeps the file small and its diffs readable.
    head = json.dumps({k: v for k, v in doc.items() if k != "cases"}, indent=1)
    body = ",\n".join("  " + json.dumps(c) for c in cases)
    pop = ",\n".join("  " + json.dumps(c) for c in population_cases)
    out.write_text(head[:-2] + ',\n "cases": [\n' + body + '\n ],\n "population_cases": [\n'
                   + pop + "\n ]\n}\n")
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
