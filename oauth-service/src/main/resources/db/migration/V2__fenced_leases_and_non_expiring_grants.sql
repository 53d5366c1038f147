-- Fencing: every claim of a grant's lease takes the next generation, and every write of a refresher names the
-- generation it holds. A refresher whose lease lapsed (a slow provider, a paused JVM) and was taken by another
-- replica can then change nothing, and in particular never marks a healthy grant broken.
alter table grant_state add column lease_generation bigint not null default 0;

-- A grant whose token never expires (no expires_in, nothing to refresh it with, as GitHub OAuth apps) has neither
-- an expiry nor a refresh time; claimDue never selects it.
alter table grant_state alter column expires_at drop not null;
alter table grant_state alter column refresh_at drop not null;

-- Who connected the grant (the person whose browser completed the flow), and how a grant ended.
alter table grant_state add column connected_by text;
