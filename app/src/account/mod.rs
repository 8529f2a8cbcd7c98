//! Accounts: sign-up, sign-in and sign-out for customers and staff, and who is signed in.
//!
//! Customers sign in on the customer web, staff on the kiosk and the HQ console; both with
//! a mobile number and a password. Sessions live in the database (see [`session`]); the
//! browser holds only an HttpOnly cookie with a random token.
//!
//! Server functions: [`sign_up`], [`sign_in`], [`sign_out`], [`current_user`].
//! Components: [`SignInForm`], [`SignUpForm`], [`UserMenu`], and [`StaffGate`], which
//! shows its children only to staff that may see them.

#[cfg(feature = "ssr")]
pub mod session;

use domain::{Principal, StaffRole};
use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::{use_i18n, Lang, Msg};
#[cfg(feature = "ssr")]
use crate::storage::{use_storage, StorageError};

pub use domain::{Me, Realm};

/// A person's name in the page's language.
pub fn person_name(me: &Me, lang: Lang) -> &str {
    match lang {
        Lang::Zh => &me.name_zh,
        Lang::En => &me.name_en,
    }
}

/// A realm from a form, or [`AppError::BadRequest`] (the forms only send known ones).
pub fn parse_realm(code: &str) -> Result<Realm, AppError> {
    Realm::parse(code).ok_or(AppError::BadRequest)
}

/// What accounts and sessions need from storage.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait AccountStorage: Send + Sync + 'static {
    /// A new customer with a password; [`domain::Error::PhoneTaken`] if the number is
    /// already a customer's (whether or not that customer has a password yet).
    async fn create_customer(
        &self,
        phone: &domain::Phone,
        name: &domain::PersonName,
        password_hash: &str,
    ) -> Result<domain::CustomerId, StorageError>;

    /// Who has this phone number in `realm`, with their password hash (`None` when they
    /// have no password and so cannot sign in). Staff who left are nobody.
    async fn credentials(
        &self,
        realm: Realm,
        phone: &domain::Phone,
    ) -> Result<Option<(Principal, Option<String>)>, StorageError>;

    /// Stores a session under the hash of its token; a session unlocked with a PIN names
    /// its kiosk `device` (whose last unlock it records), and ends when the device is
    /// revoked.
    async fn create_session(
        &self,
        token_hash: &str,
        principal: &Principal,
        expires_at: time::OffsetDateTime,
        device: Option<domain::DeviceId>,
    ) -> Result<(), StorageError>;

    /// The person whose unexpired session has this token hash (never staff who left).
    /// A session unlocked with a PIN counts only on its own device, unrevoked: the
    /// request must carry that device's credential (`device_hash`).
    async fn session(
        &self,
        token_hash: &str,
        device_hash: Option<&str>,
    ) -> Result<Option<Me>, StorageError>;

    /// Deletes a session (and, in passing, every expired one). Deleting none is fine.
    async fn end_session(&self, token_hash: &str) -> Result<(), StorageError>;

    /// The customer's membership tier, which decides the tier discounts they get.
    async fn tier(
        &self,
        customer: domain::CustomerId,
    ) -> Result<domain::discount::Tier, StorageError>;
}

pub fn role_label(role: StaffRole) -> Msg {
    match role {
        StaffRole::HqAdmin => Msg::RoleHqAdmin,
        StaffRole::HqSupply => Msg::RoleHqSupply,
        StaffRole::StoreManager => Msg::RoleStoreManager,
        StaffRole::ServiceAdvisor => Msg::RoleServiceAdvisor,
        StaffRole::Technician => Msg::RoleTechnician,
        StaffRole::Warehouse => Msg::RoleWarehouse,
    }
}

/// A path on this site to go to after signing in: only local paths, so a crafted link
/// cannot send a person elsewhere once they have signed in.
pub fn safe_next(next: &str, fallback: &'static str) -> String {
    let next = next.trim();
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    if local {
        next.to_owned()
    } else {
        fallback.to_owned()
    }
}

/// Creates a customer account and signs it in.
#[server(prefix = "/api", endpoint = "sign_up", output = crate::codec::JsonText)]
pub async fn sign_up(
    phone: String,
    name: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    session::require_same_origin()?;
    let phone = domain::Phone::parse(&phone)?;
    let name = domain::PersonName::parse(&name)?;
    let password = domain::Password::parse_new(&password, &phone)?;
    session::limiter()?.check_sign_up(session::client_addr())?;
    let accounts = use_storage::<dyn AccountStorage>()?;
    let hash = session::hash_password(password).await?;
    let id = accounts.create_customer(&phone, &name, &hash).await?;
    tracing::info!(customer = %id, "customer signed up");
    session::start_session(&*accounts, &Principal::Customer { id }).await?;
    leptos_axum::redirect(&safe_next(next.as_deref().unwrap_or(""), "/garage"));
    Ok(())
}

