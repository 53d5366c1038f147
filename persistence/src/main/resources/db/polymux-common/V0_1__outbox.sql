-- The transactional outbox (dev.polymux.persistence.outbox): events committed with the change they announce,
-- relayed to Kafka afterwards. Every service database has it.
create table outbox_event (
    id            bigint generated always as identity primary key,
    event_id      uuid        not null unique,
    topic         text        not null,
    message_key   text,
    event_type    text        not null,
    payload       text        not null,
    created_at    timestamptz not null,
    published_at  timestamptz,
    attempts      integer     not null default 0,
    last_error    text,
    -- Set when the broker refused the event for good (invalid topic, too large): kept for inspection, not retried.
    failed_at     timestamptz
);

-- The relay only ever looks for what is still to send, oldest first.
create index outbox_event_unpublished on outbox_event (id) where published_at is null and failed_at is null;
-- Cleanup of published events past their retention.
create index outbox_event_published_at on outbox_event (published_at) where published_at is not null;
