-- Published plugins. A version is immutable once published; its manifest pins the connector versions it uses.
create table plugin_version (
    id             bigint generated always as identity primary key,
    plugin_id      text        not null,
    version        text        not null,
    version_major  integer     not null,
    version_minor  integer     not null,
    version_patch  integer     not null,
    label          text        not null,
    description    text,
    manifest       text        not null,
    owner_tenant   text        not null,
    author         text        not null,
    published_at   timestamptz not null,
    unique (plugin_id, version)
);

create index plugin_version_listing on plugin_version (plugin_id, version_major desc, version_minor desc, version_patch desc);
