//! Small value types shared by the knowledge base and the ticket domain.
//! Each has a `parse` that is the one place its rules live.

mod error_code;
mod http_method;
mod human_time;
mod span;
mod time_zone;

pub use error_code::ErrorCode;
pub use http_method::HttpMethod;
pub use human_time::{human_time, human_time_in};
pub use span::parse_span;
pub use time_zone::{
    FIXED_OFFSETS, LocalTime, Zone, ZoneChoice, ZoneGroup, format_offset, parse_offset, zone_groups,
};
