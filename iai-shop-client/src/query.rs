//! Query-string encoding of the Admin API: lists comma-separated, nested objects in bracket
//! form (`object[key]=value`). Percent-encoding is left to the URL.

use std::fmt::Display;

use chrono::{NaiveDate, NaiveDateTime};

/// The format of a date in queries and bodies.
pub(crate) const DATE_FORMAT: &str = "%Y-%m-%d";
/// The format of a date-time in queries and bodies.
pub(crate) const DATE_TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// A date or a date-time, for filters that take either (the clients' modification range).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrDateTime {
    /// A whole day, sent as `YYYY-MM-DD`.
    Date(NaiveDate),
    /// A moment, sent as `YYYY-MM-DD HH:MM:SS` (shop-local time).
    DateTime(NaiveDateTime),
}

impl From<NaiveDate> for DateOrDateTime {
    fn from(date: NaiveDate) -> Self {
        Self::Date(date)
    }
}

impl From<NaiveDateTime> for DateOrDateTime {
    fn from(moment: NaiveDateTime) -> Self {
        Self::DateTime(moment)
    }
}

impl Display for DateOrDateTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Date(d) => write!(f, "{}", d.format(DATE_FORMAT)),
            Self::DateTime(dt) => write!(f, "{}", dt.format(DATE_TIME_FORMAT)),
        }
    }
}

/// Collects query pairs in the API's encoding.
#[derive(Debug, Default)]
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    /// `name=value` when there is a value.
    pub(crate) fn opt(&mut self, name: &str, value: Option<impl Display>) -> &mut Self {
        if let Some(value) = value {
            self.0.push((name.to_owned(), value.to_string()));
        }
        self
    }

    /// `name=a,b,c` when the list is not empty.
    pub(crate) fn list<T: Display>(&mut self, name: &str, values: &[T]) -> &mut Self {
        if !values.is_empty() {
            let joined = values
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",");
            self.0.push((name.to_owned(), joined));
        }
        self
    }

    /// `object[{object}Begin]=..&object[{object}End]=..` for the bounds that are set.
    pub(crate) fn range(
        &mut self,
        object: &str,
        begin: Option<impl Display>,
        end: Option<impl Display>,
    ) -> &mut Self {
        self.opt(&format!("{object}[{object}Begin]"), begin);
        self.opt(&format!("{object}[{object}End]"), end)
    }

    /// The pairs, in the order they were added.
    pub(crate) fn into_pairs(self) -> Vec<(String, String)> {
        self.0
    }
}
