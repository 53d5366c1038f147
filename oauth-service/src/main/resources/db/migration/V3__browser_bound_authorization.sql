-- The browser that opened an authorize link (RFC 9700 section 4.7). oauth-service's start URL records when it was
-- opened (a link opens once) and the SHA-256 of the random binder it put in that browser's cookie; the callback is
-- accepted only with that cookie. The binder itself is never stored. Null until the link is opened.
alter table authorization_request add column started_at timestamptz;
alter table authorization_request add column browser_binder_hash text;