/// Signs in with a phone number and password; a new session id every time.
#[server(prefix = "/api", endpoint = "sign_in", output = crate::codec::JsonText)]
pub async fn sign_in(
    realm: String,
    phone: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    session::require_same_origin()?;
    let realm = parse_realm(&realm)?;
    // A malformed phone number cannot name an account: the same answer as a wrong one.
    let phone = domain::Phone::parse(&phone).map_err(|_| AppError::BadCredentials)?;
    let password = domain::Password::parse_attempt(&password)?;
    session::limiter()?.check(&phone, session::client_addr())?;
    let accounts = use_storage::<dyn AccountStorage>()?;
    let principal = session::authenticate(&*accounts, realm, &phone, password).await?;
    session::start_session(&*accounts, &principal).await?;
    let fallback = match &principal {
        Principal::Customer { .. } => "/garage",
        Principal::Staff { role, .. } if role.is_hq() => "/hq",
        Principal::Staff { .. } => "/kiosk",
    };
    leptos_axum::redirect(&safe_next(next.as_deref().unwrap_or(""), fallback));
    Ok(())
}

/// Ends the session: the row is deleted, so the old cookie is worthless even if kept.
#[server(prefix = "/api", endpoint = "sign_out", output = crate::codec::JsonText)]
pub async fn sign_out(next: Option<String>) -> Result<(), AppError> {
    session::require_same_origin()?;
    session::end_session(&*use_storage::<dyn AccountStorage>()?).await?;
    leptos_axum::redirect(&safe_next(next.as_deref().unwrap_or(""), "/"));
    Ok(())
}

/// Who is signed in, if anyone.
#[server(prefix = "/api", endpoint = "me", output = crate::codec::JsonText)]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    session::current_user().await
}

/// Who is signed in, shared by every component of the page. Signing in or out through
/// the forms below refreshes it, so gates and menus follow without a reload.
#[derive(Clone, Copy)]
pub struct MeContext {
    pub me: Resource<Result<Option<Me>, AppError>>,
    version: RwSignal<u64>,
}

impl MeContext {
    /// Fetches the signed-in person again (after a sign-in, sign-up or sign-out).
    pub fn refresh(&self) {
        self.version.update(|v| *v += 1);
    }

    /// Changes whenever someone signs in or out through the page's forms (tracked):
    /// resources of a signed-in person's data read it, so that a page opened before
    /// signing in fetches that person's data after.
    pub fn session(&self) -> u64 {
        self.version.get()
    }
}

/// The page's [`MeContext`].
pub fn use_me_context() -> MeContext {
    expect_context::<MeContext>()
}

/// Called once by [`App`](crate::App).
pub fn provide_me() {
    let version = RwSignal::new(0u64);
    let me = Resource::new(move || version.get(), |_| current_user());
    provide_context(MeContext { me, version });
}

pub fn use_me() -> Resource<Result<Option<Me>, AppError>> {
    expect_context::<MeContext>().me
}

/// Refreshes who is signed in whenever `action` succeeds.
fn refresh_on_success<A>(action: ServerAction<A>)
where
    A: leptos::server_fn::ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static,
{
    let ctx = expect_context::<MeContext>();
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            ctx.refresh();
        }
    });
}

#[component]
fn FormError(action_error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        action_error.get().map(|e| {
            view! { <p class="error" role="alert">{move || e.message(i18n.lang())}</p> }
        })
    }
}

/// The sign-in form of a surface: customers on the web, staff on the kiosk and HQ.
#[component]
pub fn SignInForm(realm: Realm, #[prop(into)] next: String) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignIn>::new();
    refresh_on_success(action);
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <section class="auth-card" data-realm=realm.code()>
            <h1>
                {move || {
                    i18n.t(if realm == Realm::Staff { Msg::StaffSignIn } else { Msg::SignIn })
                }}
            </h1>
            <ActionForm action=action attr:class="auth-form">
                <input type="hidden" name="realm" value=realm.code() />
                <input type="hidden" name="next" value=next />
                <label>
                    <span>{move || i18n.t(Msg::Phone)}</span>
                    <input type="tel" name="phone" autocomplete="username" inputmode="tel" required />
                </label>
                <label>
                    <span>{move || i18n.t(Msg::Password)}</span>
                    <input type="password" name="password" autocomplete="current-password" required />
                </label>
                <FormError action_error=error />
                <button type="submit" disabled=move || action.pending().get()>
                    {move || i18n.t(Msg::SignIn)}
                </button>
            </ActionForm>
            {(realm == Realm::Customer)
                .then(|| {
                    view! {
                        <p class="auth-alt">
                            {move || i18n.t(Msg::NoAccountYet)} " "
                            <a href="/signup">{move || i18n.t(Msg::SignUp)}</a>
                        </p>
                    }
                })}
        </section>
    }
}

