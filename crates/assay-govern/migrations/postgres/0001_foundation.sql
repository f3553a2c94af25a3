-- assay-govern foundation schema (PostgreSQL). Keep in step with ../sqlite/0001_foundation.sql.
CREATE TABLE models (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    purpose     TEXT NOT NULL DEFAULT '',
    owner       TEXT NOT NULL DEFAULT '',
    risk_tier   TEXT NOT NULL DEFAULT 'unassessed',
    created_ms  BIGINT NOT NULL
);

CREATE TABLE model_versions (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_id         BIGINT NOT NULL REFERENCES models(id),
    version          TEXT NOT NULL,
    artifact_sha256  TEXT NOT NULL CHECK (length(artifact_sha256) = 64),
    stage            TEXT NOT NULL DEFAULT 'development',
    created_ms       BIGINT NOT NULL,
    UNIQUE (model_id, version)
);

-- Hash-chained audit log: see crate::audit for the exact hash encoding. Hashes are lowercase hex.
-- details is stored as TEXT (not a JSON type) so the bytes that were hashed are the bytes kept.
CREATE TABLE audit_log (
    seq        BIGINT PRIMARY KEY,
    time_ms    BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    details    TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);

CREATE TABLE checkpoints (
    seq         BIGINT PRIMARY KEY,
    hash        TEXT NOT NULL,
    signature   TEXT NOT NULL,
    public_key  TEXT NOT NULL,
    created_ms  BIGINT NOT NULL
);
