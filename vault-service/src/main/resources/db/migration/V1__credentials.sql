-- What vault-service knows of installations, from the registry's installation events: enough to check the tenant
-- and the shape of pasted values without calling the registry back.
create table known_installation (
    id          text        primary key,
    tenant      text        not null,
    kind        text        not null check (kind in ('vault', 'oauth', 'integration')),
    -- connection-entry.schema.json#/$defs/shape as JSON; null for oauth.
    shape       text,
    removed_at  timestamptz,
    created_at  timestamptz not null
);

-- One credential per installation and purpose: the values an installer pasted, or an OAuth token set.
-- version counts writes; token sets are written by compare-and-set against it.
create table credential (
    id               bigint      generated always as identity primary key,
    tenant           text        not null,
    installation_id  text        not null,
    purpose          text        not null check (purpose in ('values', 'token_set')),
    version          bigint      not null,
    updated_at       timestamptz not null,
    updated_by       text        not null,
    unique (installation_id, purpose)
);

-- One encrypted field of a credential: its own data key (wrapped by a key-encryption key) and ciphertext.
create table sealed_field (
    id                bigint      generated always as identity primary key,
    credential_id     bigint      not null references credential (id) on delete cascade,
    field             text        not null,
    ciphertext        bytea       not null,
    wrapped_data_key  bytea       not null,
    -- Which KEK key wrapped the data key: rewrapping moves rows to the primary; a key is retired at zero rows.
    kek_key_id        bigint      not null,
    fingerprint       text        not null,
    value_length      integer     not null,
    updated_at        timestamptz not null,
    unique (credential_id, field)
);

create index sealed_field_by_kek on sealed_field (kek_key_id);
