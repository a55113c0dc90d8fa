//! How an encoder directory is meant to be used for sentence vectors: `standpoint.json`.
//!
//! Hugging Face directories do not say how their sentence vectors are formed; E5 models, for
//! instance, expect a `query: ` prefix and mean pooling. The converter writes this file next to
//! the weights; a directory without it gets mean pooling, no prefix and no normalisation.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::ModelError;

pub const FILE_NAME: &str = "standpoint.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Prepended to every text before tokenisation.
    #[serde(default)]
    pub prefix: String,
    /// Whether sentence vectors are scaled to unit length.
    #[serde(default)]
    pub normalize: bool,
    /// Where the weights came from, for the run metadata.
    #[serde(default)]
    pub source: Option<String>,
}

impl Default for Profile {
    fn default() -> Self {
        Profile { prefix: String::new(), normalize: false, source: None }
    }
}

impl Profile {
    pub fn load_or_default(dir: &Path) -> Result<Self, ModelError> {
        let path = dir.join(FILE_NAME);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| ModelError::Json { path, source }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Profile::default()),
            Err(e) => Err(ModelError::io(&path, e)),
        }
    }
}
