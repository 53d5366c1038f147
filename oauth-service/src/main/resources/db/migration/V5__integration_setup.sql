-- Integration installations are known here too: oauth-service runs their setup steps (the source document's setup
-- UI, as data), the way it runs OAuth grants.
alter table known_installation add column kind text not null default 'oauth';

-- One row per setup step of an integration installation: its last check, what it created at the provider
-- (identifiers only, never secrets) so that uninstalling removes it, and who ran it.
create table setup_step_result (
    installation_id  text        not null references known_installation (id),
    step_id          text        not null,
    passed           boolean     not null,
    message          text        not null,
    created_json     text        not null default '{}',
    checked_by       text        not null,
    checked_at       timestamptz not null,
    undone_at        timestamptz,
    primary key (installation_id, step_id)
);
