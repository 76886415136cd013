//! The schemas derive cannot say by itself (the `openapi` feature): a field that is a `String`
//! on the wire type but takes a fixed set of words, named by `#[schema(schema_with = …)]`.
//! Each word list comes from the domain or from the constant the handlers write.

use crate::init::INIT_ENTITY;
use crate::verify::VERIFY_ENTITY;
use crate::{DocType, SDK_SESSION_ENTITY, SDK_SESSION_REQUEST_ENTITY};
use utoipa::openapi::schema::{
    AdditionalProperties, AllOfBuilder, AnyOfBuilder, ArrayBuilder, Object, ObjectBuilder, Ref,
    Schema, SchemaType, Type,
};
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

/// A string that is one of `words`, described.
pub(crate) fn words<'a>(words: impl IntoIterator<Item = &'a str>, description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(words))
        .description(Some(description))
        .build()
}

/// An `@entity` tag: one fixed string per body, as Sandbox names it.
macro_rules! entity_schemas {
    ($($name:ident => [$($tag:expr),+]),+ $(,)?) => {
        $(
            #[doc = concat!("The `@entity` schema of `", stringify!($name), "`.")]
            pub(crate) fn $name() -> Object {
                words([$($tag),+], "Sandbox's type tag of this object.")
            }
        )+
    };
}

entity_schemas! {
    init_request_entity => [INIT_ENTITY],
    verify_request_entity => [VERIFY_ENTITY],
    sdk_request_entity => [SDK_SESSION_REQUEST_ENTITY],
    init_response_entity => [super::INIT_RESPONSE_ENTITY],
    session_entity => [super::SESSION_ENTITY, SDK_SESSION_ENTITY],
    sdk_session_entity => [SDK_SESSION_ENTITY],
    erasure_entity => [super::ERASURE_ENTITY],
    verification_entity => [super::USER_VERIFICATION_ENTITY],
    profile_entity => [super::PROFILE_ENTITY],
    file_entity => [super::FILE_ENTITY],
    checks_entity => [super::CHECKS_ENTITY],
}

/// `doc_types` of a request: one to three document types, none twice.
pub(crate) fn doc_types() -> ArrayBuilder {
    ArrayBuilder::new()
        .items(Ref::from_schema_name(DocType::name()))
        .min_items(Some(1))
        .max_items(Some(3))
        .unique_items(true)
        .description(Some("The documents asked for: one to three, none twice."))
}

/// `VerifyUserBody`: at least one of `aadhaar_number` and `mobile` (Sandbox's `anyOf`).
impl utoipa::PartialSchema for super::VerifyUserBody {
    fn schema() -> RefOr<Schema> {
        let digits = |n: usize, about: &str| {
            ObjectBuilder::new()
                .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                .pattern(Some(format!("^[0-9]{{{n}}}$")))
                .description(Some(about))
        };
        // Present as a string: `null` counts as absent.
        let with = |field: &str| {
            ObjectBuilder::new()
                .property(field, ObjectBuilder::new().schema_type(Type::String))
                .required(field)
        };
        let fields = ObjectBuilder::new()
            .property("@entity", verify_request_entity())
            .property(
                "aadhaar_number",
                digits(
                    12,
                    "A 12-digit Aadhaar number, used for the lookup only and never stored.",
                ),
            )
            .property("mobile", digits(10, "A 10-digit mobile number."))
            .required("@entity");
        let one_of_the_numbers = AnyOfBuilder::new()
            .item(with("aadhaar_number"))
            .item(with("mobile"));
        AllOfBuilder::new()
            .description(Some(
                "`POST /kyc/digilocker/user/verify`'s body: at least one of `aadhaar_number` and \
                 `mobile`; the Aadhaar number wins when both are given. A field sent as `null` \
                 counts as absent.",
            ))
            .item(fields)
            .item(one_of_the_numbers)
            .into()
    }
}

impl utoipa::ToSchema for super::VerifyUserBody {}

/// `UserProfile::gender`.
pub(crate) fn gender() -> Object {
    words(
        ["male", "female", "transgender", ""],
        "`male`, `female`, `transgender`, or empty when DigiLocker did not say.",
    )
}

/// How a check (or all of them) came out.
pub(crate) fn check_outcome() -> Object {
    words(
        ["match", "partial", "mismatch", "insufficient"],
        "`match`, `partial`, `mismatch` or `insufficient`.",
    )
}

/// How far a source of the check report can be relied on.
pub(crate) fn standing() -> Object {
    words(
        ["verified", "unverified", "failed", "unsigned", "claimed"],
        "`verified`, `unverified`, `failed`, `unsigned` or `claimed`.",
    )
}

/// `CheckReport::fields`, as the documents crate's `FieldCheck` writes it.
pub(crate) fn check_fields() -> ArrayBuilder {
    let string = || ObjectBuilder::new().schema_type(Type::String);
    let value = ObjectBuilder::new()
        .property("counted", ObjectBuilder::new().schema_type(Type::Boolean))
        .property("source", string())
        .property("standing", standing())
        .property("value", string())
        .required("counted")
        .required("source")
        .required("standing")
        .required("value");
    let field = ObjectBuilder::new()
        .property(
            "field",
            words(["name", "date_of_birth", "gender"], "The field compared."),
        )
        .property("outcome", check_outcome())
        .property("reason", string().description(Some("Why, in words.")))
        .property(
            "score",
            ObjectBuilder::new()
                .schema_type(Type::Number)
                .minimum(Some(0))
                .maximum(Some(1)),
        )
        .property("values", ArrayBuilder::new().items(value))
        .required("field")
        .required("outcome")
        .required("reason")
        .required("score")
        .required("values");
    ArrayBuilder::new().items(field).description(Some(
        "One comparison per field: name, date of birth, gender.",
    ))
}

/// `SdkSessionCreated::status`.
pub(crate) fn created() -> Object {
    words(["created"], "`created`.")
}

/// `EndpointRemoved::removed`.
pub(crate) fn always_true() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Boolean)
        .enum_values(Some([true]))
        .description(Some("Always `true`."))
        .build()
}

/// `Readiness::status`.
pub(crate) fn readiness() -> Object {
    words(
        ["ready", "not_ready"],
        "`ready`, or `not_ready` (then 503).",
    )
}

/// `Readiness::database`.
pub(crate) fn database() -> Object {
    words(
        ["ok", "unreachable", "not_migrated"],
        "The database: answers with digigate's tables (`ok`), `unreachable`, or lacks the tables (`not_migrated`).",
    )
}

/// `Readiness::upstream`.
pub(crate) fn upstream() -> Object {
    words(
        ["ok", "circuit_half_open", "circuit_open"],
        "DigiLocker as the circuit breaker sees it (the worst circuit); never makes the instance unready.",
    )
}

/// `Readiness::circuits`.
pub(crate) fn circuits() -> Object {
    ObjectBuilder::new()
        .additional_properties(Some(AdditionalProperties::RefOr(RefOr::T(Schema::Object(
            words(["closed", "half_open", "open"], "The circuit's state."),
        )))))
        .description(Some(
            "Each circuit to DigiLocker (`token`, `account`, `documents`) and its state.",
        ))
        .build()
}

/// `WebhookDeliveryAttempt::delivery_state`.
pub(crate) fn delivery_state() -> Object {
    words(
        ["pending", "delivered", "abandoned"],
        "The delivery's state after its last update.",
    )
}
