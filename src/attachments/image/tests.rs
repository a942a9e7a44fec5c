use image::{Rgb, RgbImage};

use super::*;

pub(crate) const GPS_MARKER: &[u8] = b"GPS 51.5074N 0.1278W iPhone of Ann";

/// A 4×2 JPEG, optionally with an APP1 Exif segment right after SOI that
/// says "rotate 90° clockwise" (orientation 6) and carries `GPS_MARKER`.
pub(crate) fn jpeg(with_exif: bool) -> Vec<u8> {
    let mut img = RgbImage::new(4, 2);
    img.put_pixel(0, 0, Rgb([255, 0, 0]));
    let mut plain = Vec::new();
    JpegEncoder::new_with_quality(&mut plain, 95)
        .encode_image(&img)
        .expect("encodes");
    if !with_exif {
        return plain;
    }
    let mut exif = b"Exif\0\0".to_vec();
    // Big-endian TIFF header, then one IFD with one entry: Orientation
    // (0x0112), SHORT, count 1, value 6; no next IFD.
    exif.extend_from_slice(b"MM\0\x2a\0\0\0\x08");
    exif.extend_from_slice(&[0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]);
    exif.extend_from_slice(GPS_MARKER);
    let len = u16::try_from(exif.len() + 2).expect("small");
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(&plain[2..]);
    out
}

pub(crate) fn png(width: u32, height: u32, text: Option<&[u8]>) -> Vec<u8> {
    let img = DynamicImage::ImageRgb8(RgbImage::new(width, height));
    let plain = encode_png(&img).expect("encodes");
    let Some(text) = text else {
        return plain;
    };
    // After the signature (8) and IHDR (4 + 4 + 13 + 4).
    let at = 33;
    let mut data = b"Comment\0".to_vec();
    data.extend_from_slice(text);
    let mut crc = flate2::Crc::new();
    crc.update(b"tEXt");
    crc.update(&data);
    let mut out = plain[..at].to_vec();
    out.extend_from_slice(&u32::try_from(data.len()).expect("small").to_be_bytes());
    out.extend_from_slice(b"tEXt");
    out.extend_from_slice(&data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
    out.extend_from_slice(&plain[at..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn jpeg_loses_its_exif_and_is_turned_upright() {
    let input = jpeg(true);
    assert!(contains(&input, GPS_MARKER) && has_metadata(&input));
    let out = reencode(&input, FileKind::Jpeg).expect("reencodes");
    assert_eq!(out.kind, FileKind::Jpeg);
    assert!(out.had_metadata);
    assert!(!contains(&out.bytes, GPS_MARKER));
    assert!(!contains(&out.bytes, b"Exif"));
    assert!(!has_metadata(&out.bytes));
    let back = image::load_from_memory(&out.bytes).expect("still decodes");
    assert_eq!(
        (back.width(), back.height()),
        (2, 4),
        "orientation 6 applied"
    );
    let thumb = image::load_from_memory(&out.thumbnail).expect("thumbnail decodes");
    assert_eq!((thumb.width(), thumb.height()), (2, 4));
}

#[test]
fn plain_jpeg_reports_no_metadata() {
    let out = reencode(&jpeg(false), FileKind::Jpeg).expect("reencodes");
    assert!(!out.had_metadata);
}

#[test]
fn png_loses_its_text_chunks() {
    let input = png(3, 3, Some(b"SECRET-PNG-MARKER"));
    assert!(has_metadata(&input));
    image::load_from_memory(&input).expect("the spliced chunk is valid");
    let out = reencode(&input, FileKind::Png).expect("reencodes");
    assert_eq!(out.kind, FileKind::Png);
    assert!(out.had_metadata);
    assert!(!contains(&out.bytes, b"SECRET-PNG-MARKER"));
    assert!(!contains(&out.bytes, b"tEXt"));
    image::load_from_memory(&out.bytes).expect("still decodes");
}

#[test]
fn thumbnails_fit_320_keeping_aspect() {
    let out = reencode(&png(1280, 640, None), FileKind::Png).expect("reencodes");
    let thumb = image::load_from_memory(&out.thumbnail).expect("decodes");
    assert_eq!((thumb.width(), thumb.height()), (320, 160));
    assert!(!out.had_metadata);
}

#[test]
fn gif_becomes_png() {
    let mut gif = Vec::new();
    DynamicImage::ImageRgba8(image::RgbaImage::new(5, 5))
        .write_to(&mut Cursor::new(&mut gif), ImageFormat::Gif)
        .expect("encodes");
    let out = reencode(&gif, FileKind::Gif).expect("reencodes");
    assert_eq!(out.kind, FileKind::Png);
    assert!(out.bytes.starts_with(b"\x89PNG"));
}

#[test]
fn broken_or_huge_images_are_refused() {
    let mut truncated = png(50, 50, None);
    truncated.truncate(60);
    assert_eq!(
        reencode(&truncated, FileKind::Png).err(),
        Some(Refused::BadImage)
    );
    assert_eq!(
        reencode(b"\xFF\xD8\xFFnonsense", FileKind::Jpeg).err(),
        Some(Refused::BadImage)
    );
    // An IHDR claiming 100000×100000 pixels, in a few dozen bytes.
    let mut huge = png(1, 1, None);
    huge[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    huge[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    assert_eq!(
        reencode(&huge, FileKind::Png).err(),
        Some(Refused::BadImage)
    );
}

#[test]
fn metadata_scans_stop_on_garbage() {
    assert!(!has_metadata(b"\xFF\xD8\xFF"));
    assert!(!has_metadata(b"\x89PNG\r\n\x1a\n\xFF\xFF\xFF\xFFtEX"));
    assert!(!has_metadata(b"RIFF\0\0\0\0WEBPVP8 \xFF\xFF\xFF\xFF"));
    assert!(has_metadata(b"RIFF\0\0\0\0WEBPEXIF\0\0\0\0"));
}
