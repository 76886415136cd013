//! DigiLocker documents: enveloped XML signatures as DigiLocker makes them (signing for the
//! simulator, verification for the gateway), parsing into one normalised model per document
//! type, and cross-document checks.

pub mod checks;
pub mod model;
pub mod parse;
pub mod signature;
