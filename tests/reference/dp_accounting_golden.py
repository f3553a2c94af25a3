"""Golden differential-privacy accounting values from Google's dp_accounting 0.6.0.

Settings: a grid of (sampling rate q, noise multiplier sigma, steps, delta) spanning
q = 0.001..1, sigma = 0.5..10, steps = 1..100,000, delta in {1e-5, 1e-6}. For each:

* RDP: `dp_accounting.rdp.RdpAccountant()` (default orders `DEFAULT_RDP_ORDERS`, neighbouring
  relation ADD_OR_REMOVE_ONE) composed with
  `SelfComposedDpEvent(PoissonSampledDpEvent(q, GaussianDpEvent(sigma)), steps)`;
  written: the orders, the RDP value at every order, `get_epsilon_and_optimal_order(delta)`.
* PLD: `dp_accounting.pld.PLDAccountant(value_discretization_interval=1e-4)` (its default;
  connect-the-dots discretisation, pessimistic) on the same event; `get_epsilon(delta)`.
  Only where the PLD computation is practical (epsilon below ~60 and the composed grid small).
* Fixed-size sampling (sampling without replacement, `SampledWithoutReplacementDpEvent`,
  neighbouring relation REPLACE_ONE) with the RDP accountant: RDP values and epsilon.
* Heterogeneous composition: subsampled Gaussians, a Gaussian, Laplace and zCDP events (RDP
  accountant; one case on custom orders), and of subsampled Gaussians with different rates and
  noise (PLD accountant).
* delta at epsilon = 1 (`get_delta(1.0)`) for every case, from both accountants.
* Non-finite values (RDP orders that dp_accounting excludes because the fractional-order
  series did not converge in 1000 terms) are written as the string "inf".
* Calibration: `dp_accounting.calibrate_dp_mechanism` for the noise multiplier reaching a target
  epsilon (tol 1e-6, bracket LowerEndpointAndGuess(0, 1)), with RDP and PLD accountants.

Environment: Python 3.11.7, dp-accounting 0.6.0, numpy 2.4.6, scipy 1.17.1, installed with

    /work/venv/bin/pip install dp-accounting==0.6.0

Run from the repository root:

    /work/venv/bin/python tests/reference/dp_accounting_golden.py

Writes tests/reference/golden/dp_accounting.json.
"""

import json
import math
import platform
import time

import dp_accounting
import numpy as np
import scipy
from dp_accounting import pld, rdp
from importlib.metadata import version

OUT = "tests/reference/golden/dp_accounting.json"
PLD_INTERVAL = 1e-4

# (q, sigma, steps, delta)
GRID = [
    (0.001, 0.5, 1, 1e-5),
    (0.001, 0.5, 1000, 1e-5),
    (0.001, 1.0, 100000, 1e-5),
    (0.001, 2.0, 100000, 1e-6),
    (0.001, 5.0, 10000, 1e-5),
    (0.001, 10.0, 100000, 1e-6),
    (0.01, 0.5, 10, 1e-5),
    (0.01, 0.8, 1000, 1e-5),
    (0.01, 1.0, 10000, 1e-5),
    (0.01, 1.1, 10000, 1e-6),
    (0.01, 2.0, 100000, 1e-5),
    (0.01, 4.0, 1000, 1e-6),
    (0.01, 10.0, 100000, 1e-5),
    (0.02, 1.3, 5000, 1e-5),
    (0.05, 0.7, 100, 1e-5),
    (0.05, 1.5, 2000, 1e-6),
    (0.1, 0.5, 1, 1e-5),
    (0.1, 1.0, 100, 1e-5),
    (0.1, 2.0, 1000, 1e-6),
    (0.1, 5.0, 10000, 1e-5),
    (0.1, 10.0, 100000, 1e-6),
    (0.25, 1.0, 10, 1e-5),
    (0.25, 3.0, 1000, 1e-5),
    (0.5, 0.5, 1, 1e-6),
    (0.5, 2.0, 100, 1e-5),
    (0.5, 5.0, 1000, 1e-6),
    (0.5, 10.0, 10000, 1e-5),
    (0.9, 1.0, 10, 1e-5),
    (0.9, 8.0, 1000, 1e-6),
    (1.0, 0.5, 1, 1e-5),
    (1.0, 1.0, 1, 1e-6),
    (1.0, 2.0, 10, 1e-5),
    (1.0, 5.0, 100, 1e-5),
    (1.0, 10.0, 1000, 1e-6),
    (1.0, 10.0, 100000, 1e-5),
    (0.004, 1.0, 100000, 1e-5),
    (0.003, 0.6, 20000, 1e-5),
    (0.0015, 3.3, 77777, 1e-6),
]

