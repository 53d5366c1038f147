-- A tenant's installations: one per connection key of an installed plugin version.
create table installation (
    id                 text        primary key,
    tenant             text        not null,
    plugin_id          text        not null,
    plugin_version     text        not null,
    connection_key     text        not null,
    kind               text        not null,
    connector_id       text,
    connector_version  text,
    requested_scopes   text        not null,
    connection_entry   text        not null,
    status             text        not null check (status in ('pending', 'active', 'broken', 'revoked')),
    status_reason      text,
    -- The time of the event (or action) behind the current status: older events never override it.
    status_changed_at  timestamptz not null,
    created_at         timestamptz not null
);

-- One live installation per tenant, plugin and connection key; revoked ones stay for the record.
create unique index installation_live on installation (tenant, plugin_id, connection_key) where status <> 'revoked';
create index installation_by_tenant on installation (tenant, plugin_id);