/// The customer sign-up form.
#[component]
pub fn SignUpForm() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignUp>::new();
    refresh_on_success(action);
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <section class="auth-card">
            <h1>{move || i18n.t(Msg::SignUp)}</h1>
            <ActionForm action=action attr:class="auth-form">
                <input type="hidden" name="next" value="/garage" />
                <label>
                    <span>{move || i18n.t(Msg::Phone)}</span>
                    <input type="tel" name="phone" autocomplete="username" inputmode="tel" required />
                </label>
                <label>
                    <span>{move || i18n.t(Msg::YourName)}</span>
                    <input type="text" name="name" autocomplete="name" required />
                </label>
                <label>
                    <span>{move || i18n.t(Msg::Password)}</span>
                    <input type="password" name="password" autocomplete="new-password" required />
                    <small class="hint">{move || i18n.t(Msg::PasswordHint)}</small>
                </label>
                <FormError action_error=error />
                <button type="submit" disabled=move || action.pending().get()>
                    {move || i18n.t(Msg::SignUp)}
                </button>
            </ActionForm>
            <p class="auth-alt">
                {move || i18n.t(Msg::HaveAccount)} " "
                <a href="/signin">{move || i18n.t(Msg::SignIn)}</a>
            </p>
        </section>
    }
}

/// The signed-in person's name and a sign-out button, or a sign-in link.
#[component]
pub fn UserMenu(sign_in_href: &'static str, after_sign_out: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let sign_out = ServerAction::<SignOut>::new();
    refresh_on_success(sign_out);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => {
                        let role = match &me.principal {
                            Principal::Staff { role, .. } => Some(*role),
                            Principal::Customer { .. } => None,
                        };
                        view! {
                            <span class="user-menu" data-signed-in="true">
                                <span class="user-name">{move || person_name(&me, i18n.lang()).to_owned()}</span>
                                {role
                                    .map(|r| {
                                        view! { <span class="tag role">{move || i18n.t(role_label(r))}</span> }
                                    })}
                                <ActionForm action=sign_out attr:class="sign-out">
                                    <input type="hidden" name="next" value=after_sign_out />
                                    <button type="submit">{move || i18n.t(Msg::SignOut)}</button>
                                </ActionForm>
                            </span>
                        }
                            .into_any()
                    }
                    _ => {
                        view! {
                            <a class="user-menu sign-in-link" href=sign_in_href>
                                {move || i18n.t(Msg::SignIn)}
                            </a>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// Shows `children` to staff for whom `allowed` holds; everyone else gets the staff
/// sign-in form (or, when signed in without the right role, a refusal). The server
/// functions behind the children check again: this only decides what to render.
#[component]
pub fn StaffGate(
    allowed: fn(&Principal) -> bool,
    next: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let children = StoredValue::new(children);
    view! {
        <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) if allowed(&me.principal) => {
                        children.with_value(|c| c()).into_any()
                    }
                    Ok(Some(_)) => {
                        view! {
                            <p class="error" role="alert">{move || i18n.t(Msg::NotForYourRole)}</p>
                        }
                            .into_any()
                    }
                    Ok(None) => view! { <SignInForm realm=Realm::Staff next=next /> }.into_any(),
                    Err(e) => {
                        view! { <p class="error" role="alert">{move || e.message(i18n.lang())}</p> }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_only_ever_a_local_path() {
        assert_eq!(safe_next("/garage", "/"), "/garage");
        assert_eq!(safe_next(" /hq ", "/"), "/hq");
        for bad in [
            "",
            "https://evil.example",
            "//evil.example",
            "/\\evil",
            "javascript:x",
            "/a\nb",
        ] {
            assert_eq!(safe_next(bad, "/x"), "/x", "{bad:?}");
        }
    }

    #[test]
    fn realms_round_trip() {
        for r in [Realm::Customer, Realm::Staff] {
            assert_eq!(parse_realm(r.code()), Ok(r));
        }
        assert_eq!(parse_realm("admin"), Err(AppError::BadRequest));
    }
}