# Fixed-size sampling (without replacement): (sample_size, dataset_size, sigma, steps, delta)
WOR = [
    (100, 10000, 1.0, 1000, 1e-5),
    (256, 60000, 1.1, 10000, 1e-5),
    (1000, 10000, 2.0, 100, 1e-6),
    (50, 100, 4.0, 50, 1e-5),
    (10, 100000, 0.8, 100000, 1e-6),
]

# Calibration: (target epsilon, delta, q, steps)
CALIBRATE = [
    (1.0, 1e-5, 0.01, 1000),
    (3.0, 1e-5, 0.004, 10000),
    (8.0, 1e-5, 0.1, 500),
    (0.5, 1e-6, 0.001, 100000),
    (2.0, 1e-5, 1.0, 10),
]
CALIBRATE_PLD = [
    (1.0, 1e-5, 0.01, 1000),
    (8.0, 1e-5, 0.1, 500),
    (2.0, 1e-5, 1.0, 10),
]


def num(v):
    """A float for JSON: +/-infinity (an order excluded by dp_accounting) as the string "inf"."""
    v = float(v)
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def event(q, sigma, steps):
    return dp_accounting.SelfComposedDpEvent(
        dp_accounting.PoissonSampledDpEvent(q, dp_accounting.GaussianDpEvent(sigma)), steps
    )


def rdp_case(q, sigma, steps, delta):
    acc = rdp.RdpAccountant()
    acc.compose(event(q, sigma, steps))
    eps, order = acc.get_epsilon_and_optimal_order(delta)
    return {
        "rdp": [num(v) for v in acc._rdp],
        "rdp_epsilon": num(eps),
        "rdp_optimal_order": float(order),
        "rdp_delta_at_epsilon_1": float(acc.get_delta(1.0)),
    }


def pld_case(q, sigma, steps, delta):
    acc = pld.PLDAccountant(value_discretization_interval=PLD_INTERVAL)
    acc.compose(event(q, sigma, steps))
    return {
        "pld_epsilon": float(acc.get_epsilon(delta)),
        "pld_delta_at_epsilon_1": float(acc.get_delta(1.0)),
    }


