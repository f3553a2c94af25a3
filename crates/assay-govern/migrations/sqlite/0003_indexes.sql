-- Indexes for the lookups every request makes (SQLite; same statements as ../postgres/0003_indexes.sql).
-- A model's production version (get_model, per-model ownership checks on every owner's write):
-- without this, each lookup reads every version of the model, and write throughput fell from
-- about 965/s to 162/s as one model reached 12,500 versions (bench/govern.sh).
CREATE INDEX model_versions_model_stage ON model_versions (model_id, stage);
CREATE INDEX evidence_version ON evidence (version_id, kind);
CREATE INDEX change_requests_version ON change_requests (version_id, status);
CREATE INDEX deployments_model ON deployments (model_id, id);
CREATE INDEX incident_events_incident ON incident_events (incident_id, id);
CREATE INDEX incident_versions_version ON incident_versions (version_id);
