//! The JSON Schemas of the OpenAPI description: request bodies exactly as Sandbox documents
//! them, the two envelopes, and the `data` of each answer. Enumerations come from the domain
//! types where the domain has them.

use digigate_core::init::INIT_ENTITY;
use digigate_core::verify::VERIFY_ENTITY;
use digigate_core::{DocType, FailureReason, Flow, SessionStatus, VerificationMethod};
use digigate_core::{SDK_SESSION_ENTITY, SDK_SESSION_REQUEST_ENTITY};
use serde_json::{json, Value};

/// Sign-up verification methods Sandbox lists for `options.verification_method`.
pub fn verification_methods() -> [&'static str; 7] {
    VerificationMethod::ALL.map(VerificationMethod::as_str)
}

fn doc_types() -> Vec<&'static str> {
    DocType::ALL.iter().map(|d| d.as_str()).collect()
}

fn statuses() -> Vec<&'static str> {
    use SessionStatus::*;
    [Created, Initialized, Authorized, Succeeded, Failed, Expired]
        .map(SessionStatus::as_str)
        .to_vec()
}

fn failure_reasons() -> Vec<&'static str> {
    FailureReason::ALL.map(FailureReason::as_str).to_vec()
}

fn entity(tag: &str) -> Value {
    json!({ "type": "string", "enum": [tag] })
}

