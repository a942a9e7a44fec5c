//! Text templates: error messages, recent changes, notes and replies.
//! Placeholders: see `fill`.

use crate::domain::ErrorCode;

pub(super) fn messages_for(code: ErrorCode) -> &'static [&'static str] {
    match code {
        ErrorCode::Unauthorized => &[
            "HTTP {method} failed: unauthorized (401)",
            "HTTP {method} failed: unauthorized (401)",
            "401 Unauthorized",
            "Unauthorized: the access token is invalid or has expired",
            r#"{"error":"invalid_token","error_description":"Access token expired"}"#,
            "Request failed with status code 401",
            "TrackVia API error 401: Full authentication is required to access this resource",
            "HTTP 401 Unauthorized - user_key not recognised",
            r#"401 - {"code":"UNAUTHORIZED","message":"Invalid api key"}"#,
        ],
        ErrorCode::Forbidden => &[
            "HTTP {method} failed: forbidden (403)",
            "HTTP {method} failed: forbidden (403)",
            "403 Forbidden: Access is denied",
            r#"{"errors":["User does not have permission to {verb} records in this view"],"code":403}"#,
            "Request failed with status code 403",
            "Forbidden - role '{role}' cannot {verb} records in table '{table}'",
        ],
        ErrorCode::NotFound => &[
            "HTTP {method} failed: not found (404)",
            "HTTP {method} failed: not found (404)",
            "404 Not Found",
            r#"{"message":"Record {r} not found","code":"404"}"#,
            "Request failed with status code 404",
            "View {v} does not exist or you do not have access to it (404)",
            "No route found for \"{method} {path}\"",
        ],
        ErrorCode::TooManyRequests => &[
            "HTTP {method} failed: too many requests (429)",
            "HTTP {method} failed: too many requests (429)",
            "429 Too Many Requests - API rate limit exceeded",
            r#"{"errors":["Rate limit exceeded. Try again in {n} seconds"],"code":429}"#,
            "Request failed with status code 429",
            "Too many requests: limit of {limit} calls per minute reached for this user_key",
            "TrackVia returned 429 (rate limit), {n} retries exhausted",
        ],
        ErrorCode::InternalServerError => &[
            "HTTP {method} failed: internal server error (500)",
            "HTTP {method} failed: internal server error (500)",
            "500 Internal Server Error",
            r#"{"name":"InternalServerError","message":"An unexpected error occurred","code":500}"#,
            "Request failed with status code 500",
            "Server error while saving record {r} in view {v}: java.lang.NullPointerException",
        ],
        ErrorCode::BadRequest => &[
            r#"400 Bad Request: {"errors":["Field '{field}' has an invalid value"]}"#,
            "HTTP {method} failed: bad request (400)",
            "Request failed with status code 400",
        ],
        ErrorCode::MethodNotAllowed => &[
            "HTTP {method} failed: method not allowed (405)",
            "405 Method Not Allowed",
        ],
        ErrorCode::Conflict => &[
            "HTTP {method} failed: conflict (409)",
            r#"409 Conflict: {"errors":["Record {r} was changed by another user"]}"#,
        ],
        ErrorCode::PayloadTooLarge => &[
            "Request failed with status code 413",
            "413 Payload Too Large",
        ],
        ErrorCode::UnsupportedMediaType => &[
            "HTTP {method} failed: unsupported media type (415)",
            "415 Unsupported Media Type: Content-Type 'text/plain' is not supported",
        ],
        ErrorCode::UnprocessableEntity => &[
            "422 Unprocessable Entity: required field '{field}' is missing",
            "Request failed with status code 422",
        ],
        ErrorCode::BadGateway => &["502 Bad Gateway", "Request failed with status code 502"],
        ErrorCode::ServiceUnavailable => &[
            "503 Service Unavailable",
            "HTTP {method} failed: service unavailable (503)",
        ],
        ErrorCode::GatewayTimeout => &[
            "504 Gateway Time-out",
            "Request failed with status code 504",
        ],
        ErrorCode::Timeout => &["connect ETIMEDOUT {ip}:443", "timeout of 30000ms exceeded"],
        ErrorCode::Connection => &["socket hang up", "connect ECONNREFUSED {ip}:443"],
        ErrorCode::Dns => &["getaddrinfo ENOTFOUND go.trackvia.con"],
        ErrorCode::Tls => &[
            "unable to verify the first certificate",
            "SSL certificate problem: self-signed certificate in certificate chain",
        ],
        ErrorCode::InvalidJson => &[
            "Unexpected token < in JSON at position 0",
            "Expecting value: line 1 column 1 (char 0)",
        ],
        ErrorCode::Pagination => &[
            "Export returned {n}00 records but the view shows {n}50",
            "Same record {r} appears on page 2 and page 3",
        ],
        ErrorCode::Other => &[
            "Job failed: unknown error",
            "Error: {word} step failed without a message",
        ],
    }
}

