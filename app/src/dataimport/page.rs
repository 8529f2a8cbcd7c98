//! HQ's data page (`/hq/data`): choose a kind and a CSV file; the file goes up in
//! pieces under a progress bar, comes back checked (every refused row with its line,
//! column and reason), and is applied whole, or its valid rows when asked. Each kind
//! exports in the same format.

use domain::dataimport::ImportKind;
#[cfg(feature = "hydrate")]
use domain::dataimport::MAX_ROWS;
use leptos::prelude::*;

use super::{Applied, ReportView};
use crate::error::AppError;
use crate::i18n::{domain_error_text, use_i18n, DataMsg, I18n};

/// Characters sent per request: small enough for a progress bar to move on a store's
/// connection, large enough that a full file takes few requests.
#[cfg(feature = "hydrate")]
const PIECE_CHARS: usize = 256 * 1024;

/// Where an import stands (the server renders only the idle form).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Step {
    Idle,
    /// Sending: bytes sent of the total.
    Sending(usize, usize),
    Checking,
    Checked(String, ReportView),
    Applying,
    Applied(Applied),
    Failed(AppError),
}

fn kind_label(kind: ImportKind) -> DataMsg {
    match kind {
        ImportKind::Catalog => DataMsg::KindCatalog,
        ImportKind::Fitment => DataMsg::KindFitment,
        ImportKind::Prices => DataMsg::KindPrices,
        ImportKind::StockCounts => DataMsg::KindStockCounts,
    }
}

#[component]
pub fn HqData() -> impl IntoView {
    let i18n = use_i18n();
    let kind = RwSignal::new(ImportKind::Catalog);
    let step = RwSignal::new(Step::Idle);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let busy = move || {
        matches!(
            step.get(),
            Step::Sending(..) | Step::Checking | Step::Applying
        )
    };
    let on_check = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            let Some(file) = file_input
                .get_untracked()
                .and_then(|input| input.files())
                .and_then(|files| files.get(0))
            else {
                step.set(Step::Failed(AppError::Invalid(domain::Error::ImportEmpty)));
                return;
            };
            leptos::task::spawn_local(upload_and_check(
                kind.get_untracked(),
                gloo_file::File::from(file),
                step,
            ));
        }
    };
    let apply = move |valid_only: bool| {
        let Step::Checked(upload, _) = step.get_untracked() else {
            return;
        };
        step.set(Step::Applying);
        leptos::task::spawn_local(async move {
            let flag = if valid_only { "true" } else { "false" };
            match super::apply_import(upload, flag.to_owned()).await {
                Ok(applied) => step.set(Step::Applied(applied)),
                Err(e) => step.set(Step::Failed(e)),
            }
        });
    };
    view! {
        <section class="data-admin">
            <h1>{move || i18n.t(DataMsg::Title)}</h1>
            <p class="hint">{move || i18n.t(DataMsg::Hint)}</p>
            <form class="import-form" on:submit=on_check>
                <fieldset>
                    <legend>{move || i18n.t(DataMsg::Kind)}</legend>
                    {ImportKind::ALL.into_iter().map(|k| view! {
                        <label class="kind">
                            <input type="radio" name="kind" value=k.code()
                                checked=move || kind.get() == k
                                on:change=move |_| { kind.set(k); step.set(Step::Idle); } />
                            {move || i18n.t(kind_label(k))}
                        </label>
                    }).collect_view()}
                </fieldset>
                <p class="template">
                    {move || i18n.t(DataMsg::Header)} " "
                    <code>{move || kind.get().header().join(",")}</code>
                </p>
                <label class="file">
                    {move || i18n.t(DataMsg::File)}
                    <input type="file" accept=".csv,text/csv" node_ref=file_input
                        on:change=move |_| step.set(Step::Idle) />
                </label>
                <button type="submit" class="check" disabled=busy>{move || i18n.t(DataMsg::Check)}</button>
            </form>
            {move || progress_view(i18n, &step.get())}
            {move || match step.get() {
                Step::Checked(_, report) => report_view(i18n, report, apply).into_any(),
                Step::Applied(applied) => view! {
                    <p class="notice applied" role="status">
                        {move || i18n.t(DataMsg::Applied)} " " {applied.rows}
                        {applied.price_version.map(|v| view! { " · " {move || i18n.t(DataMsg::PriceVersion)} " " {v} })}
                    </p>
                }.into_any(),
                Step::Failed(e) => crate::error::error_view(e).into_any(),
                _ => ().into_any(),
            }}
            <Exports />
        </section>
    }
}

/// The bar while a file goes up, is checked and is applied.
fn progress_view(i18n: I18n, step: &Step) -> impl IntoView {
    let (label, value) = match step {
        Step::Sending(sent, total) => (DataMsg::Sending, (sent * 90 / (*total).max(1)).min(90)),
        Step::Checking => (DataMsg::Checking, 95),
        Step::Applying => (DataMsg::Applying, 98),
        Step::Checked(..) | Step::Applied(_) => (DataMsg::Done, 100),
        _ => return None,
    };
    Some(view! {
        <div class="import-progress">
            <label for="import-progress">{move || i18n.t(label)}</label>
            <progress id="import-progress" max="100" value=value.to_string()>{value} "%"</progress>
        </div>
    })
}

