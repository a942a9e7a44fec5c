//! "Sign-in security", for every staff member: their second factor. Setting
//! it up shows a new secret (a QR code, and the same as text) that guards
//! nothing until a code from it is typed back; then ten recovery codes are
//! shown once. Turning it off and making new recovery codes ask for the
//! password or a code again, counted as sign-ins are, so a session left
//! open is not enough to remove the second factor.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use time::OffsetDateTime;

use super::guesses::Wait;
use super::second_factor::{Accept, Proof, check_proof};
use super::session::CurrentStaff;
use crate::domain::human_time_in;
use crate::error::{AppError, Result};
use crate::staff::{OneTimeCode, RecoveryCode, StaffMember, TotpSecret};
use crate::tickets::FieldErrors;
use crate::web::AppState;
use crate::web::client_addr::ClientAddr;
use crate::web::csrf::CsrfToken;
use crate::web::render::render;

pub(super) const PAGE: &str = "/staff/security";
const SETUP: &str = "/staff/security/totp";

const ENTER_CODE: &str = "Enter the 6-digit code your authenticator app shows for apidesk.";
const WRONG_CODE: &str = "That code is not right. Check the app shows apidesk with your email, wait for a new code, and type it.";
const ENTER_PROOF: &str = "Enter your password, or a code from your authenticator app.";
const WRONG_PROOF: &str = "That is neither your password nor a current code. Try again.";
const BUSY: &str = "The server is busy checking other passwords. Try again in a minute.";

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(PAGE, get(overview))
        .route(SETUP, get(setup_page).post(begin))
        .route("/staff/security/totp/confirm", post(confirm))
        .route("/staff/security/totp/off", post(turn_off))
        .route("/staff/security/recovery-codes", post(new_recovery_codes))
}

#[derive(Template)]
#[template(path = "staff/security.html")]
struct SecurityPage {
    me: StaffMember,
    csrf: CsrfToken,
    /// When the second factor was turned on, in the reader's zone; `None`
    /// while it is off.
    on_since: Option<String>,
    recovery_left: i64,
    /// Mistakes beside the form that was sent: `off_proof`, `codes_proof`.
    errors: FieldErrors,
    flash: Option<&'static str>,
}

impl SecurityPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }
}

#[derive(Template)]
#[template(path = "staff/totp_setup.html")]
struct SetupPage {
    me: StaffMember,
    csrf: CsrfToken,
    secret_text: String,
    /// The QR code as an SVG image in a data URI (the CSP allows `data:`
    /// images, never inline markup with styles).
    qr_image: String,
    errors: FieldErrors,
}

impl SetupPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }
}

#[derive(Template)]
#[template(path = "staff/recovery_codes.html")]
struct CodesPage {
    me: StaffMember,
    csrf: CsrfToken,
    codes: Vec<String>,
    /// The second factor was turned on just now (else: codes replaced).
    turned_on: bool,
}

