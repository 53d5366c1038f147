-- A field whose data key no KEK can unwrap (tampered with, or its key was removed by hand) is set aside by the rewrap
-- job instead of blocking it: it stays visible in /admin/keys and keeps its KEK key from being retired.
alter table sealed_field add column unreadable_since timestamptz;
