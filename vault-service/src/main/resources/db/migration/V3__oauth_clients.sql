-- The OAuth clients Polymux uses with providers, one per connector for the platform (its default) and one per
-- connector for any tenant that brings its own OAuth app. oauth-service alone reads and writes them (gRPC).
-- version counts writes; a write may compare-and-set against it.
create table oauth_client (
    id            bigint      generated always as identity primary key,
    -- '' for the platform's default client of the connector, else the tenant whose own client it is.
    tenant        text        not null,
    connector_id  text        not null,
    version       bigint      not null,
    updated_at    timestamptz not null,
    updated_by    text        not null,
    unique (tenant, connector_id)
);

-- One encrypted field of a client (client_id, client_secret; a public client has no secret), sealed exactly like
-- sealed_field: its own data key, wrapped by a key-encryption key; the rewrap job and key retirement cover this table too.
create table oauth_client_field (
    id                bigint      generated always as identity primary key,
    oauth_client_id   bigint      not null references oauth_client (id) on delete cascade,
    field             text        not null check (field in ('client_id', 'client_secret')),
    ciphertext        bytea       not null,
    wrapped_data_key  bytea       not null,
    kek_key_id        bigint      not null,
    fingerprint       text        not null,
    value_length      integer     not null,
    updated_at        timestamptz not null,
    unreadable_since  timestamptz,
    unique (oauth_client_id, field)
);

create index oauth_client_field_by_kek on oauth_client_field (kek_key_id);
