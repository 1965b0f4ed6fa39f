//! `POST` / `PUT batch/customers`.

use reqwest::Method;
use serde::Serialize;

use super::Customers;
use crate::client::ApiRequest;
use crate::error::Result;
use crate::model::{BatchItemOutcome, BatchOperation, CustomerInput, parse_batch_outcomes};

#[derive(Serialize)]
struct Batch<'a, T> {
    customers: &'a [T],
}

/// An update item: the input plus its `customer_id`.
#[derive(Serialize)]
struct UpdateItem<'a> {
    customer_id: u64,
    #[serde(flatten)]
    input: &'a CustomerInput,
}

impl Customers {
    /// `POST batch/customers`: one outcome per input, in input order (see
    /// [`parse_batch_outcomes`] for the assumed 207 shape). Never retried once it may have
    /// been processed (only a 429 or a refused connection is, see [`crate::retry`]) — check
    /// `Failed` items by searching for their external id before creating them again.
    /// An empty slice sends nothing. Batch size limits are undocumented; keep batches modest.
    pub async fn batch_create(&self, inputs: &[CustomerInput]) -> Result<Vec<BatchItemOutcome>> {
        self.batch(
            Method::POST,
            &Batch { customers: inputs },
            inputs.len(),
            BatchOperation::Create,
        )
        .await
    }

    /// `PUT batch/customers` with `(customer_id, input)` pairs: one outcome per pair.
    pub async fn batch_update(
        &self,
        items: &[(u64, CustomerInput)],
    ) -> Result<Vec<BatchItemOutcome>> {
        let items: Vec<UpdateItem<'_>> = items
            .iter()
            .map(|(customer_id, input)| UpdateItem {
                customer_id: *customer_id,
                input,
            })
            .collect();
        self.batch(
            Method::PUT,
            &Batch { customers: &items },
            items.len(),
            BatchOperation::Update,
        )
        .await
    }

    async fn batch<T: Serialize>(
        &self,
        method: Method,
        body: &Batch<'_, T>,
        expected: usize,
        operation: BatchOperation,
    ) -> Result<Vec<BatchItemOutcome>> {
        if expected == 0 {
            return Ok(Vec::new());
        }
        let response = self
            .client
            .execute(ApiRequest::new(method, "batch/customers").json(body)?)
            .await?;
        // A body that is not JSON still yields one failed outcome per item, carrying it.
        let body = response
            .value()
            .unwrap_or_else(|_| serde_json::Value::String(crate::error::excerpt(&response.body)));
        Ok(parse_batch_outcomes(&body, expected, operation))
    }
}