/// Every schema under `components.schemas`, by name.
pub fn components() -> Value {
    let mut c = json!({
        "DocType": { "type": "string", "enum": doc_types() },
        "SuccessEnvelope": {
            "type": "object",
            "description": "Every successful API answer; `data` is described per operation.",
            "required": ["code", "timestamp", "transaction_id", "data"],
            "additionalProperties": false,
            "properties": {
                "code": { "type": "integer", "enum": [200] },
                "timestamp": { "type": "integer", "description": "When the answer was made, Unix milliseconds." },
                "transaction_id": { "type": "string", "format": "uuid" },
                "data": { "type": "object" }
            }
        },
        "Error": {
            "type": "object",
            "description": "Every error answer of the API (no `data`).",
            "required": ["code", "message", "timestamp", "transaction_id"],
            "additionalProperties": false,
            "properties": {
                "code": { "type": "integer", "description": "The HTTP status." },
                "message": { "type": "string" },
                "timestamp": { "type": "integer", "description": "Unix milliseconds." },
                "transaction_id": { "type": "string", "format": "uuid" }
            }
        },
        "InitSessionRequest": init_request(),
        "VerifyUserRequest": verify_request(),
        "AuthenticateData": {
            "type": "object",
            "required": ["access_token"],
            "properties": {
                "access_token": { "type": "string", "description": "A JWT; send it as is in `authorization`." }
            }
        },
        "VerifyUserData": {
            "type": "object",
            "required": ["@entity", "user_exists"],
            "properties": {
                "@entity": entity("in.co.sandbox.kyc.digilocker.user.verification.response"),
                "user_exists": { "type": "boolean" }
            }
        },
        "InitSessionData": {
            "type": "object",
            "required": ["@entity", "authorization_url", "session_id"],
            "properties": {
                "@entity": entity("in.co.sandbox.kyc.digilocker.session.response"),
                "authorization_url": { "type": "string", "format": "uri" },
                "session_id": { "type": "string", "format": "uuid" }
            }
        },
        "SessionStatusData": {
            "type": "object",
            "required": ["@entity", "id", "status", "created_at", "updated_at", "history"],
            "properties": {
                "@entity": entity("in.co.sandbox.kyc.digilocker.session"),
                "id": { "type": "string", "format": "uuid" },
                "status": { "type": "string", "enum": statuses() },
                "created_at": { "type": "integer" },
                "updated_at": { "type": "integer" },
                "documents_consented": { "type": "array", "items": { "$ref": "#/components/schemas/DocType" } },
                "documents_missing": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["doc_type", "reason"],
                        "properties": {
                            "doc_type": { "$ref": "#/components/schemas/DocType" },
                            "reason": { "type": "string" }
                        }
                    }
                },
                "erased_at": { "type": "integer" },
                "reason": { "type": "string", "enum": failure_reasons() },
                "retryable": {
                    "type": "boolean",
                    "description": "With `reason`: whether a new session for the same person may end differently (docs/lifecycle.md lists each reason)."
                },
                "history": {
                    "type": "array",
                    "description": "Every status the session has had, oldest first: `created` at its creation, then one entry per transition.",
                    "items": {
                        "type": "object",
                        "required": ["status", "at"],
                        "properties": {
                            "status": { "type": "string", "enum": statuses() },
                            "at": { "type": "integer", "description": "Epoch milliseconds." }
                        }
                    }
                }
            }
        },
        "UserProfileData": {
            "type": "object",
            "required": ["@entity", "id", "name", "date_of_birth", "gender", "eaadhaar", "mobile", "email"],
            "properties": {
                "@entity": entity("in.co.sandbox.kyc.digilocker.user.profile"),
                "id": { "type": "string", "description": "The DigiLocker id of the person." },
                "name": { "type": "string" },
                "date_of_birth": { "type": "string", "description": "`DD/MM/YYYY`, or empty when unknown." },
                "gender": { "type": "string", "enum": ["male", "female", "transgender", ""] },
                "eaadhaar": { "type": "boolean" },
                "mobile": { "type": "string" },
                "email": { "type": "string" }
            }
        },
        "DocumentData": {
            "type": "object",
            "required": ["files", "document", "verification", "verified"],
            "properties": {
                "document": {
                    "type": ["object", "null"],
                    "description": "digigate's addition: the document's fields, normalised (the photo only with `include=photo`)."
                },
                "verification": {
                    "type": ["object", "null"],
                    "description": "digigate's addition: how the document's signature and integrity were verified."
                },
                "verified": {
                    "type": "boolean",
                    "description": "digigate's addition: true only when `verification.status` is `verified`."
                },
                "warning": {
                    "type": "string",
                    "description": "digigate's addition, present when the document is not verified: why its contents must not be relied on."
                },
                "files": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["@entity", "url", "size", "metadata"],
                        "properties": {
                            "@entity": entity("org.quicko.drive.file"),
                            "url": { "type": "string", "format": "uri", "description": "A signed digigate link, valid for minutes." },
                            "size": { "type": "integer", "minimum": 0 },
                            "metadata": {
                                "type": "object",
                                "required": ["ContentType", "issuer_id", "issuer", "LastModified", "description"],
                                "properties": {
                                    "ContentType": { "type": "string" },
                                    "issuer_id": { "type": "string" },
                                    "issuer": { "type": "string" },
                                    "LastModified": { "type": "string", "description": "`DD/MM/YYYY`." },
                                    "description": { "type": "string" }
                                }
                            }
                        }
                    }
                }
            }
        },
        "SessionChecksData": {
            "type": "object",
            "required": ["@entity", "session_id", "outcome", "fields", "sources", "standings"],
            "properties": {
                "@entity": entity("in.co.digigate.kyc.digilocker.checks"),
                "session_id": { "type": "string" },
                "outcome": { "$ref": "#/components/schemas/CheckOutcome" },
                "fields": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["field", "values", "score", "outcome", "reason"],
                        "properties": {
                            "field": { "type": "string", "enum": ["name", "date_of_birth", "gender"] },
                            "values": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["source", "value", "standing", "counted"],
                                    "properties": {
                                        "source": { "type": "string" },
                                        "value": { "type": "string" },
                                        "standing": { "$ref": "#/components/schemas/SourceStanding" },
                                        "counted": { "type": "boolean" }
                                    }
                                }
                            },
                            "score": { "type": "number", "minimum": 0, "maximum": 1 },
                            "outcome": { "$ref": "#/components/schemas/CheckOutcome" },
                            "reason": { "type": "string" }
                        }
                    }
                },
                "sources": { "type": "array", "items": { "type": "string" } },
                "standings": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["source", "standing"],
                        "properties": {
                            "source": { "type": "string" },
                            "standing": { "$ref": "#/components/schemas/SourceStanding" }
                        }
                    }
                }
            }
        },
        "CheckOutcome": { "type": "string", "enum": ["match", "partial", "mismatch", "insufficient"] },
        "SourceStanding": { "type": "string", "enum": ["verified", "unverified", "failed", "unsigned", "claimed"] },
        "SessionErasureData": {
            "type": "object",
            "required": ["@entity", "session_id", "erased_at"],
            "properties": {
                "@entity": { "type": "string" },
                "session_id": { "type": "string" },
                "erased_at": { "type": "integer", "description": "When the data was erased, Unix milliseconds." }
            }
        }
    });
    let mut sdk_status = c["SessionStatusData"].clone();
    sdk_status["properties"]["@entity"] = entity(SDK_SESSION_ENTITY);
    c["SdkSessionStatusData"] = sdk_status;
    c["SdkSessionRequest"] = sdk_request();
    c["SdkSessionData"] = json!({
        "type": "object",
        "required": ["@entity", "id", "status", "created_at"],
        "properties": {
            "@entity": entity(SDK_SESSION_ENTITY),
            "id": { "type": "string", "format": "uuid", "description": "The session id the web SDK opens." },
            "status": { "type": "string", "enum": ["created"] },
            "created_at": { "type": "integer", "description": "Unix milliseconds." }
        }
    });
    c
}

