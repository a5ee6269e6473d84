//! What the national-scale benches share: an event's accepted meetings, written in bulk.

use ketnoi_store::Store;
use ketnoi_store::entity::{meeting_requests, meetings};
use sea_orm::{EntityTrait, Set};

/// Accepted requests and their meetings (not placed yet), `wanted` of them or as many as the
/// pairs allow: each startup meets investors spread evenly. Returns how many were written.
pub async fn accepted_meetings(
    store: &Store,
    event_id: i64,
    startup_ids: &[i64],
    investor_ids: &[i64],
    wanted: usize,
) -> Result<usize, sea_orm::DbErr> {
    let now = jiff::Timestamp::now().as_second();
    let mut pairs = Vec::with_capacity(wanted);
    'pairs: for round in 0.. {
        for (index, startup) in startup_ids.iter().enumerate() {
            if pairs.len() == wanted {
                break 'pairs;
            }
            pairs.push((*startup, investor_ids[(index * 7 + round * 131) % investor_ids.len()]));
        }
        if round > investor_ids.len() {
            break;
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    for chunk in pairs.chunks(500) {
        let requests = chunk.iter().map(|(startup, investor)| meeting_requests::ActiveModel {
            event_id: Set(event_id),
            requester_id: Set(*startup),
            recipient_id: Set(*investor),
            pair_low: Set((*startup).min(*investor)),
            pair_high: Set((*startup).max(*investor)),
            message: Set(String::new()),
            note: Set(String::new()),
            status: Set("accepted".to_owned()),
            priority: Set(1),
            expires_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
        meeting_requests::Entity::insert_many(requests).exec_without_returning(store.connection()).await?;
    }
    let requests = meeting_requests::Entity::find().all(store.connection()).await?;
    for chunk in requests.chunks(500) {
        let rows = chunk.iter().map(|request| meetings::ActiveModel {
            event_id: Set(event_id),
            request_id: Set(request.id),
            startup_id: Set(request.requester_id),
            investor_id: Set(request.recipient_id),
            status: Set("scheduled".to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
        meetings::Entity::insert_many(rows).exec_without_returning(store.connection()).await?;
    }
    Ok(requests.len())
}
