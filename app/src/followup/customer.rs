//! The customer's side of follow-up (on `/garage`): the satisfaction question of a
//! recent visit, answered with a rating or a complaint; each car's next services due,
//! with why, and the recommended service booked in one tap; how the customer may be
//! contacted, and whether they take campaigns.
//!
//! - Server functions: [`get_my_follow_ups`], [`answer_follow_up`], [`set_contact`].
//! - Components: [`MyFollowUps`], with its [`MyFollowUpsState`] made outside the
//!   garage's sign-in gate.

use domain::followup::Contact;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::FollowUpStorage;
use super::{kind_label, why_due, FollowUpItem};
use crate::error::{error_view, AppError};
use crate::i18n::{use_i18n, FollowMsg, I18n, Msg};
#[cfg(feature = "ssr")]
use crate::storage::use_storage;

/// What the customer's garage shows of follow-up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerFollowUps {
    pub today: time::Date,
    /// Satisfaction questions not yet answered, from the handover until the store's
    /// window for the call closes; newest visit first.
    pub to_answer: Vec<FollowUpItem>,
    /// The open reminders of the customer's cars, soonest first.
    pub due: Vec<FollowUpItem>,
    pub contact: Contact,
}

/// The signed-in customer's follow-ups and contact choices.
#[server(prefix = "/api", endpoint = "my_follow_ups", output = crate::codec::JsonText)]
pub async fn get_my_follow_ups() -> Result<CustomerFollowUps, AppError> {
    let customer = crate::account::session::require_customer().await?;
    Ok(use_storage::<dyn FollowUpStorage>()?
        .customer_view(customer, crate::clock::now())
        .await?)
}

/// The customer answers a visit's satisfaction question: `satisfied` with a `rating` of
/// 1 to 5 and perhaps a comment, or a `complaint` with what was wrong (and perhaps a
/// rating).
#[server(prefix = "/api", endpoint = "answer_follow_up", output = crate::codec::JsonText)]
pub async fn answer_follow_up(
    id: String,
    outcome: String,
    #[server(default)] rating: String,
    #[server(default)] text: String,
) -> Result<FollowUpItem, AppError> {
    crate::account::session::require_same_origin()?;
    let customer = crate::account::session::require_customer().await?;
    let id = domain::FollowUpId::parse(&id)?;
    let outcome = domain::followup::Outcome::parse(&outcome, &rating, &text)?;
    let item = use_storage::<dyn FollowUpStorage>()?
        .answer_online(customer, id, &outcome, crate::clock::now())
        .await?;
    tracing::info!(%customer, follow_up = %id, outcome = outcome.code(), "follow-up answered online");
    Ok(item)
}

/// The customer's contact choices: each box `on` when ticked (a form leaves out the
/// boxes not ticked).
#[server(prefix = "/api", endpoint = "set_contact", output = crate::codec::JsonText)]
pub async fn set_contact(
    #[server(default)] calls: String,
    #[server(default)] sms: String,
    #[server(default)] campaigns: String,
) -> Result<Contact, AppError> {
    crate::account::session::require_same_origin()?;
    let customer = crate::account::session::require_customer().await?;
    let ticked = |v: &str| !v.trim().is_empty();
    let contact = Contact {
        calls: ticked(&calls),
        sms: ticked(&sms),
        campaigns: ticked(&campaigns),
    };
    let saved = use_storage::<dyn FollowUpStorage>()?
        .set_contact(customer, contact, None, crate::clock::now())
        .await?;
    tracing::info!(%customer, calls = saved.calls, sms = saved.sms, campaigns = saved.campaigns, "contact choices saved");
    Ok(saved)
}

/// The resources of [`MyFollowUps`], made outside the garage's gate.
#[derive(Clone, Copy)]
pub struct MyFollowUpsState {
    view: Resource<Result<CustomerFollowUps, AppError>>,
    answer: ServerAction<AnswerFollowUp>,
    contact: ServerAction<SetContact>,
}

impl MyFollowUpsState {
    pub fn new() -> MyFollowUpsState {
        let me = crate::account::use_me_context();
        let answer = ServerAction::<AnswerFollowUp>::new();
        let contact = ServerAction::<SetContact>::new();
        let view = Resource::new(
            move || {
                (
                    me.session(),
                    answer.version().get(),
                    contact.version().get(),
                )
            },
            |_| get_my_follow_ups(),
        );
        MyFollowUpsState {
            view,
            answer,
            contact,
        }
    }
}

impl Default for MyFollowUpsState {
    fn default() -> Self {
        MyFollowUpsState::new()
    }
}

/// The garage's follow-up sections.
#[component]
pub fn MyFollowUps(state: MyFollowUpsState) -> impl IntoView {
    let i18n = use_i18n();
    let MyFollowUpsState {
        view,
        answer,
        contact,
    } = state;
    view! {
        <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match view.await {
                    Ok(v) => body(i18n, v, answer, contact).into_any(),
                    Err(e) => error_view(e).into_any(),
                }
            })}
        </Transition>
    }
}

