//! The simulator over real HTTP, as a DigiLocker client and a browser would use it.

mod account;
mod authorize;
mod client_auth;
mod documents;
mod fallback;
mod helpers;
mod id_token;
mod injected;
mod journey;
mod pkce;
mod redirect_uri;
mod resources;
mod signing;
mod signup;
mod token;
mod uploaded;
