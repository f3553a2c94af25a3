//! Shapley-value attributions (Lundberg & Lee 2017, "A Unified Approach to Interpreting Model Predictions").

pub mod kernel;
pub(crate) mod kernel_exact;
pub(crate) mod kernel_linalg;
pub mod linear;

pub use kernel::{Background, KernelExplainer, KernelShapConfig, KernelShapValues};
pub use linear::{LinearExplainer, LinearShapValues};
pub mod tree;
pub mod tree_f32;
pub use tree::{
    group_shap_values, tree_shap, tree_shap_interactions, tree_shap_interventional,
    ShapInteractions, ShapValues,
};
