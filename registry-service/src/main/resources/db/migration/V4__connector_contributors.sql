-- Everyone who created, edited or submitted a version: none of them may approve or reject it (issue 10).
alter table connector_version add column contributors text[] not null default '{}';

-- Before this column only the author was known to have touched a version.
update connector_version set contributors = array[author];
