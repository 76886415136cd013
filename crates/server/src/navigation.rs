//! Where the browser goes next: the 303 to DigiLocker and the page that returns the person to
//! the business. A return address that cannot be sent gets [`PageError::InvalidReturnAddress`].

use crate::html::{document, secure};
use crate::page_error::PageError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};

/// The page that ends the journey: it sends the browser on to `location` (the business's
/// `redirect_url`) at once, by a `Refresh` header and a `<meta http-equiv="refresh">`, and shows
/// a link in case neither is followed.
///
/// A page rather than a 303, because the callback is reached through DigiLocker's consent form:
/// Chromium applies the submitting page's CSP `form-action` to every redirect that follows a form
/// submission, and the business's origin is not one DigiLocker's page can know. A refresh starts
/// a new navigation that no form-action governs, so the journey ends at the business whatever
/// DigiLocker's policy is. `Referrer-Policy: no-referrer` keeps the callback's URL (which held the
/// spent `code` and `state`) from the business.
pub fn forward(location: &str) -> Response {
    let host = url::Url::parse(location)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    let body = html! {
        p { "Taking you back to " strong { (host) } "." }
        p { a.continue href=(location) { "Continue to " (host) } }
    };
    refreshing_page(0, location, "Returning you to the business", body)
}

/// A page that sends the browser to `location` after `delay_secs`, by a `Refresh` header and a
/// `<meta http-equiv="refresh">` (no script), with `body` under `title`. A location that is no
/// header value gets [`PageError::InvalidReturnAddress`].
pub fn refreshing_page(delay_secs: u64, location: &str, title: &str, body: Markup) -> Response {
    let Ok(refresh) = HeaderValue::from_str(&format!("{delay_secs};url={location}")) else {
        return PageError::InvalidReturnAddress.into_response();
    };
    let head = html! { meta http-equiv="refresh" content={ (delay_secs) ";url=" (location) }; };
    let mut res = document(StatusCode::OK, title, head, body);
    res.headers_mut().insert(header::REFRESH, refresh);
    res
}

/// A redirect of the browser (303 See Other) with the page security headers.
pub fn redirect(location: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    match HeaderValue::from_str(location) {
        Ok(v) => {
            res.headers_mut().insert(header::LOCATION, v);
            secure(res)
        }
        Err(_) => PageError::InvalidReturnAddress.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forwarding_page_refreshes_to_the_escaped_address_and_links_to_it() {
        let res = forward("https://shop.example/done?session_id=a&status=succeeded");
        assert_eq!(res.status(), StatusCode::OK);
        let h = res.headers();
        assert_eq!(
            h[header::REFRESH],
            "0;url=https://shop.example/done?session_id=a&status=succeeded"
        );
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer");
        assert!(h[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'"));
    }

    #[tokio::test]
    async fn an_address_with_markup_in_it_stays_an_address_in_the_forwarding_page() {
        let hostile = "https://shop.example/done?next=\"><script>alert(1)</script>&a='b'";
        let page = crate::html::tests::body_text(forward(hostile)).await;
        assert!(!page.contains("<script>alert"), "{page}");
        let escaped = "https://shop.example/done?next=&quot;&gt;&lt;script&gt;alert(1)\
                       &lt;/script&gt;&amp;a='b'";
        assert!(
            page.contains(&format!("content=\"0;url={escaped}\"")),
            "{page}"
        );
        assert!(page.contains(&format!("href=\"{escaped}\"")), "{page}");
    }

    #[test]
    fn a_return_address_that_is_no_header_value_gets_an_error_page() {
        assert_eq!(forward("https://x/\n").status(), StatusCode::BAD_REQUEST);
    }
}
