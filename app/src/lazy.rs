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

        #[::leptos_router::lazy_route]
        impl ::leptos_router::LazyRoute for $route {
            fn data() -> Self {
                $crate::lazy::opening();
                Self
            }

            fn view(_this: Self) -> ::leptos::prelude::AnyView {
                ::leptos::prelude::IntoAny::into_any(::leptos::view! { <$view /> })
            }
        }
    )+};
}
pub(crate) use lazy_pages;

/// Room for the splitter to move constant data into the chunks.
///
/// `cargo leptos build --split` moves each chunk's constants (strings, tables) into that
/// chunk, re-laying out `.rodata` module by module with alignment padding. When the new
/// layout comes out even a byte longer than the linker's, the splitter keeps the whole of
/// `.rodata` in the main bundle instead (wasm_split_cli_support 0.2.3, "Overlong segment
/// … putting it in main module"): measured here at about 20 KB brotli more on every first
/// load, and the margin was under 100 bytes, so it flipped with unrelated changes. These
/// bytes are in `.rodata` (kept by `#[used]`) but nothing refers to them, so the splitter
/// drops them and its layout always fits. `bundle.spec.ts` fails if it ever does not.
#[cfg(feature = "hydrate")]
#[used]
static SPLIT_DATA_SLACK: [u8; 4096] = [0xA5; 4096];

#[cfg(feature = "hydrate")]
thread_local! {
    static OPENING: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Notes the address of the page being opened. `data()` runs in the main bundle, before
/// the page's chunk is fetched; the router has set the new address by then but shows it
/// in the address bar only once the chunk has arrived.
pub(crate) fn opening() {
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
        let hash = location.hash.get_untracked();
        if !hash.is_empty() && !hash.starts_with('#') {
            path.push('#');
        }
        path.push_str(&hash);
        OPENING.with(|o| *o.borrow_mut() = Some(path));
    }
}

/// A page's chunk is fetched when the page is first shown. If a new release replaced the
/// files while this page was open, the chunk is gone: the loader panics and, with
/// `panic = "abort"`, the app would stop answering. Open the page being opened afresh
/// instead, which brings the new release; at most once a minute, so a release that is
/// itself missing a chunk cannot loop.
#[cfg(feature = "hydrate")]
pub(crate) fn reload_when_a_chunk_is_gone() {
    // web-sys rather than gloo-storage: gloo throws when the browser blocks storage, and
    // this runs inside a panic hook.
    const KEY: &str = "pitlane.reloaded_for_chunk_at";
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        previous(info);
        // The message of the loader that wasm_split_macros generates for a lazy function
        // (`bundle.spec.ts` fails a chunk to keep this match honest).
        let chunk_failed = info
            .payload_as_str()
            .is_some_and(|m| m.contains("load callback should succeed"));
        if !chunk_failed {
            return;
        }
        let window = leptos::prelude::window();
        let now = crate::clock::now().unix_timestamp_nanos() / 1_000_000;
        let storage = window.session_storage().ok().flatten();
        let recently = storage
            .as_ref()
            .and_then(|s| s.get_item(KEY).ok().flatten())
            .and_then(|at| at.parse::<i128>().ok())
            .is_some_and(|at| (0..60_000).contains(&(now - at)));
        if recently {
            return;
        }
        if let Some(storage) = storage {
            let _ = storage.set_item(KEY, &now.to_string());
        }
        let location = window.location();
        let here = location.pathname().unwrap_or_default()
            + &location.search().unwrap_or_default()
            + &location.hash().unwrap_or_default();
        let _ = match OPENING.with(|o| o.borrow().clone()) {
            // Replace, not push: the address bar may already show the page (hydration).
            Some(path) if path == here => location.replace(&path),
            Some(path) => location.assign(&path),
            None => location.reload(),
        };
    }));
}
