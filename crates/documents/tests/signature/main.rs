//! Enveloped XML signatures: signing in DigiLocker's shape, verification, every attack the
//! verifier must catch, and a differential comparison with the `xmlsec1` reference tool.

mod attacks;
mod fixtures;
mod hostile_xml;
mod identities;
mod roundtrip;
mod signers;
mod trust_attacks;
mod xmlsec1;
mod xmlsec1_cases;
