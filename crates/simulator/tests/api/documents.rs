//! Document XML shapes a DigiLocker client reads (reference §5.1, §5.2): a driving licence with
//! its present and permanent addresses, e-Aadhaar `Poa` with post office and sub-district.

use digigate_documents::parse::{parse_aadhaar, parse_driving_licence};
use digigate_simulator::{Address, Persona};
use reqwest::StatusCode;

use crate::helpers::*;

const DL_URI: &str = "/oauth2/1/xml/in.gov.transport-DRVLC-MH1220190012345";

async fn fetch_text(sim: &TestSim, path: &str, token: &str) -> String {
    let response = sim.get(path, token).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.text().await.expect("xml")
}

/// The attribute `name` of the first `<element ...>` in `xml`.
fn attribute(xml: &str, element: &str, name: &str) -> Option<String> {
    let start = xml.find(&format!("<{element} "))?;
    let tag = &xml[start..start + xml[start..].find('>')?];
    let marker = format!(" {name}=\"");
    let from = tag.find(&marker)? + marker.len();
    Some(tag[from..from + tag[from..].find('"')?].to_owned())
}

#[tokio::test]
async fn the_driving_licence_xml_carries_a_present_and_a_permanent_address() {
    let sim = spawn().await;
    let token = sim.access_token("9000000001", &["DRVLC"]).await;
    let xml = fetch_text(&sim, DL_URI, &token).await;
    let person = &xml[xml.find("<IssuedTo>").expect("IssuedTo")..];
    assert_eq!(
        attribute(person, "Address", "type").as_deref(),
        Some("present")
    );
    assert_eq!(
        attribute(person, "Address2", "type").as_deref(),
        Some("permanent")
    );
    assert_eq!(
        attribute(person, "Address", "pin").as_deref(),
        Some("411004")
    );
    assert_eq!(
        attribute(person, "Address2", "pin").as_deref(),
        Some("411004")
    );

    let licence = parse_driving_licence(xml.as_bytes()).expect("the gateway's parser reads it");
    let present = licence.present_address.expect("present address");
    let permanent = licence.permanent_address.expect("permanent address");
    assert!(
        present.contains("Karve Road") && present.contains("411004"),
        "{present}"
    );
    assert_eq!(present, permanent, "one address for both by default");
}

#[tokio::test]
async fn a_persona_permanent_address_is_served_as_the_licence_permanent_address() {
    let mut personas = Persona::built_in();
    let dl = personas[0]
        .driving_licence
        .as_mut()
        .expect("persona 1 has a DL");
    dl.permanent_address = Some(Address {
        house: "22".into(),
        street: "Civil Lines".into(),
        vtc: "Nagpur".into(),
        district: "Nagpur".into(),
        state: "Maharashtra".into(),
        pincode: "440001".into(),
        ..Address::default()
    });
    let mut config = config();
    config.personas = personas;
    let sim = spawn_with(config).await;
    let token = sim.access_token("9000000001", &["DRVLC"]).await;
    let xml = fetch_text(&sim, DL_URI, &token).await;
    let licence = parse_driving_licence(xml.as_bytes()).expect("parses");
    let present = licence.present_address.expect("present");
    let permanent = licence.permanent_address.expect("permanent");
    assert!(present.contains("411004"), "{present}");
    assert!(
        permanent.contains("Civil Lines") && permanent.contains("440001"),
        "{permanent}"
    );
}

#[tokio::test]
async fn the_e_aadhaar_poa_carries_post_office_and_sub_district() {
    let sim = spawn().await;
    let token = sim.access_token("9000000001", &["ADHAR"]).await;
    let xml = fetch_text(&sim, "/oauth2/3/xml/eaadhaar", &token).await;
    assert_eq!(attribute(&xml, "Poa", "po").as_deref(), Some("Erandwane"));
    assert_eq!(
        attribute(&xml, "Poa", "subdist").as_deref(),
        Some("Pune City")
    );
    assert!(attribute(&xml, "LData", "po").is_some());

    let aadhaar = parse_aadhaar(xml.as_bytes()).expect("the gateway's parser reads it");
    assert_eq!(aadhaar.address.post_office.as_deref(), Some("Erandwane"));
    assert_eq!(aadhaar.address.subdistrict.as_deref(), Some("Pune City"));
}
