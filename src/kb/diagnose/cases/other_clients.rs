//! Clients too rare for a file of their own, each quoting a status.

use super::Case;
use crate::domain::ErrorCode::*;

/// Other clients quoting a status: Raku's Cro::HTTP (croservices/cro-http
/// #163), Dart's oauth2_client (teranetsrl/oauth2_client #145), a Go tool
/// wrapping an API (stevegt/grokker), a Python app's own wrapper
/// (toconnell/kdm-manager #451), OpenBMC's REST tests
/// (openbmc/openbmc-test-automation #754), the OneDrive client for Linux
/// (abraunegg/onedrive #2390).
pub(super) const OTHER_CLIENTS: &[Case] = &[
    (
        "Server responded with 404 Not Found",
        Some(NotFound),
        Some(404),
    ),
    (
        "Exception: Provider error 401: invalid_client: Unauthorized",
        Some(Unauthorized),
        Some(401),
    ),
    (
        "Perplexity API returned status 401: <html>\n<head><title>401 Authorization Required</title></head>",
        Some(Unauthorized),
        Some(401),
    ),
    (
        "RuntimeError: An API error caused survivor creation to fail! API response was: 413 - Request Entity Too Large",
        Some(PayloadTooLarge),
        Some(413),
    ),
    (
        "Response code:415, Content:{\n     \"data\": {\n             \"description\": \"Expecting content type 'application/octet-stream', got 'application/json'\"\n             },\n     \"message\": \"415 Unsupported Media Type\",\n     \"status\": \"error\"\n     }",
        Some(UnsupportedMediaType),
        Some(415),
    ),
    (
        "HTTP request returned status code 409 (Conflict)",
        Some(Conflict),
        Some(409),
    ),
];
