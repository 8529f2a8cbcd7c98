//! HQ's replenishment proposal (`/hq/replenishment`): each line says where stock goes,
//! from where, how much and when it arrives, and explains its quantity in words and
//! figures ([`domain::supply::Term`]s that add up to it). HQ supply approves a line as
//! proposed or edited, or rejects it; approved supplier lines are sent as one purchase
//! order per supplier.

use domain::supply::{Line, Source, Term};
use leptos::prelude::*;

use super::routes::{get_routes, DeliveryRoutes, RoutesView, SetRouteWaves};
use super::{
    get_proposal, units, DecideLine, LineStatus, LineView, Names, ProposalView, RunProposal,
    SendPurchaseOrders, PROPOSAL_PAGE,
};
use crate::error::{error_view, AppError};
use crate::i18n::{use_i18n, I18n, Msg, SupplyMsg};
use crate::pricing::format_local;

/// The proposal's data and actions, made outside the gate.
#[derive(Clone, Copy)]
pub struct HqProposalState {
    run: ServerAction<RunProposal>,
    decide: ServerAction<DecideLine>,
    send: ServerAction<SendPurchaseOrders>,
    proposal: Resource<Result<ProposalView, AppError>>,
    save_waves: ServerAction<SetRouteWaves>,
    routes: Resource<Result<RoutesView, AppError>>,
    /// The destination whose lines are shown (its id; empty for every one).
    to: RwSignal<String>,
    /// The first line shown, of those going there.
    from: RwSignal<u32>,
}

impl HqProposalState {
    pub fn new() -> HqProposalState {
        let me = crate::account::use_me_context();
        let run = ServerAction::<RunProposal>::new();
        let decide = ServerAction::<DecideLine>::new();
        let send = ServerAction::<SendPurchaseOrders>::new();
        let to = RwSignal::new(String::new());
        let from = RwSignal::new(0u32);
        let proposal = Resource::new(
            move || {
                (
                    me.session(),
                    run.version().get(),
                    decide.version().get(),
                    send.version().get(),
                    to.get(),
                    from.get(),
                )
            },
            |(_, _, _, _, to, from)| get_proposal(to, from.to_string()),
        );
        let save_waves = ServerAction::<SetRouteWaves>::new();
        let routes = Resource::new(
            move || (me.session(), save_waves.version().get()),
            |_| get_routes(),
        );
        HqProposalState {
            run,
            decide,
            send,
            proposal,
            save_waves,
            routes,
            to,
            from,
        }
    }

    /// Bumped when purchase orders are sent, for the order list.
    pub fn sent(&self) -> Signal<usize> {
        let send = self.send;
        Signal::derive(move || send.version().get())
    }
}

impl Default for HqProposalState {
    fn default() -> Self {
        HqProposalState::new()
    }
}