def main():
    cases = []
    for q, sigma, steps, delta in GRID:
        c = {"sampling_rate": q, "noise_multiplier": sigma, "steps": steps, "delta": delta}
        c.update(rdp_case(q, sigma, steps, delta))
        if c["rdp_epsilon"] < 60:
            t = time.time()
            c.update(pld_case(q, sigma, steps, delta))
            c["pld_seconds"] = round(time.time() - t, 2)
        else:
            c["pld_epsilon"] = None
            c["pld_delta_at_epsilon_1"] = None
        print(q, sigma, steps, delta, c["rdp_epsilon"], c["pld_epsilon"], flush=True)
        cases.append(c)

    wor = []
    for m, n, sigma, steps, delta in WOR:
        acc = rdp.RdpAccountant(neighboring_relation=dp_accounting.NeighboringRelation.REPLACE_ONE)
        acc.compose(
            dp_accounting.SelfComposedDpEvent(
                dp_accounting.SampledWithoutReplacementDpEvent(
                    n, m, dp_accounting.GaussianDpEvent(sigma)
                ),
                steps,
            )
        )
        eps, order = acc.get_epsilon_and_optimal_order(delta)
        wor.append(
            {
                "sample_size": m,
                "dataset_size": n,
                "noise_multiplier": sigma,
                "steps": steps,
                "delta": delta,
                "rdp": [num(v) for v in acc._rdp],
                "rdp_epsilon": num(eps),
                "rdp_optimal_order": float(order),
            }
        )

    # Heterogeneous composition with the RDP accountant.
    composed = []
    acc = rdp.RdpAccountant()
    acc.compose(event(0.01, 1.0, 1000))
    acc.compose(event(0.05, 2.0, 300))
    acc.compose(dp_accounting.GaussianDpEvent(20.0))
    acc.compose(dp_accounting.SelfComposedDpEvent(dp_accounting.LaplaceDpEvent(50.0), 3))
    composed.append(
        {
            "mechanisms": [
                {"kind": "poisson_gaussian", "sampling_rate": 0.01, "noise_multiplier": 1.0, "steps": 1000},
                {"kind": "poisson_gaussian", "sampling_rate": 0.05, "noise_multiplier": 2.0, "steps": 300},
                {"kind": "gaussian", "noise_multiplier": 20.0, "steps": 1},
                {"kind": "laplace", "noise_multiplier": 50.0, "steps": 3},
            ],
            "delta": 1e-5,
            "rdp": [num(v) for v in acc._rdp],
            "rdp_epsilon": float(acc.get_epsilon(1e-5)),
        }
    )

    # zCDP and Laplace events, on custom orders (one below 1.1, where the Laplace RDP uses a
    # series).
    orders = [1.05, 1.5, 2.0, 3.5, 10.0, 64.0, 300.0]
    acc = rdp.RdpAccountant(orders=orders)
    acc.compose(dp_accounting.SelfComposedDpEvent(dp_accounting.LaplaceDpEvent(2.0), 5))
    acc.compose(dp_accounting.ZCDpEvent(0.05, 0.0))
    acc.compose(dp_accounting.ZCDpEvent(0.01, 0.002))
    acc.compose(event(0.02, 1.2, 50))
    composed.append(
        {
            "orders": orders,
            "mechanisms": [
                {"kind": "laplace", "noise_multiplier": 2.0, "steps": 5},
                {"kind": "zcdp", "rho": 0.05, "xi": 0.0, "steps": 1},
                {"kind": "zcdp", "rho": 0.01, "xi": 0.002, "steps": 1},
                {"kind": "poisson_gaussian", "sampling_rate": 0.02, "noise_multiplier": 1.2, "steps": 50},
            ],
            "delta": 1e-6,
            "rdp": [num(v) for v in acc._rdp],
            "rdp_epsilon": float(acc.get_epsilon(1e-6)),
        }
    )

    # Heterogeneous composition with the PLD accountant.
    pld_composed = []
    for parts, delta in [
        ([(0.01, 1.0, 1000), (0.05, 2.0, 300), (1.0, 20.0, 1)], 1e-5),
        ([(0.001, 0.8, 20000), (0.1, 3.0, 100)], 1e-6),
    ]:
        acc = pld.PLDAccountant(value_discretization_interval=PLD_INTERVAL)
        for q, sigma, steps in parts:
            acc.compose(event(q, sigma, steps))
        pld_composed.append(
            {
                "mechanisms": [
                    {"sampling_rate": q, "noise_multiplier": sigma, "steps": steps}
                    for q, sigma, steps in parts
                ],
                "delta": delta,
                "pld_epsilon": float(acc.get_epsilon(delta)),
                "pld_delta_at_epsilon_1": float(acc.get_delta(1.0)),
            }
        )

    calib = []
    for eps, delta, q, steps in CALIBRATE:
        sigma = dp_accounting.calibrate_dp_mechanism(
            rdp.RdpAccountant, lambda s: event(q, s, steps), eps, delta
        )
        calib.append(
            {"accountant": "rdp", "epsilon": eps, "delta": delta, "sampling_rate": q,
             "steps": steps, "noise_multiplier": float(sigma)}
        )
    for eps, delta, q, steps in CALIBRATE_PLD:
        sigma = dp_accounting.calibrate_dp_mechanism(
            lambda: pld.PLDAccountant(value_discretization_interval=PLD_INTERVAL),
            lambda s: event(q, s, steps),
            eps,
            delta,
            tol=1e-6,
        )
        calib.append(
            {"accountant": "pld", "epsilon": eps, "delta": delta, "sampling_rate": q,
             "steps": steps, "noise_multiplier": float(sigma), "tol": 1e-6}
        )
        print("calibrated", eps, delta, q, steps, sigma, flush=True)

    out = {
        "versions": {
            "python": platform.python_version(),
            "dp_accounting": version("dp-accounting"),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
        },
        "orders": [float(o) for o in rdp.rdp_privacy_accountant.DEFAULT_RDP_ORDERS],
        "pld_value_discretization_interval": PLD_INTERVAL,
        "cases": cases,
        "without_replacement": wor,
        "composed": composed,
        "pld_composed": pld_composed,
        "calibration": calib,
    }
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, allow_nan=False)
        f.write("\n")


if __name__ == "__main__":
    main()
