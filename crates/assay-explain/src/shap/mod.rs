//! Shapley-value attributions (Lundberg & Lee 2017, "A Unified Approach to Interpreting Model Predictions").

pub mod kernel;
pub(crate) mod kernel_linalg;
pub mod linear;

pub use kernel::{Background, KernelExplainer, KernelShapConfig, KernelShapValues};
pub use linear::{LinearExplainer, LinearShapValues};
