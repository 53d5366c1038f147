-- oauth installations as the registry announced them, with the pinned connector manifest the grant runs by.
create table known_installation (
    id                 text        primary key,
    tenant             text        not null,
    connector_id       text        not null,
    connector_version  text        not null,
    scopes             text        not null,
    manifest           text        not null,
    removed_at         timestamptz,
    created_at         timestamptz not null
);

-- One row per authorize link. The state itself is never stored, only its SHA-256: a database dump cannot complete
-- anyone's authorization. The PKCE verifier is sealed with a key derived from the state, for the same reason.
create table authorization_request (
    state_hash       text        primary key,
    tenant           text        not null,
    installation_id  text        not null,
    redirect_uri     text        not null,
    return_url       text,
    sealed_verifier  bytea,
    requested_by     text        not null,
    created_at       timestamptz not null,
    expires_at       timestamptz not null,
    used_at          timestamptz
);

create index authorization_request_expiry on authorization_request (expires_at);

-- The grant of an oauth installation: when its access token expires, when to refresh it, and the lease that lets
-- exactly one replica refresh it at a time. The tokens themselves live in vault-service (token_version is theirs).
create table grant_state (
    installation_id         text        primary key,
    tenant                  text        not null,
    connector_id            text        not null,
    status                  text        not null check (status in ('active', 'broken', 'revoked')),
    status_reason           text,
    expires_at              timestamptz not null,
    refresh_at              timestamptz not null,
    failures                integer     not null,
    lease_owner             text,
    lease_until             timestamptz,
    token_version           bigint      not null,
    -- SHA-256 of an access token a caller reported rejected (Invalidate): the next GetAccessToken refreshes.
    invalidated_token_hash  text,
    authorized_at           timestamptz not null,
    updated_at              timestamptz not null
);

create index grant_state_due on grant_state (refresh_at) where status = 'active';
