//! assay's implementations of the `ai.onnx.ml` operators tract 0.23 lacks or rejects, one file
//! per operator, and [`register`], which adds them to a tract ONNX parser.

pub mod array_feature_extractor;
pub mod binarizer;
pub mod imputer;
pub mod label_encoder;
pub mod one_hot_encoder;
pub mod scaler;
pub mod tree_ensemble;
pub mod zipmap;

/// Adds assay's operators to the parser's registry, replacing tract's TreeEnsembleClassifier
/// (which rejects the two `base_values` of scikit-learn's binary gradient boosting).
pub fn register(onnx: &mut tract_onnx::Onnx) {
    let r = &mut onnx.op_register;
    r.insert("OneHotEncoder", one_hot_encoder::parse);
    r.insert("Scaler", scaler::parse);
    r.insert("Imputer", imputer::parse);
    r.insert("ZipMap", zipmap::parse);
    r.insert("LabelEncoder", label_encoder::parse);
    r.insert("Binarizer", binarizer::parse);
    r.insert("ArrayFeatureExtractor", array_feature_extractor::parse);
    r.insert("TreeEnsembleClassifier", tree_ensemble::parse_classifier);
    r.insert("TreeEnsembleRegressor", tree_ensemble::parse_regressor);
}
