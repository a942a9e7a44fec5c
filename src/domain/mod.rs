//! Small value types shared by the knowledge base and the ticket domain.
//! Each has a `parse` that is the one place its rules live.

mod error_code;
mod http_method;

pub use error_code::ErrorCode;
pub use http_method::HttpMethod;