#[component]
pub fn HqProposal(state: HqProposalState) -> impl IntoView {
    let i18n = use_i18n();
    let HqProposalState {
        run,
        decide,
        send,
        proposal,
        save_waves,
        routes,
        to,
        from,
    } = state;
    view! {
        <section class="supply-proposal">
            <h1>{move || i18n.t(SupplyMsg::ProposalTitle)}</h1>
            <p class="hint">{move || i18n.t(SupplyMsg::ProposalHint)}</p>
            {move || run.value().get().and_then(Result::err).map(error_view)}
            {move || decide.value().get().and_then(Result::err).map(error_view)}
            {move || send.value().get().and_then(Result::err).map(error_view)}
            {move || send.value().get().and_then(Result::ok).map(|n| view! {
                <p class="notice" role="status">{move || i18n.t(SupplyMsg::OrdersSent)} " " {n}</p>
            })}
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match proposal.await {
                        Ok(p) => proposal_view(i18n, p, (run, decide, send), (to, from)).into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
        </section>
        <DeliveryRoutes routes save=save_waves />
    }
}

fn proposal_view(
    i18n: I18n,
    p: ProposalView,
    (run, decide, send): (
        ServerAction<RunProposal>,
        ServerAction<DecideLine>,
        ServerAction<SendPurchaseOrders>,
    ),
    (to, from): (RwSignal<String>, RwSignal<u32>),
) -> impl IntoView {
    let may = p.may_decide;
    let created = p.created_at;
    // A chain-wide run has tens of thousands of lines: a page of them at a time, in the
    // proposal's order, for one destination or all.
    let mut destinations: Vec<(String, String, crate::reception::Named)> = p
        .destinations
        .iter()
        .map(|&id| {
            let (code, name) = site(&p.names, id);
            (code, id.to_string(), name)
        })
        .collect();
    destinations.sort_by(|a, b| a.0.cmp(&b.0));
    let options = destinations
        .into_iter()
        .map(|(code, id, name)| {
            let this = id.clone();
            view! {
                <option value=id selected=move || to.get() == this>
                    {code} " " {move || name.get(i18n.lang()).to_owned()}
                </option>
            }
        })
        .collect_view();
    let (first, matched) = (p.from, p.matched);
    let shown = u32::try_from(p.lines.len()).unwrap_or(PROPOSAL_PAGE);
    let earlier = first > 0;
    let later = first + shown < matched;
    let lines = p
        .lines
        .into_iter()
        .map(|l| line_view(i18n, &p.names, l, may, decide))
        .collect_view();
    view! {
        <div class="proposal-head">
            {match created {
                Some(at) => view! { <p class="created">{move || i18n.t(SupplyMsg::ProposalOf)} " " {move || format_local(at)}</p> }.into_any(),
                None => view! { <p class="empty">{move || i18n.t(SupplyMsg::NoProposal)}</p> }.into_any(),
            }}
            {may.then(|| view! {
                <ActionForm action=run attr:class="run-form">
                    <button type="submit" class="run" disabled=move || run.pending().get()>{move || i18n.t(SupplyMsg::RunProposal)}</button>
                </ActionForm>
            })}
            {(may && p.orders_waiting).then(|| view! {
                <ActionForm action=send attr:class="send-orders-form">
                    <button type="submit" class="send-orders">{move || i18n.t(SupplyMsg::SendOrders)}</button>
                </ActionForm>
            })}
        </div>
        <form class="filters" on:submit=|ev| ev.prevent_default()>
            <label>
                <span>{move || i18n.t(SupplyMsg::FilterLocation)}</span>
                <select name="to" on:change=move |ev| {
                    from.set(0);
                    to.set(event_target_value(&ev));
                }>
                    <option value="" selected=move || to.get().is_empty()>{move || i18n.t(SupplyMsg::All)}</option>
                    {options}
                </select>
            </label>
        </form>
        <nav class="pager" aria-label=move || i18n.t(SupplyMsg::LinesPages)>
            <p class="lines-count" role="status">
                {if shown == 0 { 0 } else { first + 1 }} "–" {first + shown} " / " {matched} " "
                {move || i18n.t(SupplyMsg::LinesShown)}
            </p>
            <button type="button" class="earlier" disabled=!earlier
                on:click=move |_| from.set(first.saturating_sub(PROPOSAL_PAGE))>
                {move || i18n.t(SupplyMsg::EarlierLines)}
            </button>
            <button type="button" class="later" disabled=!later
                on:click=move |_| from.set(first + PROPOSAL_PAGE)>
                {move || i18n.t(SupplyMsg::LaterLines)}
            </button>
        </nav>
        <ol class="proposal-lines" start=first + 1>{lines}</ol>
    }
}

fn site(names: &Names, id: domain::StoreId) -> (String, crate::reception::Named) {
    names
        .sites
        .get(&id)
        .map(|s| (s.code.clone(), s.name.clone()))
        .unwrap_or_default()
}

fn line_status_label(s: LineStatus) -> SupplyMsg {
    match s {
        LineStatus::Proposed => SupplyMsg::LineProposed,
        LineStatus::Approved => SupplyMsg::LineApproved,
        LineStatus::Rejected => SupplyMsg::LineRejected,
        LineStatus::Ordered => SupplyMsg::LineOrdered,
        LineStatus::Superseded => SupplyMsg::LineSuperseded,
    }
}

fn line_view(
    i18n: I18n,
    names: &Names,
    l: LineView,
    may: bool,
    decide: ServerAction<DecideLine>,
) -> impl IntoView {
    let LineView {
        id,
        line,
        status,
        approved_milli,
    } = l;
    let (to_code, to_name) = site(names, line.to);
    let (sku, part, unit) = names
        .parts
        .get(&line.part)
        .map(|p| (p.sku.clone(), p.name.clone(), p.unit.clone()))
        .unwrap_or_default();
    let source = source_text(i18n, names, &line);
    let sentence = sentence(i18n, names, &line);
    let terms = line
        .terms
        .iter()
        .map(|t| {
            let (label, figure) = term_text(i18n, t);
            let sign = if t.signed_milli() < 0 { "−" } else { "+" };
            let class = term_class(t);
            view! {
                <tr class=class>
                    <th scope="row">{label}</th>
                    <td class="num">{sign} {figure}</td>
                </tr>
            }
        })
        .collect_view();
    let quantity = units(line.quantity_milli);
    let eta = line.eta;
    let id_s = id.to_string();
    let id_r = id_s.clone();
    let kind = line.source.code();
    let label_part = part.clone();
    let label_to = to_code.clone();
    view! {
        <li class=format!("proposal-line {kind} {}", status.code()) data-to=to_code.clone() data-sku=sku.clone()>
            <h3>
                <span class="code">{to_code.clone()}</span> " "
                <span>{move || to_name.get(i18n.lang()).to_owned()}</span>
                " · "
                <span class="sku">{sku.clone()}</span> " "
                <span>{move || part.get(i18n.lang()).to_owned()}</span>
                " · "
                <strong class="quantity">{quantity.clone()}</strong> " "
                <span class="unit">{move || unit.get(i18n.lang()).to_owned()}</span>
            </h3>
            <p class="source">{source} " · " {move || i18n.t(SupplyMsg::ColEta)} " " {move || format_local(eta)}</p>
            <p class="reasoning">{sentence}</p>
            <table class="terms">
                <caption>{move || i18n.t(SupplyMsg::HowComputed)}</caption>
                <tbody>{terms}</tbody>
                <tfoot>
                    <tr>
                        <th scope="row">{move || i18n.t(SupplyMsg::TermTotal)}</th>
                        <td class="num total">"= " {quantity.clone()}</td>
                    </tr>
                </tfoot>
            </table>
            <p class="line-status">
                {move || i18n.t(line_status_label(status))}
                {approved_milli.map(|m| view! { " " <span class="approved">{units(m)}</span> })}
            </p>
            {(may && status == LineStatus::Proposed).then(|| view! {
                <div class="decide">
                    <ActionForm action=decide attr:class="approve-form">
                        <input type="hidden" name="line_id" value=id_s.clone() />
                        <input type="hidden" name="decision" value="approve" />
                        <input
                            name="quantity"
                            value=quantity.clone()
                            inputmode="decimal"
                            size="6"
                            aria-label=move || format!("{} {label_to} {}", i18n.t(SupplyMsg::ColQuantity), label_part.get(i18n.lang()))
                        />
                        <button type="submit" class="approve">{move || i18n.t(SupplyMsg::Approve)}</button>
                    </ActionForm>
                    <ActionForm action=decide attr:class="reject-form">
                        <input type="hidden" name="line_id" value=id_r.clone() />
                        <input type="hidden" name="decision" value="reject" />
                        <input type="hidden" name="quantity" value="" />
                        <button type="submit" class="reject">{move || i18n.t(SupplyMsg::Reject)}</button>
                    </ActionForm>
                </div>
            })}
        </li>
    }
}

fn source_text(i18n: I18n, names: &Names, line: &Line) -> impl IntoView {
    match &line.source {
        Source::Store {
            from, distance_m, ..
        } => {
            let (code, name) = site(names, *from);
            let km = format!("{:.1} km", f64::from(*distance_m) / 1000.0);
            view! {
                <span class="from">
                    {move || i18n.t(SupplyMsg::FromStore)} " " <span class="code">{code.clone()}</span> " "
                    {move || name.get(i18n.lang()).to_owned()} " (" {km} ")"
                </span>
            }
            .into_any()
        }
        Source::Warehouse { from, .. } => {
            let (code, _) = site(names, *from);
            view! {
                <span class="from">{move || i18n.t(SupplyMsg::FromWarehouse)} " " <span class="code">{code.clone()}</span></span>
            }
            .into_any()
        }
        Source::Supplier {
            supplier,
            lead_days,
        } => {
            let name = names.suppliers.get(supplier).cloned().unwrap_or_default();
            let lead = *lead_days;
            view! {
                <span class="from">
                    {move || i18n.t(SupplyMsg::FromSupplier)} " " {move || name.get(i18n.lang()).to_owned()}
                    " (" {lead} " " {move || i18n.t(SupplyMsg::Days)} ")"
                </span>
            }
            .into_any()
        }
    }
}

/// The line in words: what the destination lacks and why this source covers it.
fn sentence(i18n: I18n, names: &Names, line: &Line) -> impl IntoView {
    let f = line.forecast;
    let (to, _) = site(names, line.to);
    let quantity = units(line.quantity_milli);
    let demand = units(f.unreserved_milli());
    let days = f.days;
    let reserved = units(f.reserved_milli);
    let spare = match &line.source {
        Source::Store {
            from, spare_milli, ..
        } => Some((site(names, *from).0, units(*spare_milli))),
        Source::Warehouse { from, spare_milli } => {
            Some((site(names, *from).0, units(*spare_milli)))
        }
        Source::Supplier { .. } => None,
    };
    move || {
        let lang = i18n.lang();
        let t = |m: SupplyMsg| m.text(lang);
        match &spare {
            Some((from, spare)) => format!(
                "{to} {} {demand} {} {days} {} ({} {reserved}). {from} {} {spare} {}. {} {quantity}.",
                t(SupplyMsg::SaysExpects),
                t(SupplyMsg::SaysOver),
                t(SupplyMsg::Days),
                t(SupplyMsg::SaysBooked),
                t(SupplyMsg::SaysCanSpare),
                t(SupplyMsg::SaysAboveOwn),
                t(SupplyMsg::SaysSend),
            ),
            None => format!(
                "{} {demand} {} {days} {}. {} {quantity}.",
                t(SupplyMsg::SaysChainExpects),
                t(SupplyMsg::SaysOver),
                t(SupplyMsg::Days),
                t(SupplyMsg::SaysOrder),
            ),
        }
    }
}

fn term_class(t: &Term) -> &'static str {
    match t {
        Term::Due { .. } => "term due",
        Term::OtherUse { .. } => "term other",
        Term::Safety { .. } => "term safety",
        Term::Available { .. } => "term available",
        Term::InTransit { .. } => "term in-transit",
        Term::Rounding { .. } => "term rounding",
        Term::EarlierLines { .. } => "term earlier",
        Term::BeyondSource { .. } => "term beyond",
        Term::StoresDemand { .. } => "term stores-demand",
        Term::SentToStores { .. } => "term sent",
        Term::Unserved { .. } => "term unserved",
        Term::MinimumOrder { .. } => "term minimum",
        Term::PackRounding { .. } => "term pack",
    }
}

