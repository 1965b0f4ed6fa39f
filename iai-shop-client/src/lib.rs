//! iai-shop-client: placeholder, filled by its issue.
