-- assay serve schema (SQLite). Keep in step with ../postgres/0002_service.sql; the test
-- `schema_parity` checks both declare the same tables and columns.

-- Users and service accounts. role is one of the five roles of assay_govern::users::Role;
-- teams is a JSON array of team names (e.g. ["risk"]) that approval policies can require.
CREATE TABLE users (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('user', 'service')),
    role        TEXT NOT NULL CHECK (role IN ('admin', 'model_owner', 'reviewer', 'auditor', 'viewer')),
    teams       TEXT NOT NULL DEFAULT '[]',
    disabled    BIGINT NOT NULL DEFAULT 0,
    created_ms  BIGINT NOT NULL
);

-- API tokens: only the SHA-256 of the token is kept; the token is shown once at creation.
CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     BIGINT NOT NULL REFERENCES users(id),
    token_hash  TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    label       TEXT NOT NULL,
    created_ms  BIGINT NOT NULL,
    expires_ms  BIGINT,
    revoked_ms  BIGINT
);

-- Descriptive inventory fields (intended use, out-of-scope uses, data sources, dependencies,
-- risk answers) as a JSON document; fields that are filtered or joined on stay columns.
ALTER TABLE models ADD COLUMN doc TEXT NOT NULL DEFAULT '{}';
ALTER TABLE models ADD COLUMN annex_iii_area TEXT NOT NULL DEFAULT '';
ALTER TABLE models ADD COLUMN updated_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE model_versions ADD COLUMN doc TEXT NOT NULL DEFAULT '{}';
ALTER TABLE model_versions ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE model_versions ADD COLUMN updated_ms BIGINT NOT NULL DEFAULT 0;

-- Artifacts of a version: content kept in the database (one durable store), identified by its
-- SHA-256; signature/public_key (hex) present when the upload was signed (Ed25519, verified).
CREATE TABLE artifacts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    version_id   BIGINT NOT NULL REFERENCES model_versions(id),
    name         TEXT NOT NULL,
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
    size         BIGINT NOT NULL,
    signature    TEXT,
    public_key   TEXT,
    content      BLOB NOT NULL,
    uploaded_by  TEXT NOT NULL,
    created_ms   BIGINT NOT NULL,
    UNIQUE (version_id, name)
);

-- Audit evidence: JSON reports of assay commands attached to a version, with their verdict.
CREATE TABLE evidence (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    version_id    BIGINT NOT NULL REFERENCES model_versions(id),
    kind          TEXT NOT NULL,
    verdict       TEXT NOT NULL CHECK (verdict IN ('pass', 'fail', 'none')),
    report        TEXT NOT NULL,
    sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
    submitted_by  TEXT NOT NULL,
    created_ms    BIGINT NOT NULL
);

-- Change requests: moving a version to another lifecycle stage.
CREATE TABLE change_requests (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    version_id     BIGINT NOT NULL REFERENCES model_versions(id),
    from_stage     TEXT NOT NULL,
    to_stage       TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('open', 'approved', 'rejected', 'applied', 'withdrawn')),
    requested_by   TEXT NOT NULL,
    impact         TEXT NOT NULL,
    rollback_plan  TEXT NOT NULL,
    created_ms     BIGINT NOT NULL,
    decided_ms     BIGINT
);

-- One decision per reviewer and change request: the UNIQUE constraint makes approvals
-- exactly-once even if two requests race past the application's check.
CREATE TABLE approvals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    change_id   BIGINT NOT NULL REFERENCES change_requests(id),
    reviewer    TEXT NOT NULL,
    role        TEXT NOT NULL,
    teams       TEXT NOT NULL DEFAULT '[]',
    decision    TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
    comment     TEXT NOT NULL DEFAULT '',
    created_ms  BIGINT NOT NULL,
    UNIQUE (change_id, reviewer)
);

-- Every time a version entered production (rollback goes back to the one before).
CREATE TABLE deployments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id    BIGINT NOT NULL REFERENCES models(id),
    version_id  BIGINT NOT NULL REFERENCES model_versions(id),
    change_id   BIGINT,
    actor       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    created_ms  BIGINT NOT NULL
);

CREATE TABLE incidents (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    title        TEXT NOT NULL,
    severity     TEXT NOT NULL CHECK (severity IN ('sev1', 'sev2', 'sev3', 'sev4')),
    status       TEXT NOT NULL CHECK (status IN ('open', 'investigating', 'mitigated', 'resolved')),
    description  TEXT NOT NULL DEFAULT '',
    opened_by    TEXT NOT NULL,
    postmortem   TEXT,
    created_ms   BIGINT NOT NULL,
    resolved_ms  BIGINT
);

CREATE TABLE incident_versions (
    incident_id  BIGINT NOT NULL REFERENCES incidents(id),
    version_id   BIGINT NOT NULL REFERENCES model_versions(id),
    PRIMARY KEY (incident_id, version_id)
);

CREATE TABLE incident_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id  BIGINT NOT NULL REFERENCES incidents(id),
    time_ms      BIGINT NOT NULL,
    actor        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    text         TEXT NOT NULL
);

-- Recurring reviews per model (e.g. a fairness audit every 90 days).
CREATE TABLE review_schedules (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id      BIGINT NOT NULL REFERENCES models(id),
    kind          TEXT NOT NULL,
    every_days    BIGINT NOT NULL CHECK (every_days > 0),
    last_done_ms  BIGINT,
    next_due_ms   BIGINT NOT NULL,
    created_ms    BIGINT NOT NULL,
    UNIQUE (model_id, kind)
);

-- Second safeguard behind the hash chain: the database itself refuses to change or remove an
-- audit entry (someone with raw write access can drop these triggers; the chain still shows it).
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
