//! Store KPIs for HQ (C11): each store's bookings, revenue at locked prices, bay
//! utilisation, fill rate (cars that found their parts on the shelf) and days of stock
//! cover, per day or per week over the last 7, 30 or 90 days, beside the chain's. The
//! measures are [`domain::kpi`]'s; the charts are SVG drawn on the server
//! ([`crate::charts`]) in the reader's language, each with its figures in a table.
//! After-sales figures (follow-ups, satisfaction, complaints) are on `/hq/aftersales`.
//!
//! - Server function: [`get_kpis`].
//! - Storage: [`KpiStorage`].
//! - Component: [`HqKpis`] (`/hq/kpis`, with its [`HqKpisState`]).

use domain::aftersales::Period;
use domain::kpi::Day;
use domain::StoreId;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{error_view, AppError};
use crate::followup::report::{chart_figures, percent, Chart};
use crate::i18n::{use_i18n, I18n, KpiMsg, Msg};
use crate::reception::Named;
#[cfg(feature = "ssr")]
use crate::storage::{use_storage, StorageError};

/// One store's figures over the period, and by day or week.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreKpis {
    pub store: Option<StoreId>,
    pub name: Named,
    /// The period's sums.
    pub total: Day,
    /// Day by day, or week by week.
    pub steps: Vec<Day>,
    /// The median days of cover over the parts it uses, now.
    pub cover_days: Option<u64>,
}

/// The KPI page's figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KpiReport {
    pub period: Period,
    pub by_week: bool,
    pub stores: Vec<StoreKpis>,
    /// The chain: every store summed.
    pub chain: StoreKpis,
    pub charts: Vec<Chart>,
}

/// The KPIs' storage.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait KpiStorage: Send + Sync + 'static {
    /// Every store's figures for each local day from `from` up to, not including, `to`
    /// (a day with nothing is all zeros, its bay time still counted).
    async fn days(
        &self,
        from: time::Date,
        to: time::Date,
    ) -> Result<Vec<(StoreId, Vec<Day>)>, StorageError>;
}

/// Each store's median days of cover now, from the supply chain's positions.
#[cfg(feature = "ssr")]
async fn cover(
    now: time::OffsetDateTime,
) -> Result<std::collections::BTreeMap<StoreId, Option<u64>>, AppError> {
    use domain::supply::{days_of_cover, Pattern, Policy};
    let policy = Policy::default();
    let read = use_storage::<dyn crate::supply::SupplyStorage>()?
        .positions(now, policy.history_days, 0)
        .await?;
    let mut covers: std::collections::BTreeMap<StoreId, Vec<Option<u64>>> = Default::default();
    for p in &read.positions {
        let per_day = Pattern::of(&p.history).per_day_milli();
        covers
            .entry(p.location)
            .or_default()
            .push(days_of_cover(p.level.available_milli(), per_day));
    }
    Ok(covers
        .into_iter()
        .map(|(store, c)| (store, domain::kpi::median_cover(&c)))
        .collect())
}

/// The stores' KPIs over the last `days` (7, 30 or 90), by day or, with `by` = `week`,
/// by week, charts drawn in `lang` (HQ staff).
#[server(prefix = "/api", endpoint = "store_kpis", output = crate::codec::JsonText)]
pub async fn get_kpis(days: u16, by: String, lang: String) -> Result<KpiReport, AppError> {
    crate::account::session::require(domain::Principal::works_at_hq).await?;
    let period = Period::new(days)?;
    let by_week = match by.trim() {
        "day" => false,
        "week" => true,
        _ => return Err(domain::Error::PeriodInvalid.into()),
    };
    let lang = crate::i18n::Lang::from_tag(&lang).unwrap_or_default();
    let now = crate::clock::now();
    let to = domain::local_time::local_date(now) + time::Duration::days(1);
    let from = to - time::Duration::days(i64::from(period.days()));
    let read = use_storage::<dyn KpiStorage>()?.days(from, to).await?;
    let names = use_storage::<dyn crate::supply::SupplyStorage>()?
        .names()
        .await?;
    let cover = cover(now).await?;
    let mut stores: Vec<StoreKpis> = read
        .into_iter()
        .map(|(store, days)| {
            let total = days.iter().fold(Day::default(), |sum, d| sum.plus(d));
            StoreKpis {
                store: Some(store),
                name: names
                    .sites
                    .get(&store)
                    .map(|s| s.name.clone())
                    .unwrap_or_default(),
                total: Day { day: None, ..total },
                steps: if by_week {
                    domain::kpi::weeks(&days)
                } else {
                    days
                },
                cover_days: cover.get(&store).copied().flatten(),
            }
        })
        .collect();
    stores.sort_by(|a, b| a.name.en.cmp(&b.name.en));
    let chain = chain_of(&stores);
    let charts = charts(lang, &stores, &chain);
    Ok(KpiReport {
        period,
        by_week,
        stores,
        chain,
        charts,
    })
}

