//! `multipart/form-data` bodies, as a browser sends a form with files.

pub const BOUNDARY: &str = "----apideskTestBoundary7MA4YWxkTrZu0gW";

/// A file part: the input's name, the file's name, its declared type and
/// its bytes.
pub struct FilePart<'a> {
    pub field: &'a str,
    pub name: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

impl<'a> FilePart<'a> {
    /// A file chosen in the forms' `files` input.
    pub fn file(name: &'a str, bytes: &'a [u8]) -> Self {
        Self {
            field: "files",
            name,
            content_type: "application/octet-stream",
            bytes,
        }
    }
}

/// The body: text fields in order, then the files.
pub fn body(fields: &[(&str, &str)], files: &[FilePart<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, value) in fields {
        out.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for file in files {
        out.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                file.field, file.name, file.content_type
            )
            .as_bytes(),
        );
        out.extend_from_slice(file.bytes);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

pub fn content_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}