/// The body of `POST /kyc/digilocker-sdk/sessions/create`, as Sandbox documents it (no
/// `redirect_url`, no `options`, nothing else).
fn sdk_request() -> Value {
    let mut body = init_request();
    body["required"] = json!(["@entity", "flow", "doc_types"]);
    body["additionalProperties"] = json!(false);
    body["description"] =
        json!("Sandbox's SDK session body: init's `flow` and `doc_types`, and no other field.");
    let props = body["properties"]
        .as_object_mut()
        .expect("init's properties");
    props.retain(|k, _| matches!(k.as_str(), "@entity" | "flow" | "doc_types"));
    props.insert("@entity".into(), entity(SDK_SESSION_REQUEST_ENTITY));
    body
}

/// The body of `POST /kyc/digilocker/sessions/init`, as Sandbox documents it.
fn init_request() -> Value {
    json!({
        "type": "object",
        "required": ["@entity", "flow", "redirect_url", "doc_types"],
        "description": "Sandbox's init body. An optional field sent as `null` counts as absent.",
        "properties": {
            "@entity": entity(INIT_ENTITY),
            "flow": {
                "type": "string",
                "enum": [Flow::Signin.as_str(), Flow::Signup.as_str()],
                "description": "`signin` for existing DigiLocker users, `signup` to create an account."
            },
            "redirect_url": {
                "type": "string",
                "format": "uri",
                "pattern": "^https://",
                "maxLength": 2048,
                "description": "Where the person is sent back to. In development mode `http://localhost` is accepted too."
            },
            "doc_types": {
                "type": "array",
                "minItems": 1,
                "maxItems": 3,
                "uniqueItems": true,
                "items": { "$ref": "#/components/schemas/DocType" }
            },
            "options": {
                "type": ["object", "null"],
                "properties": {
                    "pinless": { "type": ["boolean", "null"], "description": "Sign in with OTP only (signin)." },
                    "usernameless": { "type": ["boolean", "null"], "description": "Skip username creation (signup)." },
                    "verified_mobile": { "type": ["string", "null"], "pattern": "^[6-9][0-9]{9}$" },
                    "verification_method": {
                        "type": ["array", "null"],
                        "minItems": 1,
                        "items": { "type": "string", "enum": verification_methods() }
                    }
                }
            },
            "expected": {
                "type": ["object", "null"],
                "description": "digigate's addition: details the business already holds, compared by the checks endpoint.",
                "properties": {
                    "name": { "type": ["string", "null"], "minLength": 1, "maxLength": 200 },
                    "date_of_birth": {
                        "type": ["string", "null"],
                        "description": "DD-MM-YYYY, DD/MM/YYYY, YYYY-MM-DD or YYYY."
                    },
                    "gender": {
                        "type": ["string", "null"],
                        "description": "M, F, T, male, female or transgender (any case)."
                    }
                }
            },
            "consent_expiry": {
                "type": ["integer", "null"],
                "description": "When consent lapses, Unix milliseconds (10-digit seconds are accepted too); at least one hour and at most 365 days ahead. Default: one hour."
            }
        }
    })
}

/// The body of `POST /kyc/digilocker/user/verify`, as Sandbox documents it.
fn verify_request() -> Value {
    json!({
        "type": "object",
        "required": ["@entity"],
        "description": "At least one of `aadhaar_number` and `mobile`; the Aadhaar number wins when both are given. An optional field sent as `null` counts as absent.",
        "anyOf": [
            { "required": ["aadhaar_number"], "properties": { "aadhaar_number": { "type": "string" } } },
            { "required": ["mobile"], "properties": { "mobile": { "type": "string" } } }
        ],
        "properties": {
            "@entity": entity(VERIFY_ENTITY),
            "aadhaar_number": { "type": ["string", "null"], "pattern": "^[0-9]{12}$" },
            "mobile": { "type": ["string", "null"], "pattern": "^[0-9]{10}$" }
        }
    })
}
