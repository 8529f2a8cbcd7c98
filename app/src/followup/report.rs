//! HQ's view of after-sales (rule 7, C8, C11), per store and chain-wide over the last 7,
//! 30 or 90 days: follow-ups due, done and missed; satisfaction and the complaint rate;
//! open cases by how far they have escalated; praise by staff; the value-class mix and
//! its movement; what campaigns reached and brought. The measures are
//! [`domain::aftersales`]'s; the charts are SVG drawn on the server ([`crate::charts`]).
//!
//! - Server function: [`get_aftersales_report`].
//! - Storage: [`AfterSalesStorage`].
//! - Component: [`HqReport`] (on HQ's `/hq/aftersales`, with its [`HqReportState`]).

use domain::aftersales::{Period, Satisfaction, Tally};
use domain::{Money, StoreId};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use time::OffsetDateTime;

use crate::error::{error_view, AppError};
use crate::i18n::{use_i18n, FollowMsg, I18n, Msg};
use crate::reception::Named;
#[cfg(feature = "ssr")]
use crate::storage::{use_storage, StorageError};

/// What a campaign slice reached and brought.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignFigures {
    pub recipients: u32,
    pub sent: u32,
    pub opted_out: u32,
    pub bookings: u32,
    pub revenue: Money,
}

impl CampaignFigures {
    fn plus(self, o: CampaignFigures) -> CampaignFigures {
        CampaignFigures {
            recipients: self.recipients + o.recipients,
            sent: self.sent + o.sent,
            opted_out: self.opted_out + o.opted_out,
            bookings: self.bookings + o.bookings,
            revenue: Money::from_fen(self.revenue.fen() + o.revenue.fen()),
        }
    }
}

/// One store's figures (`store: None`: the chain, or customers with no store yet).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreFigures {
    pub store: Option<StoreId>,
    pub name: Named,
    pub followups: Tally,
    pub satisfaction: Satisfaction,
    /// Open cases with their owner, with the store manager, with HQ.
    pub cases: [u32; 3],
    /// Customers in class A, B, C, D.
    pub mix: [u32; 4],
    /// Class moves in the period, up and down.
    pub moved_up: u32,
    pub moved_down: u32,
    pub campaigns: CampaignFigures,
}

impl StoreFigures {
    /// The sum of two stores' figures, named `name`.
    pub fn plus(&self, o: &StoreFigures) -> StoreFigures {
        let sum = |a: [u32; 4], b: [u32; 4]| std::array::from_fn(|i| a[i] + b[i]);
        StoreFigures {
            store: None,
            name: self.name.clone(),
            followups: self.followups.plus(o.followups),
            satisfaction: self.satisfaction.plus(o.satisfaction),
            cases: std::array::from_fn(|i| self.cases[i] + o.cases[i]),
            mix: sum(self.mix, o.mix),
            moved_up: self.moved_up + o.moved_up,
            moved_down: self.moved_down + o.moved_down,
            campaigns: self.campaigns.plus(o.campaigns),
        }
    }
}

/// Praise a staff member received in the period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PraiseRow {
    pub staff: Named,
    pub store: Named,
    pub praise: u32,
}

/// One chart, drawn on the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chart {
    pub id: String,
    /// Its title, shown above it (the SVG carries it too, for assistive technology).
    pub title: String,
    pub svg: String,
}

/// The whole page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterSalesReport {
    pub period: Period,
    pub stores: Vec<StoreFigures>,
    pub chain: StoreFigures,
    pub praise: Vec<PraiseRow>,
    pub charts: Vec<Chart>,
}

/// What HQ's view needs from storage.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait AfterSalesStorage: Send + Sync + 'static {
    /// Every store's figures over `period` ending on `now`'s day (and a row for
    /// customers with no store yet, if any), and the most praised staff.
    async fn figures(
        &self,
        period: Period,
        now: OffsetDateTime,
    ) -> Result<(Vec<StoreFigures>, Vec<PraiseRow>), StorageError>;
}

/// How many staff the praise table lists.
pub const PRAISE_SHOWN: u32 = 10;

/// Colours of the charts' series, each with AA contrast against white for its legend.
#[cfg(feature = "ssr")]
mod colours {
    pub const DONE: &str = "#1a7f37";
    pub const MISSED: &str = "#cf222e";
    pub const UNREACHABLE: &str = "#6e7781";
    pub const OPEN: &str = "#0969da";
    pub const CLASSES: [&str; 4] = ["#1a7f37", "#0969da", "#9a6700", "#6e7781"];
    pub const CASES: [&str; 3] = ["#0969da", "#9a6700", "#cf222e"];
    pub const RATING: &str = "#8250df";
}

