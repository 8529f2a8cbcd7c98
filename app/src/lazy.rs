//! Every page is a lazy route: its code is a wasm chunk of its own, which the browser
//! fetches when the page is first shown (`cargo leptos build --split`).
//!
//! - [`lazy_pages!`] declares a surface's pages as lazy routes;
//! - [`opening`] remembers which page is being opened, before its chunk is fetched;
//! - `reload_when_a_chunk_is_gone` (browser only) loads that page afresh when its chunk
//!   cannot be fetched any more, instead of letting the app stop.

/// Declares each page as a lazy route: `Route => View;` makes a `Route` whose view is the
/// component `View`, compiled into a chunk of its own. The router uses the routes; the
/// components stay ordinary components, rendered on the server as before.
macro_rules! lazy_pages {
    ($($(#[$doc:meta])* $route:ident => $view:ident;)+) => {$(
        $(#[$doc])*
        pub struct $route;

        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                $crate::lazy::opening();
                Self
            }

            fn view(_this: Self) -> AnyView {
                view! { <$view /> }.into_any()
            }
        }
    )+};
}
pub(crate) use lazy_pages;

#[cfg(feature = "hydrate")]
thread_local! {
    static OPENING: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Notes the address of the page being opened. The router has set it but not yet shown
/// it in the address bar: that happens once the page's chunk has arrived.
pub fn opening() {
    #[cfg(feature = "hydrate")]
    {
        use leptos::prelude::GetUntracked;
        let location = leptos_router::hooks::use_location();
        let search = location.search.get_untracked();
        let mut path = location.pathname.get_untracked();
        if !search.is_empty() {
            path.push('?');
            path.push_str(&search);
        }
        OPENING.with(|o| *o.borrow_mut() = Some(path));
    }
}

/// A page's chunk is fetched when the page is first shown. If a new release replaced the
/// files while this page was open, the chunk is gone: wasm-split then panics and the app
/// would stop answering. Open the page being opened afresh instead, which brings the new
/// release; at most once a minute, so a release that is itself missing a chunk cannot
/// loop.
#[cfg(feature = "hydrate")]
pub(crate) fn reload_when_a_chunk_is_gone() {
    use gloo_storage::{SessionStorage, Storage};
    const KEY: &str = "pitlane.reloaded_for_chunk_at";
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        previous(info);
        // The message of wasm_split_helpers' loader when a chunk cannot be fetched.
        let chunk_failed = info
            .payload_as_str()
            .is_some_and(|m| m.contains("load callback should succeed"));
        let now = js_sys::Date::now();
        let recently = SessionStorage::get::<f64>(KEY).is_ok_and(|at| now - at < 60_000.0);
        if chunk_failed && !recently {
            let _ = SessionStorage::set(KEY, now);
            let location = leptos::prelude::window().location();
            let _ = match OPENING.with(|o| o.borrow().clone()) {
                Some(path) => location.assign(&path),
                None => location.reload(),
            };
        }
    }));
}