fn body(
    i18n: I18n,
    v: CustomerFollowUps,
    answer: ServerAction<AnswerFollowUp>,
    contact: ServerAction<SetContact>,
) -> impl IntoView {
    let today = v.today;
    let questions = (!v.to_answer.is_empty()).then(|| {
        let items = v
            .to_answer
            .into_iter()
            .map(|item| question(i18n, item, answer))
            .collect_view();
        view! {
            <section class="my-follow-ups" aria-labelledby="my-follow-ups-h">
                <h2 id="my-follow-ups-h">{move || i18n.t(FollowMsg::HowWasYourVisit)}</h2>
                <p class="hint">{move || i18n.t(FollowMsg::HowWasYourVisitHint)}</p>
                {move || answer.value().get().and_then(Result::err).map(error_view)}
                <ul class="visit-questions">{items}</ul>
            </section>
        }
    });
    let thanks = move || {
        answer.value().get().and_then(Result::ok).map(
            |_| view! { <p class="thanks" role="status">{move || i18n.t(FollowMsg::Thanks)}</p> },
        )
    };
    let due = (!v.due.is_empty()).then(|| {
        let items = v
            .due
            .into_iter()
            .map(|item| {
                let kind = item.kind;
                let book = item.recommended.map(|s| format!("/book?vehicle={}&service={s}", item.vehicle));
                let why = why_due(i18n, &item, today);
                view! {
                    <li class="due-item" data-kind=kind.code() data-plate=item.plate.clone()>
                        <strong>{item.plate.clone()}</strong> " · "
                        <span class="kind">{move || i18n.t(kind_label(kind))}</span> " · "
                        <span class="due">{move || i18n.t(FollowMsg::Due)} " " {item.due.to_string()}</span>
                        {why}
                        {book.map(|href| view! { <a class="book-it button" href=href>{move || i18n.t(FollowMsg::BookIt)}</a> })}
                    </li>
                }
            })
            .collect_view();
        view! {
            <section class="next-due" aria-labelledby="next-due-h">
                <h2 id="next-due-h">{move || i18n.t(FollowMsg::NextDue)}</h2>
                <p class="hint">{move || i18n.t(FollowMsg::NextDueHint)}</p>
                <ul class="due-list">{items}</ul>
            </section>
        }
    });
    let c = v.contact;
    view! {
        {thanks}
        {questions}
        {due}
        <section class="contact-choices" aria-labelledby="contact-h">
            <h2 id="contact-h">{move || i18n.t(FollowMsg::ContactTitle)}</h2>
            <ActionForm action=contact attr:class="contact-form">
                <label class="choice">
                    <input type="checkbox" name="calls" value="on" checked=c.calls />
                    <span>{move || i18n.t(FollowMsg::ContactCalls)}</span>
                </label>
                <label class="choice">
                    <input type="checkbox" name="sms" value="on" checked=c.sms />
                    <span>{move || i18n.t(FollowMsg::ContactSms)}</span>
                </label>
                <label class="choice">
                    <input type="checkbox" name="campaigns" value="on" checked=c.campaigns />
                    <span>{move || i18n.t(FollowMsg::ContactCampaigns)}</span>
                </label>
                <button type="submit" class="save-contact" disabled=move || contact.pending().get()>
                    {move || i18n.t(FollowMsg::SaveContact)}
                </button>
                {move || contact.value().get().map(|r| match r {
                    Ok(_) => view! { <span class="saved" role="status">{move || i18n.t(FollowMsg::ContactSaved)}</span> }.into_any(),
                    Err(e) => error_view(e).into_any(),
                })}
            </ActionForm>
        </section>
    }
}

/// A visit's question: stars and a comment, or a complaint.
fn question(i18n: I18n, item: FollowUpItem, answer: ServerAction<AnswerFollowUp>) -> impl IntoView {
    let store = item.store.clone();
    let services = item.services.clone();
    let stars = super::star_choices();
    view! {
        <li class="visit-question" data-id=item.id.to_string() data-reference=item.order_reference.clone()>
            <p class="visit">
                {item.visit_on.to_string()} " · " {move || store.get(i18n.lang()).to_owned()} " · "
                {move || services.iter().map(|s| s.get(i18n.lang()).to_owned()).collect::<Vec<_>>().join("、")}
                " · " {item.plate.clone()}
            </p>
            <ActionForm action=answer attr:class="answer-form">
                <input type="hidden" name="id" value=item.id.to_string() />
                <fieldset class="rating">
                    <legend>{move || i18n.t(FollowMsg::Rating)}</legend>
                    {stars}
                </fieldset>
                <label class="text">
                    <span>{move || format!("{} / {}", i18n.t(FollowMsg::Comment), i18n.t(FollowMsg::ComplaintText))}</span>
                    <textarea name="text" maxlength="500" rows="2"></textarea>
                </label>
                <div class="answer-actions">
                    <button type="submit" name="outcome" value="satisfied" class="send-rating">
                        {move || i18n.t(FollowMsg::SendRating)}
                    </button>
                    <button type="submit" name="outcome" value="complaint" class="complain">
                        {move || i18n.t(FollowMsg::Complain)}
                    </button>
                </div>
            </ActionForm>
        </li>
    }
}
