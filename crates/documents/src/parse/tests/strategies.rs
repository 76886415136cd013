//! Proptest generators of models and writer styles.

use super::writer::Style;
use crate::model::{
    Aadhaar, AadhaarAddress, DateOfBirth, DrivingLicence, Gender, LocalLanguage, MaskedAadhaar,
    Pan, Photo, VehicleClass,
};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use proptest::option::of;
use proptest::prelude::*;

/// Text without surrounding spaces, with XML-special characters, Devanagari and Gujarati.
pub(super) fn text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9&<>\"'/,.\u{0900}-\u{097F}\u{0A80}-\u{0AFF}-]([A-Za-z0-9 &<>\"'/,.\u{0900}-\u{097F}-]{0,20}[A-Za-z0-9&<>\"'/,.-])?"
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (1900i32..2100, 1u32..=12, 1u32..=28)
        .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).expect("day 1..=28 exists"))
}

pub(super) fn dob() -> impl Strategy<Value = DateOfBirth> {
    prop_oneof![
        date().prop_map(|d| DateOfBirth::from_date(d).expect("year in range")),
        (1900u16..2100).prop_map(|y| DateOfBirth::from_year(y).expect("year in range")),
    ]
}

pub(super) fn gender() -> impl Strategy<Value = Gender> {
    prop_oneof![
        Just(Gender::Male),
        Just(Gender::Female),
        Just(Gender::Transgender)
    ]
}

fn photo() -> impl Strategy<Value = Photo> {
    proptest::collection::vec(any::<u8>(), 0..48).prop_map(|tail| {
        let mut jpeg = vec![0xFF, 0xD8, 0xFF];
        jpeg.extend(tail);
        Photo::from_jpeg(&jpeg)
    })
}

fn date_time() -> impl Strategy<Value = NaiveDateTime> {
    (date(), 0u32..24, 0u32..60, 0u32..60)
        .prop_map(|(d, h, m, s)| d.and_time(NaiveTime::from_hms_opt(h, m, s).expect("valid time")))
}

fn issued_at() -> impl Strategy<Value = DateTime<FixedOffset>> {
    (0i64..4_000_000_000, 0u32..1000).prop_map(|(secs, ms)| {
        let ist = FixedOffset::east_opt(19_800).expect("IST");
        DateTime::from_timestamp(secs, ms * 1_000_000)
            .expect("in range")
            .with_timezone(&ist)
    })
}

fn address() -> impl Strategy<Value = AadhaarAddress> {
    let parts = (
        of(text()),
        of(text()),
        of(text()),
        of(text()),
        of(text()),
        of(text()),
    );
    let more = (
        of(text()),
        of(text()),
        of("[1-9][0-9]{5}"),
        of(text()),
        of(text()),
    );
    (parts, more).prop_map(
        |(
            (house, street, landmark, locality, vtc, subdistrict),
            (district, state, pincode, post_office, country),
        )| {
            AadhaarAddress {
                house,
                street,
                landmark,
                locality,
                vtc,
                subdistrict,
                district,
                state,
                pincode,
                post_office,
                country,
            }
        },
    )
}

pub(super) fn aadhaar() -> impl Strategy<Value = Aadhaar> {
    let local = of(
        (of("[0-9]{2}"), of(text()), of(text()), address()).prop_map(
            |(language_code, name, care_of, address)| LocalLanguage {
                language_code,
                name,
                care_of,
                address,
            },
        ),
    );
    let head = ("[0-9]{4}", text(), of(dob()), of(gender()), of(text()));
    (head, address(), local, of(photo()), of(issued_at())).prop_map(
        |(
            (last, name, date_of_birth, gender, care_of),
            address,
            local_language,
            photo,
            issued_at,
        )| Aadhaar {
            masked_number: MaskedAadhaar::from_last_four(&last).expect("four digits"),
            name,
            date_of_birth,
            gender,
            care_of,
            address,
            local_language,
            photo,
            issued_at,
        },
    )
}

pub(super) fn pan() -> impl Strategy<Value = Pan> {
    (
        "[A-Z]{5}[0-9]{4}[A-Z]",
        text(),
        of(dob()),
        of(gender()),
        of(text()),
        of(date_time()),
        of("[A-Z]"),
    )
        .prop_map(
            |(number, name, date_of_birth, gender, father_name, verified_on, status)| Pan {
                number,
                name,
                date_of_birth,
                gender,
                father_name,
                verified_on,
                status,
            },
        )
}

fn vehicle_class() -> impl Strategy<Value = VehicleClass> {
    (of("[A-Z]{2,5}"), of(text()), of("NT|TR"), of(date())).prop_map(
        |(abbreviation, description, code, issue_date)| VehicleClass {
            abbreviation,
            description,
            code,
            issue_date,
        },
    )
}

pub(super) fn driving_licence() -> impl Strategy<Value = DrivingLicence> {
    let head = (
        "[A-Z]{2}[0-9]{2} [0-9]{11}",
        text(),
        of(dob()),
        of(gender()),
    );
    let dates = (of(date()), of(date()), of(date()));
    let rest = (
        proptest::collection::vec(vehicle_class(), 0..4),
        of(text()),
        of(text()),
        of(photo()),
        of(text()),
    );
    (head, dates, rest).prop_map(
        |(
            (number, name, date_of_birth, gender),
            (issue_date, valid_from, expiry_date),
            (vehicle_classes, present_address, permanent_address, photo, issuing_authority),
        )| {
            DrivingLicence {
                number,
                name,
                date_of_birth,
                gender,
                issue_date,
                valid_from,
                expiry_date,
                vehicle_classes,
                present_address,
                permanent_address,
                photo,
                issuing_authority,
            }
        },
    )
}

pub(super) fn style() -> impl Strategy<Value = Style> {
    (
        0u8..4,
        0u8..4,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(
                date_format,
                gender_spelling,
                blank_attributes,
                gzip_photo,
                signature,
                primary_shape,
                full_uid,
            )| Style {
                date_format,
                gender_spelling,
                blank_attributes,
                gzip_photo,
                signature,
                primary_shape,
                full_uid,
            },
        )
}
