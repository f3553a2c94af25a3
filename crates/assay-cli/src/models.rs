//! Loading any model the CLI can score: the formats of assay-model, plus mitigated models
//! (`assay.mitigated/1`, from assay-mitigation, which assay-model cannot depend on).

use std::path::Path;

use assay_mitigation::MitigatedModel;
use assay_model::Model;

/// Loads the model at `path`, detecting its format.
pub fn load(path: &Path) -> Result<Box<dyn Model>, String> {
    if MitigatedModel::is_mitigated(path) {
        return MitigatedModel::load(path)
            .map(|m| Box::new(m) as Box<dyn Model>)
            .map_err(|e| e.to_string());
    }
    assay_model::load_model(path, None).map_err(|e| e.to_string())
}
