//! `phone_format` through the engine: the numbers written to Thulium are in the configured
//! form, and a second run finds nothing to change.
#![cfg(feature = "engine")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod engine_fakes;

use engine_fakes::{World, no_progress, shop_config};
use sync_core::config::PhoneFormat;

async fn written_phones(format: PhoneFormat) -> (Vec<String>, World) {
    let mut config = shop_config("shop-a");
    config.phone_format = format;
    let world = World::new(config, 3);
    {
        let mut clients = world.shop.clients.lock().unwrap();
        let client = clients.iter_mut().find(|c| c.client_id == 2).unwrap();
        client.billing.phone1 = Some("(+48) 601 234 567".into());
        client.billing.phone2 = Some("+49 30 1234567".into());
    }
    let report = world.engine().full_sync(&no_progress).await.unwrap();
    assert_eq!(report.created, 3, "{report}");
    let phones = world.crm.holding(2)[0].phone_numbers.clone();
    (phones, world)
}

#[tokio::test]
async fn numbers_are_written_in_the_configured_format_and_not_rewritten() {
    let (e164, _) = written_phones(PhoneFormat::E164).await;
    assert_eq!(e164, ["+48601234567", "+49301234567"]);

    let (national, world) = written_phones(PhoneFormat::National).await;
    assert_eq!(national, ["601234567", "+49301234567"]);
    world.reset_calls();
    let again = world.engine().full_sync(&no_progress).await.unwrap();
    assert_eq!((again.created, again.updated), (0, 0), "{again}");
    assert_eq!(world.crm.calls.get("crm.update_customers"), 0);
    assert_eq!(world.crm.calls.get("crm.update_customer"), 0);
}
