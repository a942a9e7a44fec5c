//! What a page costs a visitor: the bytes sent over the wire (gzip asked
//! for, as browsers do) for the page and everything it links that a browser
//! fetches at once, how many requests that is, and whether all but the page
//! may be cached.

use anyhow::Context;

pub struct Weight {
    /// Body bytes as transferred (compressed where the server compresses).
    pub transferred: usize,
    /// The same bodies uncompressed.
    pub uncompressed: usize,
    pub requests: usize,
    /// Linked files without a caching Cache-Control.
    pub uncached: Vec<String>,
}

pub async fn measure(client: &reqwest::Client, base: &str, path: &str) -> anyhow::Result<Weight> {
    let (page, transferred, _) = fetch(client, base, path).await?;
    let uncompressed = fetch_plain(client, base, path).await?;
    let mut weight = Weight {
        transferred,
        uncompressed,
        requests: 1,
        uncached: Vec::new(),
    };
    for link in linked(&String::from_utf8_lossy(&page)) {
        let (_, transferred, cache) = fetch(client, base, &link).await?;
        weight.transferred += transferred;
        weight.uncompressed += fetch_plain(client, base, &link).await?;
        weight.requests += 1;
        if !caches(cache.as_deref()) {
            weight.uncached.push(link);
        }
    }
    Ok(weight)
}

/// The body with `Accept-Encoding: gzip`, its size on the wire, and its
/// Cache-Control. reqwest here has no gzip support, so the body is as sent.
async fn fetch(
    client: &reqwest::Client,
    base: &str,
    path: &str,
) -> anyhow::Result<(Vec<u8>, usize, Option<String>)> {
    let res = client
        .get(format!("{base}{path}"))
        .header("Accept-Encoding", "gzip")
        .send()
        .await?;
    anyhow::ensure!(
        res.status().is_success(),
        "{path} answered {}",
        res.status()
    );
    let gzipped = res
        .headers()
        .get("content-encoding")
        .is_some_and(|v| v == "gzip");
    let cache = res
        .headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = res.bytes().await?.to_vec();
    let size = body.len();
    let body = if gzipped {
        use std::io::Read;
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&body[..])
            .read_to_end(&mut plain)
            .with_context(|| format!("{path}: bad gzip"))?;
        plain
    } else {
        body
    };
    Ok((body, size, cache))
}

async fn fetch_plain(client: &reqwest::Client, base: &str, path: &str) -> anyhow::Result<usize> {
    let res = client
        .get(format!("{base}{path}"))
        .header("Accept-Encoding", "identity")
        .send()
        .await?;
    Ok(res.bytes().await?.len())
}

/// Cacheable: a lifetime given, and neither no-store nor no-cache.
fn caches(cache_control: Option<&str>) -> bool {
    let Some(value) = cache_control.map(str::to_ascii_lowercase) else {
        return false;
    };
    let fresh = value.contains("immutable")
        || value
            .split(',')
            .filter_map(|d| d.trim().strip_prefix("max-age="))
            .any(|n| n.parse::<u64>().is_ok_and(|n| n > 0));
    fresh && !value.contains("no-store") && !value.contains("no-cache")
}

/// Stylesheets, scripts, images and the icon a browser fetches with the
/// page (same-site paths; `data:` URLs cost no request). Icon links are
/// alternatives of which a browser fetches one: the SVG where offered, as
/// current browsers choose.
fn linked(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut icons = Vec::new();
    for (tag, attr) in [("<link", "href"), ("<script", "src"), ("<img", "src")] {
        for piece in html.split(tag).skip(1) {
            let Some(end) = piece.find('>') else { continue };
            let t = &piece[..end];
            let icon = tag == "<link" && t.contains("icon");
            if tag == "<link" && !icon && !t.contains("stylesheet") {
                continue;
            }
            let Some(value) = attribute(t, attr) else {
                continue;
            };
            let value = value.replace("&#38;", "&");
            if !value.starts_with('/') || value.starts_with("//") {
                continue;
            }
            if icon {
                icons.push((t.contains("image/svg+xml"), value));
            } else if !found.contains(&value) {
                found.push(value);
            }
        }
    }
    let icon = icons.iter().find(|(svg, _)| *svg).or(icons.first());
    found.extend(icon.map(|(_, v)| v.clone()));
    found
}

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    Some(&tag[start..start + tag[start..].find('"')?])
}
