//! .NET: `HttpClient`, the older `WebClient`, and failures without a status.

use super::Case;
use crate::domain::ErrorCode::*;

/// .NET: `HttpResponseMessage.EnsureSuccessStatusCode` throws
/// HttpRequestException "Response status code does not indicate success:
/// {code} ({reason})." (quoted verbatim in several projects' tests); the
/// older WebClient "The remote server returned an error: (401)
/// Unauthorized." from DotNetOpenAuth issue #341. Failures without a status
/// pasted in gwdevhub/Daybreak #1042, microsoft/CromwellOnAzure #452,
/// njthomson/SrvSurvey #175, JeffreySu/WeiXinMPSDK #1299, dotnet/corefx
/// #31034 and dotnet/aspnetcore #25032.
pub(super) const DOTNET: &[Case] = &[
    (
        "Response status code does not indicate success: 404 (Not Found).",
        Some(NotFound),
        Some(404),
    ),
    (
        "Response status code does not indicate success: 401 (Unauthorized).",
        Some(Unauthorized),
        Some(401),
    ),
    (
        "Response status code does not indicate success: 502 (Bad Gateway).",
        Some(BadGateway),
        Some(502),
    ),
    (
        "Response status code does not indicate success: 409 (Conflict).",
        Some(Conflict),
        Some(409),
    ),
    (
        "System.Net.Http.HttpRequestException: Response status code does not indicate success: 415 (Unsupported Media Type).",
        Some(UnsupportedMediaType),
        Some(415),
    ),
    (
        "The remote server returned an error: (401) Unauthorized.",
        Some(Unauthorized),
        Some(401),
    ),
    (
        "System.Net.Http.HttpRequestException: No such host is known. (github.com:443)\n ---> System.Net.Sockets.SocketException (11001): No such host is known.",
        Some(Dns),
        None,
    ),
    (
        "TaskCanceledException: The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.",
        Some(Timeout),
        None,
    ),
    (
        "System.Threading.Tasks.TaskCanceledException: The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.\n ---> System.TimeoutException: A task was canceled.\n ---> System.Threading.Tasks.TaskCanceledException: A task was canceled.",
        Some(Timeout),
        None,
    ),
    (
        "System.AggregateException: One or more errors occurred. (The SSL connection could not be established, see inner exception.) ---> System.Net.Http.HttpRequestException: The SSL connection could not be established, see inner exception. ---> System.Security.Authentication.AuthenticationException: The remote certificate is invalid according to the validation procedure.",
        Some(Tls),
        None,
    ),
    (
        "The SSL connection could not be established, see inner exception. Authentication failed, see inner exception.",
        Some(Tls),
        None,
    ),
];
