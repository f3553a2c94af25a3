-- Evidence bound to what it is about (issue #15, finding 14; see assay_govern::evidence).
-- PostgreSQL; keep in step with ../sqlite/0005_evidence_binding.sql.

-- The SHA-256 of the model file the report records (NULL: it records none), whether that is
-- the version's artifact (1) or not known to be (0: unbound, never satisfies a policy rule),
-- and the report's own time (ms since the Unix epoch; NULL: it records none). Evidence stored
-- before this migration recorded none of these and stays unbound.
ALTER TABLE evidence ADD COLUMN model_sha256 TEXT;
ALTER TABLE evidence ADD COLUMN bound BIGINT NOT NULL DEFAULT 0;
ALTER TABLE evidence ADD COLUMN report_ms BIGINT;
