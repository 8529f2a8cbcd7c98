//! The translation layer: every string a person reads goes through [`Msg`].
//!
//! A message is an enum variant and its text is one `match` arm holding both languages,
//! so the compiler refuses a message that lacks a translation. The language comes from
//! the `pitlane_lang` cookie, else the browser's `Accept-Language`, else Chinese; the
//! server renders it into `<html lang>` and the browser reads it back when hydrating.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Cookie that remembers the language a person chose.
pub const LANG_COOKIE: &str = "pitlane_lang";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// The BCP 47 tag for `<html lang>`.
    pub fn html_tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The short code kept in the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// Reads a tag or code such as `zh`, `zh-CN`, `en-GB`; other languages are `None`.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the best supported language from an `Accept-Language` header by its q-values.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(Lang, f32)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let Some(lang) = pieces.next().and_then(Lang::from_tag) else {
                continue;
            };
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if best.is_none_or(|(_, bq)| q > bq) {
                best = Some((lang, q));
            }
        }
        best.map(|(lang, _)| lang)
    }

    /// The language named in a `Cookie` header, if any.
    pub fn from_cookie_header(header: &str) -> Option<Lang> {
        header.split(';').find_map(|c| {
            let (name, value) = c.trim().split_once('=')?;
            (name == LANG_COOKIE)
                .then(|| Lang::from_tag(value))
                .flatten()
        })
    }

    /// The label of the language in itself, for the switch: a language is always offered
    /// under its own name, whatever the page's language, so it is not a [`Msg`].
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::Zh => "中文",
            Lang::En => "English",
        }
    }
}

/// The language for the page being rendered: on the server from the request, in the
/// browser from what the server rendered into `<html lang>`.
pub fn lang_from_request() -> Lang {
    #[cfg(feature = "ssr")]
    {
        let Some(parts) = use_context::<http::request::Parts>() else {
            return Lang::default();
        };
        let header = |name: http::HeaderName| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        header(http::header::COOKIE)
            .and_then(|c| Lang::from_cookie_header(&c))
            .or_else(|| {
                header(http::header::ACCEPT_LANGUAGE).and_then(|a| Lang::from_accept_language(&a))
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|root| root.get_attribute("lang"))
            .and_then(|tag| Lang::from_tag(&tag))
            .unwrap_or_default()
    }
}

/// The current language, shared by every component through context.
#[derive(Clone, Copy)]
pub struct I18n {
    lang: RwSignal<Lang>,
}

impl I18n {
    pub fn lang(&self) -> Lang {
        self.lang.get()
    }

    pub fn t(&self, msg: Msg) -> &'static str {
        msg.text(self.lang.get())
    }

    /// Switches language now and remembers it for the next visit.
    pub fn set(&self, lang: Lang) {
        self.lang.set(lang);
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            if let Ok(doc) = document().dyn_into::<web_sys::HtmlDocument>() {
                let _ = doc.set_cookie(&format!(
                    "{LANG_COOKIE}={}; path=/; max-age=31536000; SameSite=Lax",
                    lang.code()
                ));
            }
            if let Some(root) = document().document_element() {
                let _ = root.set_attribute("lang", lang.html_tag());
            }
        }
    }
}

pub fn provide_i18n() {
    provide_context(I18n {
        lang: RwSignal::new(lang_from_request()),
    });
}