#[cfg(feature = "ssr")]
fn charts(lang: crate::i18n::Lang, stores: &[StoreFigures]) -> Vec<Chart> {
    use crate::charts::{stacked_bars, value_bars, Row, Series};
    let t = |m: FollowMsg| m.text(lang);
    let rows = |f: &dyn Fn(&StoreFigures) -> Vec<u32>| -> Vec<Row> {
        stores
            .iter()
            .map(|s| Row {
                label: s.name.get(lang).to_owned(),
                values: f(s),
            })
            .collect()
    };
    let followups = stacked_bars(
        "chart-followups",
        t(FollowMsg::ChartFollowUps),
        &[
            Series {
                label: t(FollowMsg::ReportDone),
                color: colours::DONE,
            },
            Series {
                label: t(FollowMsg::ReportMissed),
                color: colours::MISSED,
            },
            Series {
                label: t(FollowMsg::ReportUnreachable),
                color: colours::UNREACHABLE,
            },
            Series {
                label: t(FollowMsg::ReportOpen),
                color: colours::OPEN,
            },
        ],
        &rows(&|s| {
            let f = s.followups;
            vec![f.done, f.missed, f.unreachable, f.open]
        }),
        false,
    );
    let ratings: Vec<(String, Option<u32>)> = stores
        .iter()
        .map(|s| (s.name.get(lang).to_owned(), s.satisfaction.average_tenths()))
        .collect();
    let satisfaction = value_bars(
        "chart-satisfaction",
        t(FollowMsg::ChartSatisfaction),
        colours::RATING,
        &ratings,
        50,
        |v| format!("{}.{} / 5", v / 10, v % 10),
    );
    let cases = stacked_bars(
        "chart-cases",
        t(FollowMsg::ChartCases),
        &[
            Series {
                label: t(FollowMsg::EscalationOwner),
                color: colours::CASES[0],
            },
            Series {
                label: t(FollowMsg::EscalationManager),
                color: colours::CASES[1],
            },
            Series {
                label: t(FollowMsg::EscalationHq),
                color: colours::CASES[2],
            },
        ],
        &rows(&|s| s.cases.to_vec()),
        false,
    );
    let mix = stacked_bars(
        "chart-mix",
        t(FollowMsg::ChartMix),
        &domain::lifecycle::ValueClass::ALL
            .iter()
            .zip(colours::CLASSES)
            .map(|(c, color)| Series {
                label: c.code(),
                color,
            })
            .collect::<Vec<_>>(),
        &rows(&|s| s.mix.to_vec()),
        true,
    );
    [
        ("chart-followups", FollowMsg::ChartFollowUps, followups),
        (
            "chart-satisfaction",
            FollowMsg::ChartSatisfaction,
            satisfaction,
        ),
        ("chart-cases", FollowMsg::ChartCases, cases),
        ("chart-mix", FollowMsg::ChartMix, mix),
    ]
    .into_iter()
    .map(|(id, title, svg)| Chart {
        id: id.to_owned(),
        title: t(title).to_owned(),
        svg,
    })
    .collect()
}

/// HQ's after-sales figures over the last `days` (7, 30 or 90), with charts drawn in
/// `lang` (HQ staff).
#[server(prefix = "/api", endpoint = "aftersales_report", output = crate::codec::JsonText)]
pub async fn get_aftersales_report(days: u16, lang: String) -> Result<AfterSalesReport, AppError> {
    crate::account::session::require(domain::Principal::works_at_hq).await?;
    let period = Period::new(days)?;
    let lang = crate::i18n::Lang::from_tag(&lang).unwrap_or_default();
    let (mut stores, praise) = use_storage::<dyn AfterSalesStorage>()?
        .figures(period, crate::clock::now())
        .await?;
    let both = |m: FollowMsg| Named {
        zh: m.text(crate::i18n::Lang::Zh).to_owned(),
        en: m.text(crate::i18n::Lang::En).to_owned(),
    };
    for s in stores.iter_mut().filter(|s| s.store.is_none()) {
        s.name = both(FollowMsg::NoStoreYet);
    }
    let chain = stores.iter().fold(
        StoreFigures {
            name: both(FollowMsg::Chain),
            ..StoreFigures::default()
        },
        |sum, s| sum.plus(s),
    );
    let charts = charts(lang, &stores);
    Ok(AfterSalesReport {
        period,
        stores,
        chain,
        praise,
        charts,
    })
}

/// The resource of [`HqReport`], made outside the sign-in gate.
#[derive(Clone, Copy)]
pub struct HqReportState {
    days: RwSignal<u16>,
    report: Resource<Result<AfterSalesReport, AppError>>,
}

impl HqReportState {
    pub fn new() -> HqReportState {
        let me = crate::account::use_me_context();
        let i18n = use_i18n();
        let days = RwSignal::new(Period::DEFAULT.days());
        let report = Resource::new(
            move || (me.session(), days.get(), i18n.lang()),
            |(_, days, lang)| get_aftersales_report(days, lang.code().to_owned()),
        );
        HqReportState { days, report }
    }
}

impl Default for HqReportState {
    fn default() -> Self {
        HqReportState::new()
    }
}

fn tenths(v: Option<u32>) -> String {
    v.map_or_else(|| "–".to_owned(), |v| format!("{}.{}", v / 10, v % 10))
}

