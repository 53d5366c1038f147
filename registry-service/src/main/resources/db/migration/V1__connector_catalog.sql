-- The connector catalog: every version of every connector with its review state (registry-service owns it).
create table connector_version (
    id               bigint generated always as identity primary key,
    connector_id     text        not null,
    version          text        not null,
    version_major    integer     not null,
    version_minor    integer     not null,
    version_patch    integer     not null,
    kind             text        not null check (kind in ('vault', 'oauth', 'integration')),
    label            text        not null,
    description      text,
    manifest         text        not null,
    state            text        not null check (state in ('draft', 'in_review', 'approved', 'rejected', 'deprecated')),
    owner_tenant     text        not null,
    author           text        not null,
    review_findings  text,
    review_note      text,
    reviewer         text,
    created_at       timestamptz not null,
    updated_at       timestamptz not null,
    submitted_at     timestamptz,
    decided_at       timestamptz,
    unique (connector_id, version)
);

-- The marketplace lists approved versions, newest first per connector.
create index connector_version_listing on connector_version (state, connector_id, version_major desc, version_minor desc, version_patch desc);
create index connector_version_owner on connector_version (owner_tenant, connector_id);
