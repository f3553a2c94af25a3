"""Golden values for the analytic Gaussian mechanism (Balle and Wang 2018).

For each (epsilon, delta, sensitivity), sigma is the smallest standard deviation for which the
Gaussian mechanism is (epsilon, delta)-DP. It is found here with dp_accounting 0.6.0's exact
hockey-stick divergence of the Gaussian mechanism (GaussianPrivacyLoss.get_delta_for_epsilon)
and scipy's brentq to 1e-15 relative, and separately with dp_accounting's own calibration
(GaussianPrivacyLoss.from_privacy_guarantee). Writes golden/analytic_gaussian.json, read by
crates/assay-privacy/tests/samplers.rs.

    /work/venv/bin/python tests/reference/analytic_gaussian_golden.py
"""

import json
import pathlib

import dp_accounting
from dp_accounting.pld import common, privacy_loss_mechanism as plm
from scipy.optimize import brentq

SETTINGS = [
    (0.01, 1e-5, 1.0),
    (0.1, 1e-5, 1.0),
    (0.5, 1e-6, 1.0),
    (1.0, 1e-5, 1.0),
    (1.0, 1e-10, 1.0),
    (2.0, 1e-5, 3.0),
    (3.0, 1e-3, 1.0),
    (8.0, 1e-5, 1.0),
    (10.0, 1e-8, 0.25),
    (20.0, 1e-2, 1.0),
]


def delta_of(sigma, eps, sens):
    return plm.GaussianPrivacyLoss(standard_deviation=sigma, sensitivity=sens).get_delta_for_epsilon(eps)


cases = []
for eps, delta, sens in SETTINGS:
    lo, hi = 1e-6 * sens, 1e6 * sens
    sigma = brentq(lambda s: delta_of(s, eps, sens) - delta, lo, hi, xtol=1e-300, rtol=1e-15, maxiter=500)
    dpa = plm.GaussianPrivacyLoss.from_privacy_guarantee(
        common.DifferentialPrivacyParameters(eps, delta), sensitivity=sens
    ).standard_deviation
    cases.append(
        {
            "epsilon": eps,
            "delta": delta,
            "sensitivity": sens,
            "sigma": sigma,
            "sigma_dp_accounting_calibration": dpa,
        }
    )

out = pathlib.Path(__file__).parent / "golden" / "analytic_gaussian.json"
out.write_text(
    json.dumps(
        {"source": "dp_accounting 0.6.0 GaussianPrivacyLoss + scipy brentq", "cases": cases}, indent=2
    )
    + "\n"
)
print(out, len(cases))