/// The chain's figures: the stores' sums, step by step.
#[cfg(feature = "ssr")]
fn chain_of(stores: &[StoreKpis]) -> StoreKpis {
    let mut steps: Vec<Day> = Vec::new();
    for s in stores {
        for (i, d) in s.steps.iter().enumerate() {
            match steps.get_mut(i) {
                Some(sum) => *sum = sum.plus(d),
                None => steps.push(*d),
            }
        }
    }
    let covers: Vec<Option<u64>> = stores.iter().map(|s| s.cover_days).collect();
    StoreKpis {
        store: None,
        name: Named {
            zh: KpiMsg::Chain.text(crate::i18n::Lang::Zh).to_owned(),
            en: KpiMsg::Chain.text(crate::i18n::Lang::En).to_owned(),
        },
        total: stores
            .iter()
            .fold(Day::default(), |sum, s| sum.plus(&s.total)),
        steps,
        cover_days: domain::kpi::median_cover(&covers),
    }
}

#[cfg(feature = "ssr")]
fn charts(lang: crate::i18n::Lang, stores: &[StoreKpis], chain: &StoreKpis) -> Vec<Chart> {
    use crate::charts::{stacked_bars, value_bars, Row, Series};
    const COLOURS: [&str; 8] = [
        "#0969da", "#1a7f37", "#9a6700", "#8250df", "#cf222e", "#1b7c83", "#6e7781", "#bc4c00",
    ];
    let t = |m: KpiMsg| m.text(lang);
    let name = |s: &StoreKpis| s.name.get(lang).to_owned();
    let series: Vec<Series> = stores
        .iter()
        .zip(COLOURS.iter().cycle())
        .map(|(s, colour)| Series {
            label: s.name.get(lang),
            color: colour,
        })
        .collect();
    let steps: Vec<Row> = chain
        .steps
        .iter()
        .enumerate()
        .map(|(i, d)| Row {
            label: d
                .day
                .map(|d| format!("{:02}-{:02}", u8::from(d.month()), d.day()))
                .unwrap_or_default(),
            values: stores
                .iter()
                .map(|s| s.steps.get(i).map_or(0, |d| d.bookings))
                .collect(),
        })
        .collect();
    let bookings = stacked_bars(
        "chart-bookings",
        t(KpiMsg::ChartBookings),
        &series,
        &steps,
        false,
    );
    let revenue_rows: Vec<(String, Option<u32>)> = stores
        .iter()
        .map(|s| (name(s), u32::try_from(s.total.revenue.fen() / 100).ok()))
        .collect();
    let top = revenue_rows
        .iter()
        .filter_map(|(_, v)| *v)
        .max()
        .unwrap_or(0)
        .max(1);
    let revenue = value_bars(
        "chart-revenue",
        t(KpiMsg::ChartRevenue),
        "#1a7f37",
        &revenue_rows,
        top,
        |v| format!("¥{v}"),
    );
    let ratio_rows = |f: fn(&Day) -> Option<u32>| -> Vec<(String, Option<u32>)> {
        stores.iter().map(|s| (name(s), f(&s.total))).collect()
    };
    let share = |v: u32| percent(Some(v));
    let utilisation = value_bars(
        "chart-utilisation",
        t(KpiMsg::ChartUtilisation),
        "#0969da",
        &ratio_rows(Day::utilisation_permille),
        1000,
        share,
    );
    let fill = value_bars(
        "chart-fill",
        t(KpiMsg::ChartFillRate),
        "#8250df",
        &ratio_rows(Day::fill_rate_permille),
        1000,
        share,
    );
    let cover_rows: Vec<(String, Option<u32>)> = stores
        .iter()
        .map(|s| (name(s), s.cover_days.and_then(|c| u32::try_from(c).ok())))
        .collect();
    let longest = cover_rows
        .iter()
        .filter_map(|(_, v)| *v)
        .max()
        .unwrap_or(0)
        .max(1);
    let days_word = t(KpiMsg::Days);
    let cover = value_bars(
        "chart-cover",
        t(KpiMsg::ChartCover),
        "#9a6700",
        &cover_rows,
        longest,
        |v| format!("{v} {days_word}"),
    );
    [
        ("chart-bookings", KpiMsg::ChartBookings, bookings),
        ("chart-revenue", KpiMsg::ChartRevenue, revenue),
        ("chart-utilisation", KpiMsg::ChartUtilisation, utilisation),
        ("chart-fill", KpiMsg::ChartFillRate, fill),
        ("chart-cover", KpiMsg::ChartCover, cover),
    ]
    .into_iter()
    .map(|(id, title, svg)| Chart {
        id: id.to_owned(),
        title: t(title).to_owned(),
        svg,
    })
    .collect()
}

/// The report's resource and choices, made outside the sign-in gate.
#[derive(Clone, Copy)]
pub struct HqKpisState {
    days: RwSignal<u16>,
    by_week: RwSignal<bool>,
    report: Resource<Result<KpiReport, AppError>>,
}

