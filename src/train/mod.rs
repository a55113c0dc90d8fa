//! Training above the product's runtime path: what the runtime loads, this writes. The heads'
//! fitting lives with the heads ([`crate::heads`]); the tagger's, which measures itself with
//! [`crate::eval`], lives here so that the runtime never imports evaluation.

pub mod relation;
pub mod tagger;
