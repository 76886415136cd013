//! Reading the simulator's pages: each has exactly one `<form>`, whose fields are found by their
//! documented names (see the simulator's automation contract).

use url::Url;

/// The one form of a simulator page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// Where the form posts to, resolved against the page's URL.
    pub action: Url,
    /// Hidden fields and their values (`request_id`), sent back as they are.
    pub hidden: Vec<(String, String)>,
    /// The names of every input and button of the form.
    pub inputs: Vec<String>,
    /// The values of the `doc` checkboxes that are ticked by default.
    pub checked_docs: Vec<String>,
}

impl Form {
    /// Whether the form has a field called `name`.
    pub fn has(&self, name: &str) -> bool {
        self.inputs.iter().any(|i| i == name)
    }
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!("{name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The first form of `html`, a page served at `page`.
pub fn parse_form(html: &str, page: &Url) -> Option<Form> {
    let start = html.find("<form")?;
    let end = html[start..].find("</form>")? + start;
    let form = &html[start..end];
    let open_tag = &form[..form.find('>')?];
    let action = page
        .join(&attr(open_tag, "action").unwrap_or_default())
        .ok()?;
    let (mut hidden, mut inputs, mut checked_docs) = (Vec::new(), Vec::new(), Vec::new());
    for piece in form
        .split("<input")
        .skip(1)
        .chain(form.split("<button").skip(1))
    {
        let tag = &piece[..piece.find('>').unwrap_or(piece.len())];
        let Some(name) = attr(tag, "name") else {
            continue;
        };
        if attr(tag, "type").as_deref() == Some("hidden") {
            hidden.push((name.clone(), attr(tag, "value").unwrap_or_default()));
        }
        if name == "doc" && tag.contains("checked") {
            checked_docs.push(attr(tag, "value").unwrap_or_default());
        }
        inputs.push(name);
    }
    Some(Form {
        action,
        hidden,
        inputs,
        checked_docs,
    })
}

/// The text of the page's error alert (`<div class="error" role="alert">`), if it shows one.
pub fn alert(html: &str) -> Option<String> {
    let start = html.find("role=\"alert\"")?;
    let text = &html[start..];
    let text = &text[text.find('>')? + 1..];
    Some(unescape(&text[..text.find('<').unwrap_or(text.len())]))
}

/// The page's `<title>`, to name a page that was not expected.
pub fn title(html: &str) -> Option<String> {
    let start = html.find("<title>")? + "<title>".len();
    let end = html[start..].find("</title>")? + start;
    Some(unescape(&html[start..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONSENT: &str = r#"<html><head><title>Consent - DigiLocker</title></head><body>
        <div class="error" role="alert">Tick at least one &amp; try again</div>
        <form method="post" action="authorize">
        <input type="hidden" name="request_id" value="0123abcd">
        <label><input type="checkbox" name="doc" value="ADHAR" checked> Aadhaar</label>
        <label><input type="checkbox" name="doc" value="PANCR"> PAN</label>
        <button type="submit" name="decision" value="allow">Allow</button>
        <button type="submit" name="decision" value="deny">Deny</button>
        </form></body></html>"#;

    #[test]
    fn a_consent_page_yields_its_action_hidden_fields_and_ticked_documents() {
        let page = Url::parse("http://sim.test/public/oauth2/1/authorize?state=x").unwrap();
        let form = parse_form(CONSENT, &page).unwrap();
        assert_eq!(
            form.action.as_str(),
            "http://sim.test/public/oauth2/1/authorize"
        );
        assert_eq!(form.hidden, vec![("request_id".into(), "0123abcd".into())]);
        assert_eq!(form.checked_docs, vec!["ADHAR".to_owned()]);
        assert!(form.has("decision") && form.has("doc") && !form.has("otp"));
    }

    #[test]
    fn the_alert_and_title_are_read_as_text() {
        assert_eq!(
            alert(CONSENT).as_deref(),
            Some("Tick at least one & try again")
        );
        assert_eq!(title(CONSENT).as_deref(), Some("Consent - DigiLocker"));
        assert_eq!(alert("<p>fine</p>"), None);
    }
}
