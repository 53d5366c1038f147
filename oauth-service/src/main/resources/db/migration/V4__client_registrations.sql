-- OAuth clients registered with providers, per connector: the platform's default (tenant '') and tenants' own
-- ("bring your own client"). Only what may be shown: the client id and secret live sealed in vault-service,
-- at secret_version there.
create table client_registration (
    tenant              text        not null,
    connector_id        text        not null,
    client_id           text        not null,
    secret_version      bigint      not null,
    secret_fingerprint  text,
    registered_by       text        not null,
    registered_at       timestamptz not null,
    primary key (tenant, connector_id)
);
