-- What a pending change request needs must not weaken when its model is reassessed (issue #15,
-- finding 1; see assay_govern::changes). SQLite; keep in step with ../postgres/0004_change_request_tiers.sql.

-- The model's risk tier and owner when the request was opened. Requests opened before this
-- migration take the model's values at migration time: those are what the policy read for them
-- until now, so nothing pending becomes weaker.
ALTER TABLE change_requests ADD COLUMN risk_tier_at_open TEXT NOT NULL DEFAULT 'unassessed';
ALTER TABLE change_requests ADD COLUMN owner_at_open TEXT NOT NULL DEFAULT '';
UPDATE change_requests SET
    risk_tier_at_open = COALESCE((SELECT m.risk_tier FROM models m
        JOIN model_versions v ON v.model_id = m.id WHERE v.id = change_requests.version_id),
        'unassessed'),
    owner_at_open = COALESCE((SELECT m.owner FROM models m
        JOIN model_versions v ON v.model_id = m.id WHERE v.id = change_requests.version_id),
        '');

-- Every tier the model was reassessed to while the request was pending, in order: the policy
-- must hold under each of them, the tier at opening and the current one.
CREATE TABLE change_request_tiers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    change_id   BIGINT NOT NULL REFERENCES change_requests(id),
    risk_tier   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    created_ms  BIGINT NOT NULL
);
CREATE INDEX change_request_tiers_change ON change_request_tiers (change_id, id);