pub(super) const RECENT_CHANGES: [&str; 18] = [
    "Rotated the API access token on {date}",
    "Added a new field '{field}' to the {table} table",
    "Moved the recipe to a new Workato workspace",
    "Changed the integration user's role to {role}",
    "Nothing that I know of",
    "Started polling every {n} seconds instead of every 5 minutes",
    "Switched the connection from sandbox to production",
    "Upgraded the TrackVia connector to version 2.{n}",
    "Our admin cleaned up old users last week",
    "Renamed the view used by the integration to '{table} - API'",
    "Deleted and re-created the {table} view",
    "Added a second recipe that writes to the same table",
    "Bulk imported {n}00 records on {date}",
    "Turned on two-factor authentication for all users",
    "A new team member took over this integration",
    "Copied the app from sandbox; ids may have changed",
    "Increased the batch size to {n}00 records per call",
    "Changed the record update trigger to include child records",
];

pub(super) const NOTES: [&str; 30] = [
    "Checked the API logs for view {v}: {n}0 calls in the last minute from this user_key.",
    "Token was revoked on {date} by an account admin. Asked them to generate a new one.",
    "Reproduced with Postman: {method} {path} returns the same error.",
    "Looks like a duplicate of {ref}. Linking.",
    "Role '{role}' has no {verb} permission on table '{table}'. Customer admin needs to fix it.",
    "Workato recipe {recipe} triggers on its own updates: a loop. Suggested a filter on the updated-by user.",
    "Escalated to the platform team as INC-{n}{n}{n}.",
    "Record {r} was deleted on {date}; the recipe still references it.",
    "Sandbox view ids differ from production; they copied view {v} from sandbox.",
    "Customer is on the Starter plan: {limit} calls per minute.",
    "Stack trace points to a null value in field '{field}'.",
    "No incident on the status page at the time of the error.",
    "Asked {first} for the full response body, the message alone is not enough.",
    "Integration user was deactivated during the license cleanup.",
    "Payload has a date in the wrong format for '{field}' (expects yyyy-MM-dd).",
    "Known issue with file uploads over 25 MB, see {ref}.",
    "Rate limit is per user_key and they share one key across {n} recipes.",
    "Checked the load balancer: request {req} reached us and failed in the records service.",
    "Confirmed with engineering: fixed in release 2024.{n}.",
    "Called {first}, walked through the token settings together.",
    "Frustrated customer: ticket number {n} this quarter about the same recipe.",
    "Could not reproduce; the endpoint works for view {v} with an admin token.",
    "Probably a typo in the URL: they call {path}.",
    "Pinged the account manager about raising their rate limit to {limit}.",
    "Left a comment for the {word} integration owner; waiting on an answer.",
    "The app was copied and view {v} no longer exists in the copy.",
    "Their proxy strips the Authorization header; asked their IT to allow it.",
    "Compared request {req} with the logs: two calls within 20 ms, burst limit.",
    "Webhook retries double the traffic after each failure; suggested idempotency keys.",
    "Will close as a duplicate of {ref} once {first} confirms.",
];

pub(super) const GENERIC_REPLIES: [&str; 6] = [
    "Hi {first}, thanks for the details. We are looking into the {code} on {path} and will get back to you here. — {agent}",
    "Hi {first}, thanks for the report. I found request {req} in our logs and I'm checking what happened. — {agent}",
    "Hi {first}, this is a known issue with {tool} connections; the workaround is in the article linked from your ticket. — {agent}",
    "Hi {first}, I've looked at job {job}. The call itself is fine now; please run it again and tell us if it fails. — {agent}",
    "Hi {first}, thanks for walking through the troubleshooting steps first, it saved us time. The cause is on the {table} view's settings; details below. — {agent}",
    "Hello {first}, apologies for the wait. Your {method} calls to view {v} are working again after today's fix. — {agent}",
];