fn report_view(
    i18n: I18n,
    report: ReportView,
    apply: impl Fn(bool) + Copy + 'static,
) -> impl IntoView {
    let clean = report.error_count == 0;
    let valid = report.valid;
    let more = report.error_count.saturating_sub(report.errors.len());
    let rows = report
        .errors
        .into_iter()
        .map(|e| {
            let column = e.column.unwrap_or_default();
            view! {
                <tr data-line=e.line>
                    <td>{e.line}</td>
                    <td><code>{column}</code></td>
                    <td>{move || domain_error_text(&e.error, i18n.lang())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="import-report">
            <p class="summary" role="status">
                {move || i18n.t(DataMsg::Rows)} " " {report.rows} " · "
                {move || i18n.t(DataMsg::Valid)} " " {valid} " · "
                {move || i18n.t(DataMsg::Refused)} " " {report.error_count}
            </p>
            {(!clean).then(|| view! {
                <p class="error" role="alert">{move || i18n.t(DataMsg::NothingApplied)}</p>
                <div class="table-scroll" tabindex="0" role="region" aria-label=move || i18n.t(DataMsg::Refused)>
                    <table class="import-errors">
                        <thead><tr>
                            <th scope="col">{move || i18n.t(DataMsg::Line)}</th>
                            <th scope="col">{move || i18n.t(DataMsg::Column)}</th>
                            <th scope="col">{move || i18n.t(DataMsg::Reason)}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
                {(more > 0).then(|| view! { <p class="more">{move || i18n.t(DataMsg::MoreErrors)} " " {more}</p> })}
            })}
            {if clean {
                view! { <button type="button" class="apply" on:click=move |_| apply(false)>{move || i18n.t(DataMsg::Apply)}</button> }.into_any()
            } else if valid > 0 {
                view! { <button type="button" class="apply-valid" on:click=move |_| apply(true)>{move || i18n.t(DataMsg::ApplyValid)} " (" {valid} ")"</button> }.into_any()
            } else {
                ().into_any()
            }}
        </div>
    }
}

/// Uploads `file` in pieces, then has it checked; `step` follows along.
#[cfg(feature = "hydrate")]
async fn upload_and_check(kind: ImportKind, file: gloo_file::File, step: RwSignal<Step>) {
    let fail = |e: AppError| step.set(Step::Failed(e));
    let text = match gloo_file::futures::read_as_text(&file).await {
        Ok(text) => text,
        Err(_) => return fail(AppError::Invalid(domain::Error::ImportEmpty)),
    };
    // A file far too long is refused before it is sent; the server counts again.
    if text.lines().count() > MAX_ROWS + 1 || text.len() > super::MAX_BYTES {
        return fail(AppError::Invalid(domain::Error::ImportTooLarge));
    }
    let total = text.len();
    let mut upload = String::new();
    let mut sent = 0;
    step.set(Step::Sending(0, total));
    for piece in pieces(&text, PIECE_CHARS) {
        match super::import_piece(upload.clone(), kind.code().to_owned(), piece.to_owned()).await {
            Ok(id) => upload = id,
            Err(e) => return fail(e),
        }
        sent += piece.len();
        step.set(Step::Sending(sent, total));
    }
    step.set(Step::Checking);
    match super::check_import(upload.clone()).await {
        Ok(report) => step.set(Step::Checked(upload, report)),
        Err(e) => fail(e),
    }
}

/// `text` cut into pieces of at most `chars` bytes, each ending on a character's edge.
#[cfg(feature = "hydrate")]
fn pieces(text: &str, chars: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut end = chars.min(rest.len());
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let (piece, tail) = rest.split_at(end);
        out.push(piece);
        rest = tail;
    }
    out
}

/// One download per kind, in the import's own format.
#[component]
fn Exports() -> impl IntoView {
    let i18n = use_i18n();
    let export = Action::new(|kind: &ImportKind| {
        let kind = *kind;
        async move { (kind, super::export_csv(kind.code().to_owned()).await) }
    });
    view! {
        <section class="exports">
            <h2>{move || i18n.t(DataMsg::Export)}</h2>
            <ul>
                {ImportKind::ALL.into_iter().map(|k| view! {
                    <li>
                        <button type="button" class="export" data-kind=k.code()
                            on:click=move |_| { export.dispatch(k); }>
                            {move || i18n.t(DataMsg::Export)} " · " {move || i18n.t(kind_label(k))}
                        </button>
                    </li>
                }).collect_view()}
            </ul>
            {move || export.value().get().map(|(kind, result)| match result {
                Ok(csv) => download_link(i18n, kind, csv).into_any(),
                Err(e) => crate::error::error_view(e).into_any(),
            })}
        </section>
    }
}

/// A link that saves `csv` as `<kind>.csv`.
fn download_link(i18n: I18n, kind: ImportKind, csv: String) -> impl IntoView {
    let name = format!("{}.csv", kind.code());
    #[cfg(feature = "hydrate")]
    let href = {
        let blob = gloo_file::Blob::new_with_options(csv.as_str(), Some("text/csv"));
        // Kept for the page's life: the link may be used more than once.
        let url = gloo_file::ObjectUrl::from(blob);
        let href = url.to_string();
        std::mem::forget(url);
        href
    };
    #[cfg(not(feature = "hydrate"))]
    let href = {
        let _ = &csv;
        String::new()
    };
    view! {
        <p class="download">
            <a href=href download=name.clone() class="download-link" data-kind=kind.code()>
                {move || i18n.t(DataMsg::Download)} " " {name.clone()}
            </a>
        </p>
    }
}