/// The language context that [`App`](crate::App) provides.
pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// Buttons that switch the language; the current one is marked `aria-pressed`.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="lang-switch" role="group" aria-label=move || i18n.t(Msg::Language)>
            {Lang::ALL
                .into_iter()
                .map(|lang| {
                    view! {
                        <button
                            type="button"
                            data-lang=lang.code()
                            aria-pressed=move || (i18n.lang() == lang).to_string()
                            on:click=move |_| i18n.set(lang)
                        >
                            {lang.own_name()}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// Every user-facing string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    AppName,
    Tagline,
    Language,
    NotFound,
    BackHome,
    Loading,
    SurfaceCustomer,
    SurfaceKiosk,
    SurfaceHq,
    NavServices,
    NavPriceList,
    ServicePrices,
    ServicePricesIntro,
    KioskPricesIntro,
    HqPricesIntro,
    ColService,
    ColCategory,
    ColDuration,
    ColPrice,
    ColNewPrice,
    Publish,
    Publishing,
    NewPricePlaceholder,
    PublishedVersion,
    PriceListVersion,
    EffectiveFrom,
    LiveOn,
    CatMaintenance,
    CatTyres,
    CatRepair,
    CatDetailing,
    CatEv,
    Minutes,
    ErrBadRequest,
    ErrNotFound,
    ErrForbidden,
    ErrConflict,
    ErrInternal,
    ErrNetwork,
    ErrAmountEmpty,
    ErrAmountNotANumber,
    ErrAmountTooPrecise,
    ErrAmountOverflow,
    ErrPriceNotPositive,
    ErrPriceTooHigh,
    ErrPriceUnchanged,
    ErrNotPriced,
    ErrQuantityInvalid,
    ErrPlateInvalid,
    ErrPhoneInvalid,
    ErrIdInvalid,
    ErrVersionExhausted,
    ErrBusy,
    LiveOff,
    PriceHistory,
}

impl Msg {
    pub fn text(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Msg::AppName => ("Pitlane 车服", "Pitlane"),
            Msg::Tagline => (
                "线上线下一个价，门店库存实时可见",
                "One price online and in store, live stock at every store",
            ),
            Msg::Language => ("语言", "Language"),
            Msg::NotFound => ("页面不存在", "Page not found"),
            Msg::BackHome => ("返回首页", "Back to the home page"),
            Msg::Loading => ("加载中…", "Loading…"),
            Msg::SurfaceCustomer => ("车主服务", "Car owners"),
            Msg::SurfaceKiosk => ("门店前台", "Store reception"),
            Msg::SurfaceHq => ("总部控制台", "HQ console"),
            Msg::NavServices => ("服务与价格", "Services & prices"),
            Msg::NavPriceList => ("价目表", "Price list"),
            Msg::ServicePrices => ("服务价目表", "Service price list"),
            Msg::ServicePricesIntro => (
                "全部门店统一价格，由总部发布。",
                "The same price at every store, published by HQ.",
            ),
            Msg::KioskPricesIntro => (
                "与线上相同的价格，可直接向顾客展示。",
                "The same prices as online; show them to the customer.",
            ),
            Msg::HqPricesIntro => (
                "发布新价格会生成新的价目表版本，立即在所有渠道生效，历史版本保留。",
                "Publishing a price creates a new price-list version that takes effect on every channel at once; history is kept.",
            ),
            Msg::ColService => ("服务", "Service"),
            Msg::ColCategory => ("类别", "Category"),
            Msg::ColDuration => ("时长", "Duration"),
            Msg::ColPrice => ("价格", "Price"),
            Msg::ColNewPrice => ("新价格（元）", "New price (¥)"),
            Msg::Publish => ("发布", "Publish"),
            Msg::Publishing => ("发布中…", "Publishing…"),
            Msg::NewPricePlaceholder => ("例如 128.00", "e.g. 128.00"),
            Msg::PublishedVersion => ("已发布，价目表版本", "Published: price list version"),
            Msg::PriceListVersion => ("价目表版本", "Price list version"),
            Msg::EffectiveFrom => ("生效时间", "effective from"),
            Msg::LiveOn => ("价格实时更新", "Prices update live"),
            Msg::CatMaintenance => ("保养", "Maintenance"),
            Msg::CatTyres => ("轮胎", "Tyres"),
            Msg::CatRepair => ("维修", "Repair"),
            Msg::CatDetailing => ("美容", "Detailing"),
            Msg::CatEv => ("新能源", "EV"),
            Msg::Minutes => ("分钟", "min"),
            Msg::ErrBadRequest => ("请求格式不正确。", "The request was malformed."),
            Msg::ErrNotFound => ("找不到该项目。", "That item was not found."),
            Msg::ErrForbidden => ("您无权执行此操作。", "You are not allowed to do this."),
            Msg::ErrConflict => (
                "数据刚被他人修改，请刷新后重试。",
                "Someone else just changed this; refresh and try again.",
            ),
            Msg::ErrInternal => (
                "服务器出错了，请稍后再试。追踪号",
                "Something went wrong on our side; please try again later. Trace id",
            ),
            Msg::ErrNetwork => (
                "无法连接服务器，请检查网络后重试。",
                "Could not reach the server; check the connection and try again.",
            ),
            Msg::ErrAmountEmpty => ("请输入金额。", "Enter an amount."),
            Msg::ErrAmountNotANumber => (
                "金额格式不正确，请输入数字，例如 128.50。",
                "That is not an amount; enter a number such as 128.50.",
            ),
            Msg::ErrAmountTooPrecise => (
                "金额最多保留两位小数（精确到分）。",
                "Amounts have at most two decimals (fen).",
            ),
            Msg::ErrAmountOverflow => ("金额过大。", "That amount is too large."),
            Msg::ErrPriceNotPositive => ("价格必须大于零。", "A price must be more than zero."),
            Msg::ErrPriceTooHigh => (
                "价格不能超过 ¥10,000,000.00。",
                "A price cannot exceed ¥10,000,000.00.",
            ),
            Msg::ErrPriceUnchanged => (
                "新价格与当前价格相同，未发布。",
                "The new price equals the current one; nothing was published.",
            ),
            Msg::ErrNotPriced => (
                "该项目不在价目表中。",
                "That item is not on the price list.",
            ),
            Msg::ErrQuantityInvalid => ("数量不正确。", "That quantity is not valid."),
            Msg::ErrPlateInvalid => (
                "车牌号格式不正确，例如 浙A12345 或 浙AD12345。",
                "That is not a mainland plate, e.g. 浙A12345 or 浙AD12345.",
            ),
            Msg::ErrPhoneInvalid => (
                "手机号格式不正确，请输入 11 位手机号。",
                "That is not a mobile number; enter the 11 digits.",
            ),
            Msg::ErrIdInvalid => ("编号格式不正确。", "That identifier is not valid."),
            Msg::ErrVersionExhausted => (
                "价目表版本号已用尽，请联系技术支持。",
                "The price list has run out of version numbers; contact support.",
            ),
            Msg::ErrBusy => (
                "系统繁忙，请稍后重试。",
                "The system is busy; please try again in a moment.",
            ),
            Msg::PriceHistory => ("历史价格", "Price history"),
            Msg::LiveOff => (
                "实时更新已断开，正在重连…",
                "Live updates disconnected; reconnecting…",
            ),
        };
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// The translated text of a rule violation.
pub fn domain_error_text(e: &domain::Error, lang: Lang) -> &'static str {
    use domain::Error as E;
    let msg = match e {
        E::AmountEmpty => Msg::ErrAmountEmpty,
        E::AmountNotANumber => Msg::ErrAmountNotANumber,
        E::AmountTooPrecise => Msg::ErrAmountTooPrecise,
        E::AmountOverflow => Msg::ErrAmountOverflow,
        E::PriceNotPositive => Msg::ErrPriceNotPositive,
        E::PriceTooHigh => Msg::ErrPriceTooHigh,
        E::PriceUnchanged => Msg::ErrPriceUnchanged,
        E::NotPriced => Msg::ErrNotPriced,
        E::QuantityInvalid => Msg::ErrQuantityInvalid,
        E::PlateInvalid => Msg::ErrPlateInvalid,
        E::PhoneInvalid => Msg::ErrPhoneInvalid,
        E::IdInvalid => Msg::ErrIdInvalid,
        E::VersionExhausted => Msg::ErrVersionExhausted,
    };
    msg.text(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_highest_q() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("fr;q=1.0, zh;q=0.5, en;q=0.4"),
            Some(Lang::Zh)
        );
        assert_eq!(Lang::from_accept_language("fr-FR,de"), None);
    }

    #[test]
    fn cookie_overrides_by_name() {
        assert_eq!(
            Lang::from_cookie_header("a=1; pitlane_lang=en; b=2"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_cookie_header("xpitlane_lang=en"), None);
    }

    #[test]
    fn both_languages_differ_for_words() {
        assert_ne!(Msg::Publish.text(Lang::Zh), Msg::Publish.text(Lang::En));
    }
}
