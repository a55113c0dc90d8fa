//! Reading safetensors weights into a libtorch variable store, whatever the prefix a family's task
//! model saved them under.

use std::collections::HashMap;
use std::path::Path;

use tch::{nn, Kind, Tensor};

use super::ModelError;

/// Which family a directory holds, as named by `config.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Bert,
    Roberta,
    DebertaV2,
}

/// Copies safetensors weights into the variable store, accepting bare names and task prefixes.
pub(crate) fn load_weights(vs: &mut nn::VarStore, path: &Path, family: Family) -> Result<(), ModelError> {
    load_weights_where(vs, path, family, |_| true)
}

/// As [`load_weights`], for the variables `required` selects; the others keep their values.
pub(crate) fn load_weights_where(
    vs: &mut nn::VarStore,
    path: &Path,
    family: Family,
    required: impl Fn(&str) -> bool,
) -> Result<(), ModelError> {
    let prefix = match family {
        Family::Bert => "bert.",
        Family::Roberta => "roberta.",
        Family::DebertaV2 => "deberta.",
    };
    let wanted: std::collections::HashSet<String> =
        vs.variables().into_keys().filter(|n| required(n)).flat_map(|n| [format!("{prefix}{n}"), n]).collect();
    let tensors = read_safetensors(path, |name| wanted.contains(name))?;
    let mut missing = Vec::new();
    tch::no_grad(|| -> Result<(), ModelError> {
        for (name, mut var) in vs.variables().into_iter().filter(|(n, _)| required(n)) {
            let source = tensors.get(&name).or_else(|| tensors.get(&format!("{prefix}{name}")));
            match source {
                Some(src) if src.size() == var.size() => var.f_copy_(&src.to_kind(var.kind()))?,
                Some(src) => {
                    return Err(ModelError::Format(format!(
                        "{}: tensor {name} has shape {:?}, the network expects {:?}",
                        path.display(),
                        src.size(),
                        var.size()
                    )))
                }
                None => missing.push(name),
            }
        }
        Ok(())
    })?;
    if !missing.is_empty() {
        missing.sort();
        return Err(ModelError::Format(format!(
            "{}: {} weights missing, for example {}",
            path.display(),
            missing.len(),
            missing.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
        )));
    }
    Ok(())
}

/// The tensors of a safetensors file that `keep` selects, read through a memory map: only those
/// are copied into memory (a head's few layers need not load the whole model file).
pub(crate) fn read_safetensors(path: &Path, keep: impl Fn(&str) -> bool) -> Result<HashMap<String, Tensor>, ModelError> {
    let file = std::fs::File::open(path).map_err(|e| ModelError::io(path, e))?;
    // SAFETY: the map is read-only and dropped before returning; the file is not written meanwhile.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| ModelError::io(path, e))?;
    let bad = |e: safetensors::SafeTensorError| ModelError::Format(format!("{}: {e}", path.display()));
    let st = safetensors::SafeTensors::deserialize(&map).map_err(bad)?;
    let mut out = HashMap::new();
    for name in st.names().into_iter().filter(|n| keep(n)) {
        let view = st.tensor(name).map_err(bad)?;
        let kind = match view.dtype() {
            safetensors::Dtype::F32 => Kind::Float,
            safetensors::Dtype::F16 => Kind::Half,
            safetensors::Dtype::BF16 => Kind::BFloat16,
            safetensors::Dtype::F64 => Kind::Double,
            safetensors::Dtype::I64 => Kind::Int64,
            safetensors::Dtype::I32 => Kind::Int,
            other => return Err(ModelError::Format(format!("{}: tensor {name} has unsupported type {other:?}", path.display()))),
        };
        let shape: Vec<i64> = view.shape().iter().map(|&d| d as i64).collect();
        out.insert(name.clone(), Tensor::f_from_data_size(view.data(), &shape, kind)?);
    }
    Ok(out)
}
