//! Booking pages (filled in below).