impl CodesPage {
    /// The page that shows a new set of recovery codes, once.
    fn new(me: StaffMember, csrf: CsrfToken, codes: &[RecoveryCode], turned_on: bool) -> Self {
        Self {
            me,
            csrf,
            codes: codes.iter().map(|c| c.reveal().to_string()).collect(),
            turned_on,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OverviewQuery {
    done: String,
}

async fn security_view(state: &AppState, me: StaffMember, csrf: CsrfToken) -> Result<SecurityPage> {
    let totp = state.store.staff_totp(me.id).await?;
    let on_since = totp
        .and_then(|totp| totp.enabled_at)
        .map(|at| human_time_in(at, &me.time_zone));
    let recovery_left = if on_since.is_some() {
        state.store.recovery_codes_left(me.id).await?
    } else {
        0
    };
    Ok(SecurityPage {
        me,
        csrf,
        on_since,
        recovery_left,
        errors: FieldErrors::default(),
        flash: None,
    })
}

async fn overview(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Query(query): Query<OverviewQuery>,
) -> Result<Response> {
    let mut page = security_view(&state, me, csrf).await?;
    page.flash = match query.done.as_str() {
        "off" if page.on_since.is_none() => Some(
            "Two-step sign-in is off: your password alone signs you in. Remove apidesk from your authenticator app.",
        ),
        _ => None,
    };
    Ok(render(&page)?.into_response())
}

/// The QR code of `uri` as an `<img>` source.
fn qr_image(uri: &str) -> Result<String> {
    let code = qrcode::QrCode::new(uri.as_bytes())
        .map_err(|err| AppError::Internal(anyhow::anyhow!("cannot make the QR code: {err}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        data_encoding::BASE64.encode(svg.as_bytes())
    ))
}

fn setup_view(me: StaffMember, csrf: CsrfToken, secret: &TotpSecret) -> Result<SetupPage> {
    Ok(SetupPage {
        qr_image: qr_image(&secret.otpauth_uri(&me.email))?,
        secret_text: secret.base32_grouped(),
        me,
        csrf,
        errors: FieldErrors::default(),
    })
}

/// Starts (or starts again) setting up: a new secret, not yet guarding
/// anything.
async fn begin(State(state): State<AppState>, CurrentStaff(me): CurrentStaff) -> Result<Response> {
    let started = state
        .store
        .begin_totp(me.id, &TotpSecret::generate(), OffsetDateTime::now_utc())
        .await?;
    if started {
        tracing::info!(staff_id = me.id, "second factor set-up started");
        Ok(Redirect::to(SETUP).into_response())
    } else {
        // Already on: nothing to set up.
        Ok(Redirect::to(PAGE).into_response())
    }
}

async fn setup_page(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
) -> Result<Response> {
    match state.store.staff_totp(me.id).await? {
        Some(totp) if !totp.is_on() => {
            Ok(render(&setup_view(me, csrf, &totp.secret)?)?.into_response())
        }
        _ => Ok(Redirect::to(PAGE).into_response()),
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct ConfirmForm {
    code: String,
}

impl std::fmt::Debug for ConfirmForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConfirmForm(<redacted>)")
    }
}

/// Turns the second factor on once a code from the new secret is typed
/// back, and shows the recovery codes (200: they are shown this once).
async fn confirm(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Form(form): Form<ConfirmForm>,
) -> Result<Response> {
    let Some(totp) = state
        .store
        .staff_totp(me.id)
        .await?
        .filter(|totp| !totp.is_on())
    else {
        return Ok(Redirect::to(PAGE).into_response());
    };
    let now = OffsetDateTime::now_utc();
    let step = match OneTimeCode::parse(&form.code) {
        Some(code) => totp
            .secret
            .matching_step(&code, now, None)
            .ok_or(WRONG_CODE),
        None if form.code.trim().is_empty() => Err(ENTER_CODE),
        None => Err(WRONG_CODE),
    };
    let step = match step {
        Ok(step) => step,
        Err(message) => {
            let mut page = setup_view(me, csrf, &totp.secret)?;
            page.errors.add("code", message);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
    };
    let codes = RecoveryCode::generate_set();
    let hashes: Vec<String> = codes.iter().map(RecoveryCode::hash).collect();
    if !state
        .store
        .enable_totp(me.id, &totp.secret, step, &hashes, now)
        .await?
    {
        // Set up again in another tab meanwhile: that one is the one to confirm.
        return Ok(Redirect::to(SETUP).into_response());
    }
    crate::web::audit::account_changed(me.id, me.id, "second_factor_on");
    Ok(render(&CodesPage::new(me, csrf, &codes, true))?.into_response())
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct ProofForm {
    proof: String,
}

impl std::fmt::Debug for ProofForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProofForm(<redacted>)")
    }
}

/// Checks the password or code typed into `field`; on a refusal, the
/// overview answers with the message beside it.
async fn proven(
    state: &AppState,
    me: &StaffMember,
    ip: Option<std::net::IpAddr>,
    typed: &str,
) -> Result<Result<(), Refusal>> {
    let refusal = |status, message: &str| Refusal {
        status,
        message: message.to_string(),
        wait: None,
    };
    if typed.trim().is_empty() {
        return Ok(Err(refusal(StatusCode::UNPROCESSABLE_ENTITY, ENTER_PROOF)));
    }
    Ok(
        match check_proof(state, me, ip, typed, Accept::CodesOrPassword).await? {
            Proof::Code | Proof::Recovery { .. } | Proof::Password => Ok(()),
            Proof::Wrong => Err(refusal(StatusCode::UNPROCESSABLE_ENTITY, WRONG_PROOF)),
            Proof::TooMany(wait) => Err(Refusal {
                status: StatusCode::TOO_MANY_REQUESTS,
                message: wait.message("attempts for your account"),
                wait: Some(wait),
            }),
            Proof::Busy => Err(refusal(StatusCode::SERVICE_UNAVAILABLE, BUSY)),
        },
    )
}

async fn refused(
    state: &AppState,
    me: StaffMember,
    csrf: CsrfToken,
    field: &'static str,
    refusal: Refusal,
) -> Result<Response> {
    let mut page = security_view(state, me, csrf).await?;
    page.errors.add(field, refusal.message);
    let response = (refusal.status, render(&page)?);
    Ok(match refusal.wait {
        Some(wait) => ([wait.header()], response).into_response(),
        None => response.into_response(),
    })
}

/// Why a proof was not taken: the status, the message beside the field,
/// and, past the limit, how long to wait.
struct Refusal {
    status: StatusCode,
    message: String,
    wait: Option<Wait>,
}

async fn turn_off(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    ClientAddr(ip): ClientAddr,
    csrf: CsrfToken,
    Form(form): Form<ProofForm>,
) -> Result<Response> {
    if let Err(refusal) = proven(&state, &me, ip, &form.proof).await? {
        tracing::info!(staff_id = me.id, "turning off the second factor refused");
        return refused(&state, me, csrf, "off_proof", refusal).await;
    }
    if state.store.remove_totp(me.id).await? {
        crate::web::audit::account_changed(me.id, me.id, "second_factor_off");
    }
    Ok(Redirect::to(&format!("{PAGE}?done=off")).into_response())
}

async fn new_recovery_codes(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    ClientAddr(ip): ClientAddr,
    csrf: CsrfToken,
    Form(form): Form<ProofForm>,
) -> Result<Response> {
    if let Err(refusal) = proven(&state, &me, ip, &form.proof).await? {
        tracing::info!(staff_id = me.id, "new recovery codes refused");
        return refused(&state, me, csrf, "codes_proof", refusal).await;
    }
    let codes = RecoveryCode::generate_set();
    let hashes: Vec<String> = codes.iter().map(RecoveryCode::hash).collect();
    if !state
        .store
        .replace_recovery_codes(me.id, &hashes, OffsetDateTime::now_utc())
        .await?
    {
        return Ok(Redirect::to(PAGE).into_response());
    }
    crate::web::audit::account_changed(me.id, me.id, "recovery_codes_replaced");
    Ok(render(&CodesPage::new(me, csrf, &codes, false))?.into_response())
}