pub(super) fn answers_for(code: ErrorCode) -> &'static [&'static str] {
    match code {
        ErrorCode::Unauthorized => &[
            "Hi {first}, a 401 means the API did not accept the credentials. The access token for this integration was revoked on {date}; please generate a new one and update the connection in {tool}. — {agent}",
            "Hi {first}, the user_key in the call belongs to a user who was deactivated. Re-enable the user or move the connection to a service account. — {agent}",
            "Hi {first}, the token in your sandbox connection is being used against production. Each environment has its own token. — {agent}",
            "Hi {first}, the user_key has a trailing space from the copy and paste. Remove it and the calls will work. — {agent}",
        ],
        ErrorCode::Forbidden => &[
            "Hi {first}, the integration user has the role '{role}', which cannot {verb} records in '{table}'. An admin can grant that in the role's table permissions. — {agent}",
            "Hi {first}, view {v} is not shared with the integration user's role. Add the role to the view and try again. — {agent}",
            "Hi {first}, the permission change on {date} was never saved. Please save the role settings again. — {agent}",
        ],
        ErrorCode::NotFound => &[
            "Hi {first}, record {r} no longer exists in view {v}; it was deleted on {date}. The recipe should skip missing records. — {agent}",
            "Hi {first}, the URL has a typo: it should be /openapi/views/{v}/records. — {agent}",
            "Hi {first}, view ids differ between sandbox and production. The production view for '{table}' has another id; please update the recipe. — {agent}",
        ],
        ErrorCode::TooManyRequests => &[
            "Hi {first}, your account allows {limit} calls per minute and the recipe made {n}00 calls in a burst. Please add a delay between calls or batch the updates. — {agent}",
            "Hi {first}, the recipe polls every {n} seconds. A trigger, or polling every few minutes, will keep you under the limit. — {agent}",
            "Hi {first}, please retry with exponential backoff and honour the Retry-After header. — {agent}",
            "Hi {first}, {n} recipes share one user_key, and the limit is per key. Give each recipe its own integration user. — {agent}",
        ],
        ErrorCode::InternalServerError => &[
            "Hi {first}, sorry about this: the 500 came from our side. Field '{field}' had a null value our service did not handle. A fix is being rolled out. — {agent}",
            "Hi {first}, we had a short incident around the time of your call. It is resolved; please rerun job {job}. — {agent}",
            "Hi {first}, the payload is larger than the service accepts in one call. Please send at most 100 records per request. — {agent}",
        ],
        ErrorCode::BadRequest | ErrorCode::UnprocessableEntity => &[
            "Hi {first}, the 400 is a validation error on '{field}': dates must be yyyy-MM-dd. — {agent}",
            "Hi {first}, field '{field}' is a link field: it needs the record's internal id, not its Record ID. — {agent}",
        ],
        ErrorCode::MethodNotAllowed
        | ErrorCode::Conflict
        | ErrorCode::PayloadTooLarge
        | ErrorCode::UnsupportedMediaType => &[
            "Hi {first}, this endpoint takes {method} only with a JSON body; the recipe sends something else. Details below. — {agent}",
            "Hi {first}, please send at most 100 records per request. — {agent}",
        ],
        ErrorCode::BadGateway | ErrorCode::ServiceUnavailable | ErrorCode::GatewayTimeout => &[
            "Hi {first}, we had a short incident around the time of your call. It is resolved; please check for duplicates, then rerun job {job}. — {agent}",
        ],
        ErrorCode::Timeout | ErrorCode::Connection | ErrorCode::Dns | ErrorCode::Tls => &[
            "Hi {first}, that error comes from the network between {tool} and us, not from the API. Could you retry and check your proxy settings? — {agent}",
            "Hi {first}, the host name in your connection is misspelled; it should be go.trackvia.com. — {agent}",
        ],
        ErrorCode::InvalidJson | ErrorCode::Pagination | ErrorCode::Other => &[
            "Hi {first}, the response was an HTML page, not JSON: the URL is missing /openapi. — {agent}",
            "Hi {first}, thanks for the details; this one needs a closer look. I'll write again today. — {agent}",
        ],
    }
}

pub(super) const QUESTIONS: [&str; 7] = [
    "Hi {first}, could you send the full response body and the request id of a failing call? — {agent}",
    "Hi {first}, which user does the {tool} connection run as? Please send the email address, never the token. — {agent}",
    "Hi {first}, does the call fail in sandbox too, or only in production? — {agent}",
    "Hi {first}, can you tell us the time of the last failure, with your time zone? — {agent}",
    "Hi {first}, could you export job {job} from {tool} and attach its input and output? — {agent}",
    "Hi {first}, is view {v} the one under the '{table}' table, or a copy of it? — {agent}",
    "Hi {first}, how many calls per minute does the integration make at its busiest? — {agent}",
];

pub(super) const REQUESTER_REPLIES: [&str; 12] = [
    "That worked, thank you!",
    "Still failing with the same error, job {job}.",
    "Here is the request id: {req}",
    "We regenerated the token and the recipe runs again. Thanks {agent}!",
    "The connection runs as {email}.",
    "It only fails in production, sandbox is fine.",
    "Ok, we'll add a delay and let you know.",
    "Any update on this? Our {table} sync has been down since {date}.",
    "The view is a copy, I'll switch to the original.",
    "Tried again this morning and got the error again, request {req}.",
    "Thanks, we fixed the typo in the URL.",
    "Our admin changed the role to {role}, can you check again?",
];

pub(super) const FOLLOW_UPS: [&str; 5] = [
    "Thanks {first}, glad it works now. I'll close this ticket; reply here if it comes back. — {agent}",
    "Thanks {first}. I've passed request {req} to engineering and will update you here. — {agent}",
    "Hi {first}, with the new token the calls succeed on our side too. Closing this one. — {agent}",
    "Hi {first}, the fix is deployed. Please rerun job {job} and let us know. — {agent}",
    "Hi {first}, thanks for confirming. I've added a note to your account about the {limit} calls per minute limit. — {agent}",
];