/// A share in permille as a percentage with one decimal; "–" without one.
pub(crate) fn percent(permille: Option<u32>) -> String {
    permille.map_or_else(|| "–".to_owned(), |p| format!("{}.{} %", p / 10, p % 10))
}

fn figures_row(i18n: I18n, s: &StoreFigures, chain: bool) -> impl IntoView {
    let name = s.name.clone();
    let f = s.followups;
    let sat = s.satisfaction;
    let c = s.campaigns;
    view! {
        <tr class:chain=chain data-store=s.store.map(|id| id.to_string()).unwrap_or_default()>
            <th scope="row">{move || name.get(i18n.lang()).to_owned()}</th>
            <td class="num due">{f.due()}</td>
            <td class="num done">{f.done}</td>
            <td class="num missed">{f.missed}</td>
            <td class="num">{percent(f.completion_permille())}</td>
            <td class="num satisfaction">{tenths(sat.average_tenths())}</td>
            <td class="num complaints">{percent(sat.complaint_permille())}</td>
            <td class="num cases">{s.cases[0]} " / " {s.cases[1]} " / " {s.cases[2]}</td>
            <td class="num moves">"↑" {s.moved_up} " ↓" {s.moved_down}</td>
            <td class="num campaign">{c.sent} " → " {c.bookings}</td>
        </tr>
    }
}

/// Charts drawn on the server, each in a captioned figure (HQ's report pages).
pub(crate) fn chart_figures(charts: Vec<Chart>) -> impl IntoView {
    charts
        .into_iter()
        .map(|c| {
            view! {
                <figure class="chart-box" id=c.id>
                    <figcaption>{c.title}</figcaption>
                    <div class="chart-drawing" inner_html=c.svg></div>
                </figure>
            }
        })
        .collect_view()
}

/// HQ's after-sales figures: a table per store and the chain, the charts, praise.
#[component]
pub fn HqReport(state: HqReportState) -> impl IntoView {
    let i18n = use_i18n();
    let HqReportState { days, report } = state;
    view! {
        <section class="aftersales-report">
            <h1>{move || i18n.t(FollowMsg::ReportTitle)}</h1>
            <label class="period">
                <span>{move || i18n.t(FollowMsg::ReportPeriod)}</span>
                <select on:change=move |ev| {
                    if let Ok(d) = event_target_value(&ev).parse() {
                        days.set(d);
                    }
                }>
                    {Period::CHOICES.into_iter().map(|d| view! {
                        <option value=d.to_string() selected=move || days.get() == d>
                            {d} " " {move || i18n.t(FollowMsg::DaysShort)}
                        </option>
                    }).collect_view()}
                </select>
            </label>
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Ok(r) => report_view(i18n, r).into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn report_view(i18n: I18n, r: AfterSalesReport) -> impl IntoView {
    let rows = r
        .stores
        .iter()
        .map(|s| figures_row(i18n, s, false))
        .collect_view();
    let chain = figures_row(i18n, &r.chain, true);
    let charts = chart_figures(r.charts);
    let praise = if r.praise.is_empty() {
        view! { <p class="empty">{move || i18n.t(FollowMsg::NoPraise)}</p> }.into_any()
    } else {
        let rows = r
            .praise
            .into_iter()
            .map(|p| {
                let (staff, store) = (p.staff, p.store);
                view! {
                    <tr>
                        <th scope="row">{move || staff.get(i18n.lang()).to_owned()}</th>
                        <td>{move || store.get(i18n.lang()).to_owned()}</td>
                        <td class="num">{p.praise}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="praise-table">
                <caption>{move || i18n.t(FollowMsg::PraiseByStaff)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t(FollowMsg::StaffMember)}</th>
                        <th scope="col">{move || i18n.t(FollowMsg::Store)}</th>
                        <th scope="col">{move || i18n.t(FollowMsg::PraiseCount)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <table class="report-table">
            <caption>{move || i18n.t(FollowMsg::ReportTableCaption)}</caption>
            <thead>
                <tr>
                    <th scope="col">{move || i18n.t(FollowMsg::Store)}</th>
                    <th scope="col">{move || i18n.t(FollowMsg::ReportDue)}</th>
                    <th scope="col">{move || i18n.t(FollowMsg::ReportDone)}</th>
                    <th scope="col">{move || i18n.t(FollowMsg::ReportMissed)}</th>
                    <th scope="col">{move || i18n.t(FollowMsg::ReportCompletion)}</th>
                    <th scope="col">{move || i18n.t(FollowMsg::ReportSatisfaction)}</th>
                    <th scope="col">{move || i18n.t(FollowMsg::ReportComplaintRate)}</th>
                    <th scope="col">{move || i18n.t(FollowMsg::ReportOpenCases)}</th>
                    <th scope="col">{move || i18n.t(FollowMsg::ReportClassMoves)}</th>
                    <th scope="col">{move || i18n.t(FollowMsg::ReportCampaigns)}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
            <tfoot>{chain}</tfoot>
        </table>
        <div class="charts">{charts}</div>
        {praise}
    }
}
