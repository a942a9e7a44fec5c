//! Images are decoded and encoded again. What is kept is pixels only: the
//! new file carries none of the old one's EXIF (camera, GPS position), XMP
//! or text chunks, and nothing a crafted file hid between its chunks.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

use super::{FileKind, Refused};

/// Screenshots of even the widest monitors fit; larger sides are a
/// decompression bomb more often than a picture.
const MAX_SIDE: u32 = 12_000;
/// What a decoder may allocate: 64 megapixels of RGBA. A small file can
/// claim an enormous canvas, so this is checked before pixels are made.
const MAX_ALLOC: u64 = 256 * 1024 * 1024;
const THUMBNAIL_SIDE: u32 = 320;
const JPEG_QUALITY: u8 = 90;

pub(super) const METADATA: &str = "image metadata (EXIF, GPS)";

#[derive(Debug)]
pub(super) struct Reencoded {
    pub kind: FileKind,
    pub bytes: Vec<u8>,
    pub thumbnail: Vec<u8>,
    /// The original carried metadata, which the new file does not.
    pub had_metadata: bool,
}

/// Decodes `bytes` (sniffed as `kind`) upright, and encodes it again: JPEG
/// stays JPEG, as a photo would grow several times as PNG; the rest become
/// PNG (a GIF's first frame; WebP, which has no encoder here).
pub(super) fn reencode(bytes: &[u8], kind: FileKind) -> Result<Reencoded, Refused> {
    let image = decode(bytes)?;
    let (kind, bytes_out) = if kind == FileKind::Jpeg {
        (FileKind::Jpeg, encode_jpeg(&image)?)
    } else {
        (FileKind::Png, encode_png(&image)?)
    };
    let thumbnail = if image.width() > THUMBNAIL_SIDE || image.height() > THUMBNAIL_SIDE {
        encode_png(&image.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE))?
    } else if kind == FileKind::Png {
        bytes_out.clone()
    } else {
        encode_png(&image)?
    };
    Ok(Reencoded {
        kind,
        bytes: bytes_out,
        thumbnail,
        had_metadata: has_metadata(bytes),
    })
}

fn decode(bytes: &[u8]) -> Result<DynamicImage, Refused> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| Refused::BadImage)?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| Refused::BadImage)?;
    // Phones store photos sideways and say so in EXIF; the EXIF goes, so
    // the turn is made to the pixels first.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|_| Refused::BadImage)?;
    image.apply_orientation(orientation);
    Ok(image)
}

fn encode_png(image: &DynamicImage) -> Result<Vec<u8>, Refused> {
    let mut out = Cursor::new(Vec::new());
    image
        .write_to(&mut out, ImageFormat::Png)
        .map_err(|_| Refused::BadImage)?;
    Ok(out.into_inner())
}

fn encode_jpeg(image: &DynamicImage) -> Result<Vec<u8>, Refused> {
    let mut out = Vec::new();
    let encoder = JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
    // JPEG holds grey or RGB only.
    let result = match image {
        DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_) => {
            image.write_with_encoder(encoder)
        }
        _ => DynamicImage::ImageRgb8(image.to_rgb8()).write_with_encoder(encoder),
    };
    result.map_err(|_| Refused::BadImage)?;
    Ok(out)
}

/// Whether the original carried metadata worth telling the sender about:
/// EXIF, XMP, IPTC or comments. One walk over its segments or chunks.
pub(super) fn has_metadata(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"\xFF\xD8") {
        jpeg_metadata(bytes)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png_metadata(bytes)
    } else if bytes.starts_with(b"RIFF") {
        webp_metadata(bytes)
    } else {
        // A GIF's comments are dropped too, but are rarely more than the
        // name of the program that made it.
        false
    }
}

fn jpeg_metadata(b: &[u8]) -> bool {
    let mut i = 2;
    while b.get(i) == Some(&0xFF) {
        // Markers may be padded with any number of 0xFF.
        while b.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let Some(&marker) = b.get(i + 1) else {
            return false;
        };
        // Start of scan: image data follows, and no more metadata.
        if marker == 0xDA || marker == 0xD9 {
            return false;
        }
        let Some(len) = b
            .get(i + 2..i + 4)
            .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
        else {
            return false;
        };
        let payload = b.get(i + 4..).unwrap_or_default();
        let exif_or_xmp = marker == 0xE1
            && (payload.starts_with(b"Exif\0") || payload.starts_with(b"http://ns.adobe.com/xap/"));
        // APP13 holds IPTC (captions, places); COM a free-text comment.
        if exif_or_xmp || marker == 0xED || marker == 0xFE {
            return true;
        }
        i += 2 + len;
    }
    false
}

fn png_metadata(b: &[u8]) -> bool {
    let mut i = 8;
    while let Some(header) = b.get(i..i + 8) {
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        match &header[4..8] {
            b"eXIf" | b"tEXt" | b"iTXt" | b"zTXt" => return true,
            b"IEND" => return false,
            _ => {}
        }
        // Length, type and CRC around the data.
        i = match i.checked_add(12).and_then(|n| n.checked_add(len)) {
            Some(next) => next,
            None => return false,
        };
    }
    false
}

fn webp_metadata(b: &[u8]) -> bool {
    let mut i = 12;
    while let Some(header) = b.get(i..i + 8) {
        if matches!(&header[..4], b"EXIF" | b"XMP ") {
            return true;
        }
        let len = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        // Chunks are padded to an even length.
        i = match i
            .checked_add(8)
            .and_then(|n| n.checked_add(len + (len & 1)))
        {
            Some(next) => next,
            None => return false,
        };
    }
    false
}

#[cfg(test)]
pub(crate) mod tests;
