-- Plugins are listings too (issue 15): draft → in_review → approved | rejected, approved → deprecated, with the same
-- review record as connector versions. Only approved versions are in the Plugins tab and can be installed.
alter table plugin_version
    add column state           text check (state in ('draft', 'in_review', 'approved', 'rejected', 'deprecated')),
    add column review_findings text,
    add column review_note     text,
    add column reviewer        text,
    add column contributors    text[] not null default '{}',
    add column created_at      timestamptz,
    add column updated_at      timestamptz,
    add column submitted_at    timestamptz,
    add column decided_at      timestamptz;

-- Versions published before review existed were live at once: they stay approved, so their installations and the
-- Plugins tab do not change.
update plugin_version
   set state = 'approved', contributors = array[author], created_at = published_at, updated_at = published_at,
       submitted_at = published_at, decided_at = published_at, reviewer = 'policy:published-before-review';

alter table plugin_version
    alter column state set not null,
    alter column created_at set not null,
    alter column updated_at set not null,
    -- set on approval now, not on creation
    alter column published_at drop not null;

create index plugin_version_state on plugin_version (state, plugin_id, version_major desc, version_minor desc, version_patch desc);
create index plugin_version_owner on plugin_version (owner_tenant, plugin_id);
