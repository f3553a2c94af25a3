//! Post-processing: methods that change the decisions of a fitted scorer, using the sensitive
//! feature at decision time.
//!
//! * [`threshold_optimizer`]: Hardt, Price & Srebro (2016), as Fairlearn 0.15's
//!   `ThresholdOptimizer` (prefit): group-specific randomised thresholds under demographic
//!   parity, equalized odds or a rate parity.
//! * [`reject_option`]: reject-option classification (Kamiran, Karim & Zhang 2012), as
//!   AIF360's `RejectOptionClassification`.
//! * [`calibration`]: per-group Platt scaling and isotonic regression (as scikit-learn's
//!   `CalibratedClassifierCV` methods `sigmoid` / `isotonic`) and calibration curves (as
//!   scikit-learn's `calibration_curve`).

mod common;

pub mod calibration;
pub mod reject_option;
pub mod threshold_optimizer;

pub use calibration::{
    calibration_curve, group_calibration_curves, BinStrategy, CalibrationCurve, CalibrationMethod,
    Calibrator, GroupCalibrator, IsotonicCalibrator, PlattCalibrator,
};
pub use reject_option::{FairnessMetric, RejectOption, RejectOptionClassifier};
pub use threshold_optimizer::{
    Constraint, GroupInterpolation, GroupThresholds, Objective, Operator, RateMetric,
    ThresholdOperation, ThresholdOptimizer, Tradeoff,
};