/// A term's label (with its counts) and its figure.
fn term_text(i18n: I18n, t: &Term) -> (impl IntoView, String) {
    let t = *t;
    let figure = units(t.signed_milli().unsigned_abs() as u64);
    let label = move || {
        let lang = i18n.lang();
        let m = |m: SupplyMsg| m.text(lang);
        match t {
            Term::Due { cars, days, .. } => format!(
                "{} ({cars} {}, {days} {})",
                m(SupplyMsg::TermDue),
                m(SupplyMsg::Cars),
                m(SupplyMsg::Days)
            ),
            Term::OtherUse { days, .. } => {
                format!(
                    "{} ({days} {})",
                    m(SupplyMsg::TermOther),
                    m(SupplyMsg::Days)
                )
            }
            Term::Safety { .. } => m(SupplyMsg::TermSafety).to_owned(),
            Term::Available { .. } => m(SupplyMsg::TermAvailable).to_owned(),
            Term::InTransit { .. } => m(SupplyMsg::TermInTransit).to_owned(),
            Term::Rounding { .. } => m(SupplyMsg::TermRounding).to_owned(),
            Term::EarlierLines { .. } => m(SupplyMsg::TermEarlier).to_owned(),
            Term::BeyondSource { .. } => m(SupplyMsg::TermBeyond).to_owned(),
            Term::StoresDemand { days, .. } => format!(
                "{} ({days} {})",
                m(SupplyMsg::TermStoresDemand),
                m(SupplyMsg::Days)
            ),
            Term::SentToStores { .. } => m(SupplyMsg::TermSent).to_owned(),
            Term::Unserved { .. } => m(SupplyMsg::TermUnserved).to_owned(),
            Term::MinimumOrder { .. } => m(SupplyMsg::TermMinimum).to_owned(),
            Term::PackRounding { .. } => m(SupplyMsg::TermPack).to_owned(),
        }
    };
    (label, figure)
}