impl HqKpisState {
    pub fn new() -> HqKpisState {
        let me = crate::account::use_me_context();
        let i18n = use_i18n();
        let days = RwSignal::new(Period::DEFAULT.days());
        let by_week = RwSignal::new(false);
        let report = Resource::new(
            move || (me.session(), days.get(), by_week.get(), i18n.lang()),
            |(_, days, by_week, lang)| {
                let by = if by_week { "week" } else { "day" };
                get_kpis(days, by.to_owned(), lang.code().to_owned())
            },
        );
        HqKpisState {
            days,
            by_week,
            report,
        }
    }
}

impl Default for HqKpisState {
    fn default() -> Self {
        HqKpisState::new()
    }
}

fn figures(label: String, d: &Day, cover: Option<u64>, class: &'static str) -> impl IntoView {
    let cover = cover.map_or_else(|| "–".to_owned(), |c| c.to_string());
    view! {
        <tr class=class>
            <th scope="row">{label}</th>
            <td class="num bookings">{d.bookings}</td>
            <td class="num cancelled">{d.cancelled}</td>
            <td class="num revenue">{d.revenue.to_string()}</td>
            <td class="num utilisation">{percent(d.utilisation_permille())}</td>
            <td class="num fill">{percent(d.fill_rate_permille())} " (" {d.parts_ready} "/" {d.arrivals_with_parts} ")"</td>
            <td class="num cover">{cover}</td>
        </tr>
    }
}

fn head(i18n: I18n, first: KpiMsg) -> impl IntoView {
    view! {
        <thead>
            <tr>
                <th scope="col">{move || i18n.t(first)}</th>
                <th scope="col">{move || i18n.t(KpiMsg::Bookings)}</th>
                <th scope="col">{move || i18n.t(KpiMsg::Cancelled)}</th>
                <th scope="col">{move || i18n.t(KpiMsg::Revenue)}</th>
                <th scope="col">{move || i18n.t(KpiMsg::Utilisation)}</th>
                <th scope="col">{move || i18n.t(KpiMsg::FillRate)}</th>
                <th scope="col">{move || i18n.t(KpiMsg::Cover)}</th>
            </tr>
        </thead>
    }
}

/// HQ's store KPIs: the period and the step, a table per store and the chain, the
/// charts, and the chain day by day (or week by week).
#[component]
pub fn HqKpis(state: HqKpisState) -> impl IntoView {
    let i18n = use_i18n();
    let HqKpisState {
        days,
        by_week,
        report,
    } = state;
    view! {
        <section class="kpi-report">
            <h1>{move || i18n.t(KpiMsg::Title)}</h1>
            <p class="hint">{move || i18n.t(KpiMsg::Hint)}</p>
            <div class="kpi-choices">
                <label class="period">
                    <span>{move || i18n.t(KpiMsg::Period)}</span>
                    <select on:change=move |ev| {
                        if let Ok(d) = event_target_value(&ev).parse() {
                            days.set(d);
                        }
                    }>
                        {Period::CHOICES.into_iter().map(|d| view! {
                            <option value=d.to_string() selected=move || days.get() == d>
                                {d} " " {move || i18n.t(KpiMsg::Days)}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="step">
                    <span>{move || i18n.t(KpiMsg::Step)}</span>
                    <select on:change=move |ev| by_week.set(event_target_value(&ev) == "week")>
                        <option value="day" selected=move || !by_week.get()>{move || i18n.t(KpiMsg::ByDay)}</option>
                        <option value="week" selected=move || by_week.get()>{move || i18n.t(KpiMsg::ByWeek)}</option>
                    </select>
                </label>
            </div>
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

fn report_view(i18n: I18n, r: KpiReport) -> impl IntoView {
    let lang = i18n.lang();
    let rows = r
        .stores
        .iter()
        .map(|s| {
            let row = figures(s.name.get(lang).to_owned(), &s.total, s.cover_days, "store");
            view! { <tbody data-store=s.store.map(|id| id.to_string()).unwrap_or_default()>{row}</tbody> }
        })
        .collect_view();
    let chain = figures(
        r.chain.name.get(lang).to_owned(),
        &r.chain.total,
        r.chain.cover_days,
        "chain",
    );
    let steps = r
        .chain
        .steps
        .iter()
        .map(|d| {
            let label = d.day.map(|d| d.to_string()).unwrap_or_default();
            figures(label, d, None, "step")
        })
        .collect_view();
    let step_caption = if r.by_week {
        KpiMsg::ChainByWeek
    } else {
        KpiMsg::ChainByDay
    };
    let charts = chart_figures(r.charts);
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=move || i18n.t(KpiMsg::Title)>
            <table class="kpi-table">
                <caption>{move || i18n.t(KpiMsg::TableCaption)}</caption>
                {head(i18n, KpiMsg::Store)}
                {rows}
                <tfoot>{chain}</tfoot>
            </table>
        </div>
        <div class="charts">{charts}</div>
        <div class="table-scroll" tabindex="0" role="region" aria-label=move || i18n.t(step_caption)>
            <table class="kpi-steps">
                <caption>{move || i18n.t(step_caption)}</caption>
                {head(i18n, if r.by_week { KpiMsg::Week } else { KpiMsg::Day })}
                <tbody>{steps}</tbody>
            </table>
        </div>
    }
}
