-- clinic's SQLite schema, applied by caseload.Open in numbered steps.
--
-- Each "-- step: N" line starts a step. Open runs, in order and each in its own
-- transaction, every step above the database's PRAGMA user_version, then sets
-- user_version to N in the same transaction. Never edit a step that has shipped:
-- add a new one.
--
-- Conventions: instants are TEXT in UTC, "2006-01-02T15:04:05.000000Z" (fixed
-- width, so they sort as text); calendar dates are TEXT "YYYY-MM-DD"; booleans
-- are INTEGER 0/1; raw questionnaire answers are JSON text.
--
-- Steps 7 and 8 were rewritten after they shipped, the one exception to the
-- rule above (issue 10: no Go field names in SQL). As shipped they kept
-- report rows by triggers that json_extract-ed outcome_json by the Go field
-- names of measures.Outcome (AtCaseness, Recovered...), and filled them the
-- same way, so a renamed field would have silently zeroed reports; now they
-- only create the tables and indexes. The schema they end in is unchanged
-- (schema_current.sql); step 10 drops the old triggers where they exist
-- (hence its IF EXISTS), and caseload.Open writes every report row from Go,
-- from the stored outcomes, for any database that was at steps 1 to 9. The
-- steps as shipped are kept, as test data, in
-- internal/caseload/testdata/schema_steps_1_9_as_shipped.sql.

-- step: 1
-- Staff, teams, patients, referrals, contacts, scores, summaries, reviews.

CREATE TABLE teams (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at TEXT NOT NULL
);

CREATE TABLE patients (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    nhs_number    TEXT NOT NULL DEFAULT '', -- ten digits, or empty
    created_by    INTEGER,                  -- users.id; no FK: users refers to patients
    created_at    TEXT NOT NULL
);

CREATE INDEX patients_nhs_number ON patients (nhs_number) WHERE nhs_number <> '';

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('therapist', 'supervisor', 'admin', 'patient')),
    team_id       INTEGER REFERENCES teams (id),    -- a therapist's team
    patient_id    INTEGER REFERENCES patients (id), -- a patient user's own record
    password_hash TEXT NOT NULL,                    -- argon2id, PHC string format
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

-- The teams a supervisor supervises.
CREATE TABLE team_supervisors (
    team_id INTEGER NOT NULL REFERENCES teams (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (team_id, user_id)
) WITHOUT ROWID;

CREATE INDEX team_supervisors_user ON team_supervisors (user_id);

-- API tokens: only the SHA-256 of a token is kept.
CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    token_hash BLOB NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE referrals (
    id                   INTEGER PRIMARY KEY,
    patient_id           INTEGER NOT NULL REFERENCES patients (id),
    therapist_id         INTEGER NOT NULL REFERENCES users (id),
    team_id              INTEGER NOT NULL REFERENCES teams (id),
    received_on          TEXT NOT NULL,
    problem_descriptor   TEXT NOT NULL,
    intensity            TEXT NOT NULL CHECK (intensity IN ('low', 'high')),
    ended_on             TEXT,
    end_reason           TEXT,
    bring_to_supervision TEXT NOT NULL DEFAULT '',
    created_by           INTEGER REFERENCES users (id),
    created_at           TEXT NOT NULL
);

CREATE INDEX referrals_patient ON referrals (patient_id);
CREATE INDEX referrals_therapist ON referrals (therapist_id);

CREATE TABLE contacts (
    id            INTEGER PRIMARY KEY,
    referral_id   INTEGER NOT NULL REFERENCES referrals (id),
    date          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('assessment', 'treatment', 'follow_up', 'review')),
    attendance    TEXT NOT NULL CHECK (attendance IN ('attended', 'dna', 'cancelled')),
    submission_id TEXT,           -- the form's idempotency key, NULL when none was sent
    recorded_by   INTEGER NOT NULL REFERENCES users (id),
    recorded_at   TEXT NOT NULL
);

-- A referral's contacts in date order (the referral page, summaries).
CREATE INDEX contacts_referral_date ON contacts (referral_id, date, id);
-- A submission is recorded once per referral (a double-clicked form).
CREATE UNIQUE INDEX contacts_submission ON contacts (referral_id, submission_id)
    WHERE submission_id IS NOT NULL;

-- A questionnaire result. Corrections never change a row's values: the old row
-- is marked superseded (who, when, why) and a new row points back to it.
CREATE TABLE scores (
    id                INTEGER PRIMARY KEY,
    contact_id        INTEGER NOT NULL REFERENCES contacts (id),
    instrument        TEXT NOT NULL,
    items_json        TEXT,       -- raw answers, e.g. [1,0,null,...]; NULL for total-only instruments
    total             REAL NOT NULL, -- computed by measures from items_json, never sent by a client
    prorated          INTEGER NOT NULL DEFAULT 0,
    source            TEXT NOT NULL CHECK (source IN ('therapist', 'patient')),
    recorded_by       INTEGER NOT NULL REFERENCES users (id),
    recorded_at       TEXT NOT NULL,
    superseded_at     TEXT,
    superseded_by     INTEGER REFERENCES users (id),
    correction_reason TEXT,
    replaces          INTEGER REFERENCES scores (id)
);

CREATE INDEX scores_contact ON scores (contact_id);
-- One score in force per instrument per contact.
CREATE UNIQUE INDEX scores_current ON scores (contact_id, instrument) WHERE superseded_at IS NULL;

CREATE TRIGGER scores_never_rewritten
BEFORE UPDATE OF contact_id, instrument, items_json, total, prorated, source, recorded_by, recorded_at, replaces ON scores
BEGIN
    SELECT RAISE(ABORT, 'scores are never changed in place: supersede them');
END;

CREATE TRIGGER scores_never_deleted
BEFORE DELETE ON scores
BEGIN
    SELECT RAISE(ABORT, 'scores are never deleted: supersede them');
END;

-- One row per referral: its outcome so far (measures.Outcome as JSON) and a few
-- columns that pages and reports filter on, recomputed in the transaction of
-- every write that changes the referral.
CREATE TABLE referral_summary (
    referral_id        INTEGER PRIMARY KEY REFERENCES referrals (id),
    rule_set           TEXT NOT NULL,
    outcome_json       TEXT NOT NULL,
    is_open            INTEGER NOT NULL,
    therapist_id       INTEGER NOT NULL,
    team_id            INTEGER NOT NULL,
    received_on        TEXT NOT NULL,
    ended_on           TEXT,
    finished           INTEGER NOT NULL,
    treatment_sessions INTEGER NOT NULL,
    first_treatment_on TEXT,
    last_contact_on    TEXT,
    computed_at        TEXT NOT NULL
);

-- A therapist's caseload, and a team's open cases for the weekly review.
CREATE INDEX summary_open_therapist ON referral_summary (therapist_id) WHERE is_open = 1;
CREATE INDEX summary_open_team ON referral_summary (team_id, therapist_id) WHERE is_open = 1;
-- Outcome reports: referrals that ended in a period, by team or service-wide.
CREATE INDEX summary_team_ended ON referral_summary (team_id, ended_on) WHERE ended_on IS NOT NULL;
CREATE INDEX summary_ended ON referral_summary (ended_on) WHERE ended_on IS NOT NULL;
CREATE INDEX summary_received ON referral_summary (received_on);

CREATE TABLE reviews (
    id              INTEGER PRIMARY KEY,
    referral_id     INTEGER NOT NULL REFERENCES referrals (id),
    supervisor_id   INTEGER NOT NULL REFERENCES users (id),
    date            TEXT NOT NULL,
    decision        TEXT NOT NULL CHECK (decision IN ('continue', 'step_up', 'step_down', 'discharge', 'refer_on', 'risk_plan_agreed')),
    note            TEXT NOT NULL DEFAULT '',
    flag_codes_json TEXT NOT NULL DEFAULT '[]', -- the flags in force when recorded
    created_at      TEXT NOT NULL
);

CREATE INDEX reviews_referral ON reviews (referral_id, date);

-- step: 2
-- Patients' access: invitations and questionnaires completed before a session.

CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES referrals (id),
    code_hash   BLOB NOT NULL UNIQUE, -- SHA-256 of the one-time code
    created_by  INTEGER NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    user_id     INTEGER REFERENCES users (id), -- the patient user the code created
    revoked_at  TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX invitations_referral ON invitations (referral_id);

CREATE TABLE questionnaires (
    id           INTEGER PRIMARY KEY,
    referral_id  INTEGER NOT NULL REFERENCES referrals (id),
    submitted_by INTEGER NOT NULL REFERENCES users (id),
    submitted_at TEXT NOT NULL,
    answers_json TEXT NOT NULL, -- {"phq9": [..], "gad7": [..]}
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'discarded')),
    contact_id   INTEGER REFERENCES contacts (id)
);

CREATE INDEX questionnaires_referral ON questionnaires (referral_id, status);

ALTER TABLE contacts ADD COLUMN questionnaire_id INTEGER REFERENCES questionnaires (id);

-- step: 3
-- Accountability: an append-only audit log, and failed sign-ins for throttling.

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    user_id   INTEGER,           -- NULL for anonymous
    action    TEXT NOT NULL,     -- "view", "create", "update", "sign_in", "break_glass"...
    entity    TEXT NOT NULL,     -- "patient", "referral", "contact", "user"...
    entity_id INTEGER,
    address   TEXT NOT NULL DEFAULT '',
    detail    TEXT NOT NULL DEFAULT ''
);

CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, at);
CREATE INDEX audit_log_user ON audit_log (user_id, at);

CREATE TRIGGER audit_log_no_update
BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete
BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TABLE sign_in_failures (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    email   TEXT NOT NULL COLLATE NOCASE,
    address TEXT NOT NULL
);

CREATE INDEX sign_in_failures_email ON sign_in_failures (email, at);
CREATE INDEX sign_in_failures_address ON sign_in_failures (address, at);

-- step: 4
-- Supervision (issue 4): what a review saw, so that a reviewed flag stays
-- quiet until new data changes it; a counter of changes to finished courses,
-- which keys the store's cached expected-response curves; and the index the
-- outcome report needs to find referrals that entered treatment in a period.

ALTER TABLE reviews ADD COLUMN outcome_hash TEXT NOT NULL DEFAULT '';         -- SHA-256 of the summary's outcome_json when recorded
ALTER TABLE reviews ADD COLUMN flag_severities_json TEXT NOT NULL DEFAULT '{}'; -- {"code": "severity"} of the flags in force

CREATE TABLE finished_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);

INSERT INTO finished_generation (id, n) VALUES (1, 0);

CREATE TRIGGER summary_finished_insert
AFTER INSERT ON referral_summary
WHEN NEW.finished = 1
BEGIN
    UPDATE finished_generation SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER summary_finished_update
AFTER UPDATE ON referral_summary
WHEN NEW.finished = 1 OR OLD.finished = 1
BEGIN
    UPDATE finished_generation SET n = n + 1 WHERE id = 1;
END;

CREATE INDEX summary_first_treatment ON referral_summary (first_treatment_on) WHERE first_treatment_on IS NOT NULL;

-- step: 5
-- Patients' access: failed invitation codes, kept to throttle guessing by
-- address and overall (wrong dates of birth for a real code are counted on
-- the invitation itself, in invitations.attempts).

CREATE TABLE invitation_failures (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    address TEXT NOT NULL
);

CREATE INDEX invitation_failures_address ON invitation_failures (address, at);
CREATE INDEX invitation_failures_at ON invitation_failures (at);

-- A patient user's referrals (the invitations they accepted).
CREATE INDEX invitations_user ON invitations (user_id) WHERE user_id IS NOT NULL;

-- step: 6
-- Security (issue 6): sessions kept on the server (so that signing out, an
-- idle half hour or disabling the account ends them, whatever a copy of the
-- cookie says), admins' time-limited "break glass" access to one patient's
-- records, and the patient each audit row concerns (to search by patient and
-- show a record's viewers).

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   BLOB NOT NULL UNIQUE, -- SHA-256 of the random id the cookie carries
    user_id      INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    address      TEXT NOT NULL DEFAULT '',
    ended_at     TEXT                  -- signed out, timed out, or the account disabled
);

CREATE INDEX sessions_user ON sessions (user_id) WHERE ended_at IS NULL;

-- A grant is evidence: never changed or removed, it simply expires.
CREATE TABLE break_glass (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    reason     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE INDEX break_glass_user ON break_glass (user_id, patient_id, expires_at);

CREATE TRIGGER break_glass_no_update
BEFORE UPDATE ON break_glass
BEGIN
    SELECT RAISE(ABORT, 'break-glass grants are never changed');
END;

CREATE TRIGGER break_glass_no_delete
BEFORE DELETE ON break_glass
BEGIN
    SELECT RAISE(ABORT, 'break-glass grants are never deleted');
END;

ALTER TABLE audit_log ADD COLUMN patient_id INTEGER; -- whose record, when the row concerns one

CREATE INDEX audit_log_patient ON audit_log (patient_id, at) WHERE patient_id IS NOT NULL;
CREATE INDEX audit_log_at ON audit_log (at);

-- step: 7
-- Outcome reports (issue 4): each referral's outcome judgements as plain
-- columns, so that a year's report reads narrow rows instead of extracting
-- them from every outcome's JSON. (Step 8 replaces the table.)

CREATE TABLE report_outcome (
    referral_id            INTEGER PRIMARY KEY, -- referral_summary.referral_id
    at_caseness            INTEGER NOT NULL,
    recovered              INTEGER NOT NULL,
    reliable_improvement   INTEGER NOT NULL,
    reliable_recovery      INTEGER NOT NULL,
    reliable_deterioration INTEGER NOT NULL,
    no_reliable_change     INTEGER NOT NULL,
    paired                 INTEGER NOT NULL,
    wait_days              INTEGER NOT NULL, -- -1 when treatment never started
    anxiety                TEXT NOT NULL,    -- the anxiety measure judged on
    phq9_count             INTEGER NOT NULL,
    phq9_first             REAL,
    phq9_last              REAL,
    phq9_paired            INTEGER NOT NULL,
    anxiety_count          INTEGER NOT NULL,
    anxiety_first          REAL,
    anxiety_last           REAL,
    anxiety_paired         INTEGER NOT NULL
);

-- step: 8
-- Outcome reports, faster: report_outcome (step 7) still sent every report
-- through the wide summary rows for their dates and teams. report_referral
-- holds everything a report reads of a referral's summary, narrow and
-- indexed by the three dates a period is matched on; a year's report then
-- reads a few megabytes instead of the summaries' outcome JSON.
-- (Databases that ran step 7 as it first shipped have its triggers.)

DROP TRIGGER IF EXISTS summary_report_insert;
DROP TRIGGER IF EXISTS summary_report_update;
DROP TABLE report_outcome;

CREATE TABLE report_referral (
    referral_id            INTEGER PRIMARY KEY, -- referral_summary.referral_id
    team_id                INTEGER NOT NULL,
    therapist_id           INTEGER NOT NULL,
    received_on            TEXT NOT NULL,
    first_treatment_on     TEXT,
    ended_on               TEXT,
    is_open                INTEGER NOT NULL,
    finished               INTEGER NOT NULL,
    treatment_sessions     INTEGER NOT NULL,
    at_caseness            INTEGER NOT NULL,
    recovered              INTEGER NOT NULL,
    reliable_improvement   INTEGER NOT NULL,
    reliable_recovery      INTEGER NOT NULL,
    reliable_deterioration INTEGER NOT NULL,
    no_reliable_change     INTEGER NOT NULL,
    paired                 INTEGER NOT NULL,
    wait_days              INTEGER NOT NULL, -- -1 when treatment never started
    anxiety                TEXT NOT NULL,    -- the anxiety measure judged on
    phq9_count             INTEGER NOT NULL,
    phq9_first             REAL,
    phq9_last              REAL,
    phq9_paired            INTEGER NOT NULL,
    anxiety_count          INTEGER NOT NULL,
    anxiety_first          REAL,
    anxiety_last           REAL,
    anxiety_paired         INTEGER NOT NULL
);

CREATE INDEX report_referral_received ON report_referral (received_on);
CREATE INDEX report_referral_first_treatment ON report_referral (first_treatment_on) WHERE first_treatment_on IS NOT NULL;
CREATE INDEX report_referral_ended ON report_referral (ended_on) WHERE ended_on IS NOT NULL;

-- step: 9
-- Outcome reports read report_referral by scanning it in rowid order: the
-- table is narrow, and a scan of 100,000 referrals takes tens of
-- milliseconds, less than matching a period's three dates through three
-- indexes and sorting the result. The date indexes of step 8 go.

DROP INDEX report_referral_received;
DROP INDEX report_referral_first_treatment;
DROP INDEX report_referral_ended;

-- step: 10
-- No Go names in SQL (issue 10): steps 7 and 8 as they first shipped made
-- triggers that extracted report_referral's columns from outcome_json by the
-- Go field names of measures.Outcome, so renaming a field would have
-- silently zeroed every report. caseload now writes report_referral itself,
-- from the outcome in hand, in the same transaction as the summary
-- (summary.go). Databases that ran those steps still have the triggers; a
-- database made since never had them. In this step's transaction Open also
-- rewrites every report row from Go, from each summary's stored outcome
-- (backfillReports in store.go), for databases whose report rows steps 7
-- and 8 no longer fill.

DROP TRIGGER IF EXISTS summary_report_insert;
DROP TRIGGER IF EXISTS summary_report_update;

-- step: 11
-- Clinical safety (issue 11): risk alerts. Any PHQ-9 item 9 answer above 0,
-- from a session or from a patient's own answers, opens an alert on the
-- referral in the transaction that stores the answer. An alert stays open
-- until a clinician acknowledges it with a note of the action taken; it is
-- never deleted, and only its acknowledgement is ever written after it opens.

CREATE TABLE risk_alerts (
    id               INTEGER PRIMARY KEY,
    referral_id      INTEGER NOT NULL REFERENCES referrals (id),
    source           TEXT NOT NULL CHECK (source IN ('session', 'patient')),
    contact_id       INTEGER REFERENCES contacts (id),       -- source 'session'
    questionnaire_id INTEGER REFERENCES questionnaires (id), -- source 'patient'
    answered_by      INTEGER REFERENCES users (id),          -- the patient user (or staff who relayed their answers), or the clinician who recorded the session
    answered_on      TEXT NOT NULL,                          -- calendar date of the answer (session date; day sent, in England)
    answered_at      TEXT,                                   -- instant a patient sent it; NULL for a session
    item9            INTEGER NOT NULL CHECK (item9 BETWEEN 1 AND 3),
    priority         TEXT NOT NULL CHECK (priority IN ('high', 'standard')),
    opened_at        TEXT NOT NULL,
    opened_note      TEXT NOT NULL DEFAULT '',               -- e.g. opened by this step from earlier answers
    acknowledged_at  TEXT,
    acknowledged_by  INTEGER REFERENCES users (id),
    ack_note         TEXT
);

CREATE INDEX risk_alerts_referral ON risk_alerts (referral_id, opened_at);
CREATE INDEX risk_alerts_open ON risk_alerts (referral_id) WHERE acknowledged_at IS NULL;

CREATE TRIGGER risk_alerts_no_delete
BEFORE DELETE ON risk_alerts
BEGIN
    SELECT RAISE(ABORT, 'risk alerts are never deleted');
END;

CREATE TRIGGER risk_alerts_acknowledged_once
BEFORE UPDATE ON risk_alerts
WHEN OLD.acknowledged_at IS NOT NULL
  OR NEW.referral_id IS NOT OLD.referral_id
  OR NEW.source IS NOT OLD.source
  OR NEW.contact_id IS NOT OLD.contact_id
  OR NEW.questionnaire_id IS NOT OLD.questionnaire_id
  OR NEW.answered_by IS NOT OLD.answered_by
  OR NEW.answered_on IS NOT OLD.answered_on
  OR NEW.answered_at IS NOT OLD.answered_at
  OR NEW.item9 IS NOT OLD.item9
  OR NEW.priority IS NOT OLD.priority
  OR NEW.opened_at IS NOT OLD.opened_at
  OR NEW.opened_note IS NOT OLD.opened_note
BEGIN
    SELECT RAISE(ABORT, 'a risk alert is only ever acknowledged, once');
END;

-- A risk answer is never lost: existing answers no clinician has
-- acknowledged open alerts now. (1) Every patient's own answer with item 9
-- above 0 that no session has settled (pending, or set aside by the
-- patient), on any referral, ended or not: nobody has confirmed it.
INSERT INTO risk_alerts (referral_id, source, questionnaire_id, answered_by, answered_on, answered_at, item9, priority, opened_at, opened_note)
SELECT
    q.referral_id,
    'patient',
    q.id,
    q.submitted_by,
    substr(q.submitted_at, 1, 10), -- UTC date: SQL has no Europe/London; within an hour of the English date
    q.submitted_at,
    json_extract(q.answers_json, '$.phq9[8]'),
    CASE WHEN json_extract(q.answers_json, '$.phq9[8]') >= 2 THEN 'high' ELSE 'standard' END,
    strftime('%Y-%m-%dT%H:%M:%S', 'now') || '.000000Z',
    'Opened on upgrade from an answer sent before risk alerts existed'
FROM questionnaires q
WHERE q.contact_id IS NULL
  AND q.status IN ('pending', 'discarded')
  AND json_extract(q.answers_json, '$.phq9[8]') BETWEEN 1 AND 3;

-- (2) On open referrals, the latest PHQ-9 in force that answered item 9,
-- when above 0: the answer the risk banner shows today. Earlier session
-- answers were superseded by a later session's, which a clinician recorded.
INSERT INTO risk_alerts (referral_id, source, contact_id, answered_by, answered_on, item9, priority, opened_at, opened_note)
SELECT referral_id, 'session', contact_id, recorded_by, date, item9,
    CASE WHEN item9 >= 2 THEN 'high' ELSE 'standard' END,
    strftime('%Y-%m-%dT%H:%M:%S', 'now') || '.000000Z',
    'Opened on upgrade from the latest session answer before risk alerts existed'
FROM (
    SELECT
        c.referral_id,
        c.id AS contact_id,
        c.recorded_by,
        c.date,
        json_extract(s.items_json, '$[8]') AS item9,
        ROW_NUMBER() OVER (PARTITION BY c.referral_id ORDER BY c.date DESC, c.id DESC) AS n
    FROM scores s
    JOIN contacts c ON c.id = s.contact_id
    JOIN referrals r ON r.id = c.referral_id
    WHERE s.instrument = 'phq9'
      AND s.superseded_at IS NULL
      AND r.ended_on IS NULL
      AND json_extract(s.items_json, '$[8]') IS NOT NULL
)
WHERE n = 1 AND item9 BETWEEN 1 AND 3;

INSERT INTO audit_log (at, user_id, action, entity, entity_id, patient_id, address, detail)
SELECT a.opened_at, NULL, 'open_risk_alert', 'referral', a.referral_id, r.patient_id, '',
    'risk alert ' || a.id || ' (' || a.source || ', item 9 = ' || a.item9 || '): ' || a.opened_note
FROM risk_alerts a
JOIN referrals r ON r.id = a.referral_id;

-- step: 12
-- Security, round two (issue 15). API tokens end: each has an expiry and a
-- last-used time, and a name its owner gave it. Tokens made before this
-- step get 90 days from the upgrade (stamped in the store's format), so an
-- integration is not cut off by the upgrade itself. Audit rows written
-- under an API token name it.

ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
ALTER TABLE api_tokens ADD COLUMN name TEXT NOT NULL DEFAULT '';
UPDATE api_tokens SET expires_at = strftime('%Y-%m-%dT%H:%M:%S', 'now', '+90 days') || '.000000Z'
WHERE expires_at IS NULL;
CREATE INDEX api_tokens_user ON api_tokens (user_id);

ALTER TABLE audit_log ADD COLUMN token_id INTEGER; -- the API token the request carried, if any
-- Patients may hold no API token: any made before this step is revoked.
UPDATE api_tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%S', 'now') || '.000000Z'
WHERE revoked_at IS NULL AND user_id IN (SELECT id FROM users WHERE role = 'patient');

-- step: 13
-- Password resets (issue 16): an admin makes a one-time code for a user who
-- has forgotten their password. Only the code's hash is kept; it works
-- once, until expires_at; a newer code for the same user revokes older ones.
CREATE TABLE password_resets (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    code_hash  BLOB NOT NULL UNIQUE,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    revoked_at TEXT
);
CREATE INDEX password_resets_user ON password_resets (user_id);

-- step: 14
-- Finding patients (issue 14): a search by date of birth starts from its
-- index; a supervisor's search by name from their teams' patients, read
-- from this covering index alone (a tenth of the service: without
-- patient_id in it, SQLite would rather scan the table).

CREATE INDEX patients_date_of_birth ON patients (date_of_birth);
CREATE INDEX referrals_team ON referrals (team_id, patient_id);

-- step: 15
-- Waiting list and movements of care (issue 14). A referral received
-- without a therapist waits (allocated = 0) on its team's list, held
-- meanwhile by whoever received it; each allocation, step up, step down and
-- transfer is kept in referral_moves (who held it, at which intensity,
-- why). Every contact keeps the intensity of the care it was part of, so
-- that reports and the data set count it at the step it was given, not at
-- today's; contacts before this step were at their referral's intensity.

ALTER TABLE referrals ADD COLUMN allocated INTEGER NOT NULL DEFAULT 1;

CREATE INDEX referrals_waiting ON referrals (team_id, received_on) WHERE allocated = 0;

CREATE TABLE referral_moves (
    id                INTEGER PRIMARY KEY,
    referral_id       INTEGER NOT NULL REFERENCES referrals (id),
    kind              TEXT NOT NULL CHECK (kind IN ('allocate', 'step_up', 'step_down', 'transfer')),
    from_therapist_id INTEGER REFERENCES users (id), -- NULL when allocated from the waiting list
    from_intensity    TEXT NOT NULL,
    to_therapist_id   INTEGER NOT NULL REFERENCES users (id),
    to_intensity      TEXT NOT NULL CHECK (to_intensity IN ('low', 'high')),
    reason            TEXT NOT NULL,
    moved_by          INTEGER NOT NULL REFERENCES users (id),
    created_at        TEXT NOT NULL
);

CREATE INDEX referral_moves_referral ON referral_moves (referral_id, id);

ALTER TABLE contacts ADD COLUMN intensity TEXT NOT NULL DEFAULT '';

UPDATE contacts SET intensity = (SELECT r.intensity FROM referrals r WHERE r.id = contacts.referral_id);

-- Cover (issue 14): a therapist covers a colleague's caseload (leave) from
-- one date to another, both included, as granted by a supervisor of their
-- team; it ends by itself.
CREATE TABLE covers (
    id           INTEGER PRIMARY KEY,
    therapist_id INTEGER NOT NULL REFERENCES users (id), -- who covers
    colleague_id INTEGER NOT NULL REFERENCES users (id), -- whose caseload
    from_on      TEXT NOT NULL,
    to_on        TEXT NOT NULL,
    reason       TEXT NOT NULL,
    granted_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL,
    CHECK (from_on <= to_on AND therapist_id <> colleague_id)
);

CREATE INDEX covers_therapist ON covers (therapist_id, to_on);
CREATE INDEX covers_colleague ON covers (colleague_id, to_on);

-- step: 16
-- The national data set (issue 12): what NHS England's IDS v2.1 needs beyond
-- recovery. Code lists live in internal/dataset, not here, so a service can
-- correct a list without a schema step; the columns hold the codes.
--
-- A contact's purpose and attendance keep their first-release columns (kind:
-- assessment, treatment, follow_up, review; attendance: attended, dna,
-- cancelled), which every reader and the outcome summary use, and gain the
-- data set's full value beside them: purpose (six AppTypes) and
-- attendance_outcome (six AttendOrDNA codes), NULL on rows of the first
-- release, whose kind and attendance say it all. The coarse columns are
-- written from the full value (assessment_treatment and review_treatment are
-- treatment; attended_late is attended; late_not_seen is dna; both
-- cancellations are cancelled), so the outcome rules read the same answer
-- from either.

ALTER TABLE contacts ADD COLUMN purpose TEXT
    CHECK (purpose IN ('assessment', 'treatment', 'assessment_treatment', 'review', 'review_treatment', 'follow_up'));
ALTER TABLE contacts ADD COLUMN attendance_outcome TEXT
    CHECK (attendance_outcome IN ('attended', 'attended_late', 'late_not_seen', 'dna', 'cancelled_by_patient', 'cancelled_by_provider'));
ALTER TABLE contacts ADD COLUMN medium TEXT;              -- dataset.Media word, NULL when not recorded
ALTER TABLE contacts ADD COLUMN duration_minutes INTEGER CHECK (duration_minutes BETWEEN 1 AND 600);
ALTER TABLE contacts ADD COLUMN therapy_type TEXT;        -- SNOMED CT (IDS202), NULL when not recorded
ALTER TABLE contacts ADD COLUMN employment_status TEXT;   -- EmployStatus (IDS004), NULL when not recorded
ALTER TABLE contacts ADD COLUMN local_id TEXT;            -- CareContactId of the system it was imported from
ALTER TABLE contacts ADD COLUMN care_prof_local_id TEXT;  -- CareProfLocalId of an imported contact

CREATE UNIQUE INDEX contacts_local_id ON contacts (local_id) WHERE local_id IS NOT NULL;

-- A patient's demographics, one row per change, never updated: the latest
-- row is in force, the earlier ones are the history.
CREATE TABLE patient_demographics (
    id                     INTEGER PRIMARY KEY,
    patient_id             INTEGER NOT NULL REFERENCES patients (id),
    ethnic_category        TEXT NOT NULL DEFAULT '',
    gender_identity        TEXT NOT NULL DEFAULT '',
    stated_gender          TEXT NOT NULL DEFAULT '',
    sexual_orientation     TEXT NOT NULL DEFAULT '',
    preferred_language     TEXT NOT NULL DEFAULT '',
    interpreter_needed     INTEGER NOT NULL DEFAULT 0,
    ex_armed_forces        TEXT NOT NULL DEFAULT '',
    disability             TEXT NOT NULL DEFAULT '', -- DisabilityCode values, comma-separated
    postcode               TEXT NOT NULL DEFAULT '',
    gp_practice_code       TEXT NOT NULL DEFAULT '',
    long_term_conditions   TEXT NOT NULL DEFAULT '', -- SNOMED CT ids, comma-separated
    recorded_by            INTEGER REFERENCES users (id),
    recorded_at            TEXT NOT NULL
);

CREATE INDEX patient_demographics_patient ON patient_demographics (patient_id, id);

CREATE TRIGGER patient_demographics_never_rewritten
BEFORE UPDATE ON patient_demographics
BEGIN
    SELECT RAISE(ABORT, 'demographics are never changed in place: add a row');
END;

-- What the data set needs of a referral beyond what clinic kept already.
CREATE TABLE referral_dataset (
    referral_id        INTEGER PRIMARY KEY REFERENCES referrals (id),
    source_of_referral TEXT NOT NULL DEFAULT '', -- SourceOfReferralIAPT
    ltc_pathway        INTEGER NOT NULL DEFAULT 0, -- IAPTLTCServiceInd
    end_code           TEXT NOT NULL DEFAULT '', -- EndCode, set when the referral ends
    local_id           TEXT                      -- ServiceRequestId of the system it was imported from
);

CREATE UNIQUE INDEX referral_dataset_local_id ON referral_dataset (local_id) WHERE local_id IS NOT NULL;

-- A patient's local id in the system they were imported from (LocalPatientId).
CREATE TABLE patient_local_ids (
    local_id   TEXT PRIMARY KEY,
    patient_id INTEGER NOT NULL UNIQUE REFERENCES patients (id)
) WITHOUT ROWID;

-- The care professionals of imported records (IDS902), by their local id in
-- the system they came from; user_id, when set, is the member of staff they
-- are, whose caseload the imported referrals join.
CREATE TABLE care_professionals (
    local_id      TEXT PRIMARY KEY,
    qualification TEXT NOT NULL DEFAULT '',
    user_id       INTEGER REFERENCES users (id)
) WITHOUT ROWID;

-- A care professional's qualification (IDS902), set by an admin.
CREATE TABLE staff_qualifications (
    user_id       INTEGER PRIMARY KEY REFERENCES users (id),
    qualification TEXT NOT NULL, -- QualAttainLevelIAPT
    set_by        INTEGER REFERENCES users (id),
    set_at        TEXT NOT NULL
);

-- step: 17
-- Outcome reports aggregate where the data is (issue 17): each figure is a
-- GROUP BY over the report_referral rows with one date in the period, a
-- query per date, so each date has an index again; the team and therapist
-- follow the date in it, so that a team's or one therapist's period reads
-- only the period's index entries (step 9's scan of the whole table made a
-- therapist's month grow with the whole service). The ended index also
-- holds the judgements the outcome counts add up (with the PHQ-9 and
-- anxiety counts: not at caseness at the start needs both first scores),
-- so that those counts are read from the index alone, never from the table.

CREATE INDEX report_referral_received ON report_referral (received_on, team_id, therapist_id);
CREATE INDEX report_referral_first_treatment ON report_referral (first_treatment_on, team_id, therapist_id) WHERE first_treatment_on IS NOT NULL;
CREATE INDEX report_referral_ended ON report_referral (ended_on, team_id, therapist_id,
    finished, at_caseness, recovered, reliable_improvement, reliable_recovery, reliable_deterioration, paired, wait_days,
    phq9_count, anxiety_count)
    WHERE ended_on IS NOT NULL;

-- step: 18
-- What NHS England publishes about a service (issue 13): waits to
-- assessment and between treatments, endings by EndCode, stepped care,
-- outcomes by group, data quality. report_referral gains what those need,
-- written from Go beside the rest of the row (report_facts.go) whenever a
-- referral's contacts, ending or patient's demographics change; in this
-- step's transaction Open writes them for every existing row, from the
-- contacts, scores and demographics (nothing is lost: the columns are new).
-- Groups are the keys of internal/dataset's reporting dimensions.

ALTER TABLE report_referral ADD COLUMN first_assessment_on TEXT;                        -- first attended assessment (or, without one, first attended treatment)
ALTER TABLE report_referral ADD COLUMN assessment_days INTEGER NOT NULL DEFAULT -1;      -- received to first assessment; -1 when none
ALTER TABLE report_referral ADD COLUMN second_treatment_on TEXT;                        -- second attended treatment appointment
ALTER TABLE report_referral ADD COLUMN first_second_days INTEGER NOT NULL DEFAULT -1;    -- first to second attended treatment; -1 when none
ALTER TABLE report_referral ADD COLUMN last_contact_on TEXT;                            -- last attended contact
ALTER TABLE report_referral ADD COLUMN end_code TEXT NOT NULL DEFAULT '';               -- EndCode
ALTER TABLE report_referral ADD COLUMN intensity_mix TEXT NOT NULL DEFAULT '';          -- attended treatment at: low, both, high; '' none
ALTER TABLE report_referral ADD COLUMN step_up_days INTEGER NOT NULL DEFAULT -1;         -- last low to first high treatment after it; -1 when never stepped up
ALTER TABLE report_referral ADD COLUMN ethnic_group TEXT NOT NULL DEFAULT 'not_stated';
ALTER TABLE report_referral ADD COLUMN age_band TEXT NOT NULL DEFAULT 'not_stated';
ALTER TABLE report_referral ADD COLUMN gender_identity TEXT NOT NULL DEFAULT 'not_stated';
ALTER TABLE report_referral ADD COLUMN sexual_orientation TEXT NOT NULL DEFAULT 'not_stated';
ALTER TABLE report_referral ADD COLUMN disability TEXT NOT NULL DEFAULT 'not_stated';
ALTER TABLE report_referral ADD COLUMN employment_status TEXT NOT NULL DEFAULT 'not_stated';
ALTER TABLE report_referral ADD COLUMN long_term_condition TEXT NOT NULL DEFAULT 'not_stated';
ALTER TABLE report_referral ADD COLUMN consultation_medium TEXT NOT NULL DEFAULT 'not_stated';
ALTER TABLE report_referral ADD COLUMN adsm_expected INTEGER NOT NULL DEFAULT 0;        -- the descriptor has its own anxiety measure
ALTER TABLE report_referral ADD COLUMN adsm_paired INTEGER NOT NULL DEFAULT 0;          -- and it has two scores
ALTER TABLE report_referral ADD COLUMN anxiety_one_or_none INTEGER NOT NULL DEFAULT 0;  -- one or no GAD-7 and ADSM score
ALTER TABLE report_referral ADD COLUMN wsas_complete INTEGER NOT NULL DEFAULT 0;        -- a WSAS with at least 4 of 5 items

-- Each figure reads its date's index alone, as those of step 17 do.
CREATE INDEX report_referral_first_assessment ON report_referral (first_assessment_on, team_id, therapist_id, assessment_days)
    WHERE first_assessment_on IS NOT NULL;
CREATE INDEX report_referral_second_treatment ON report_referral (second_treatment_on, team_id, therapist_id, first_second_days)
    WHERE second_treatment_on IS NOT NULL;
-- Still open at a date: received by then, not ended (or ended after it).
CREATE INDEX report_referral_received_open ON report_referral (received_on, team_id, therapist_id,
    first_treatment_on, ended_on, last_contact_on);
CREATE INDEX report_referral_ended_facts ON report_referral (ended_on, team_id, therapist_id,
    finished, end_code, treatment_sessions, intensity_mix, step_up_days,
    at_caseness, recovered, reliable_recovery, phq9_count, anxiety_count,
    adsm_expected, adsm_paired, anxiety_one_or_none, wsas_complete,
    ethnic_group, age_band, gender_identity, sexual_orientation, disability,
    employment_status, long_term_condition, consultation_medium)
    WHERE ended_on IS NOT NULL;

-- step: 19
-- One unallocated list (issues 12 and 14). Imported referrals whose care
-- professional was not known used to go to a placeholder therapist,
-- "Unallocated (imported)" (unallocated@imported.invalid, disabled), in a
-- team of the same name. They now wait on a team's waiting list like any
-- referral received without a therapist, held meanwhile by the admin who
-- imported them. Here the placeholder's referrals join the waiting list:
-- held by whoever imported them, in the service's one other team when it
-- has exactly one, else still in the placeholder's team (which an admin
-- gives a supervisor, or whose care professionals the admin maps to
-- therapists, allocating their referrals). Nothing is deleted: the
-- placeholder account stays, disabled, named in any earlier move.

UPDATE referrals
SET allocated = 0,
    therapist_id = COALESCE(created_by, therapist_id),
    team_id = CASE
        WHEN (SELECT COUNT(*) FROM teams t WHERE t.id <> referrals.team_id) = 1
        THEN (SELECT t.id FROM teams t WHERE t.id <> referrals.team_id)
        ELSE team_id END
WHERE therapist_id IN (SELECT id FROM users WHERE email = 'unallocated@imported.invalid');

UPDATE referral_summary
SET therapist_id = (SELECT r.therapist_id FROM referrals r WHERE r.id = referral_summary.referral_id),
    team_id = (SELECT r.team_id FROM referrals r WHERE r.id = referral_summary.referral_id)
WHERE therapist_id IN (SELECT id FROM users WHERE email = 'unallocated@imported.invalid');

UPDATE report_referral
SET therapist_id = (SELECT r.therapist_id FROM referrals r WHERE r.id = report_referral.referral_id),
    team_id = (SELECT r.team_id FROM referrals r WHERE r.id = report_referral.referral_id)
WHERE therapist_id IN (SELECT id FROM users WHERE email = 'unallocated@imported.invalid');

-- The care professionals page counts imported contacts by who held them.
CREATE INDEX contacts_care_prof ON contacts (care_prof_local_id) WHERE care_prof_local_id IS NOT NULL;

-- step: 20
-- The expected-response curves are kept in the database (issue 17), so that
-- neither a request nor a finished course ever rebuilds them from the whole
-- history (42.7 s on a national year). They are the histogram that
-- measures.CurveCells adds a finished course to: expectation_cell counts the
-- courses on a measure with a first score at grid level first that had a
-- score at level value at a session; expectation_tail those whose last
-- score (level value, at session) is carried forward to every later
-- session; expectation_length counts the courses by the last session they
-- reach, which sets how many sessions a curve has. Only rows with n > 0 are
-- kept.
-- Triggers queue each change of a finished course in expectation_pending
-- (its old outcome to take away, its new one to add),
-- and the store folds the queue into the cells in small transactions
-- (expectation.go); this step queues every course already finished.
-- Audit search by action (a rare one, such as break_glass) reads its own
-- index rather than walking the whole log by time.

CREATE TABLE expectation_cell (
    instrument TEXT NOT NULL,
    first      INTEGER NOT NULL,
    session    INTEGER NOT NULL,
    value      INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (instrument, first, session, value)
) WITHOUT ROWID;

CREATE TABLE expectation_tail (
    instrument TEXT NOT NULL,
    first      INTEGER NOT NULL,
    session    INTEGER NOT NULL,
    value      INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (instrument, first, session, value)
) WITHOUT ROWID;

CREATE TABLE expectation_length (
    instrument TEXT NOT NULL,
    sessions   INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (instrument, sessions)
) WITHOUT ROWID;

CREATE TABLE expectation_pending (
    id       INTEGER PRIMARY KEY,
    sign     INTEGER NOT NULL CHECK (sign IN (-1, 1)),
    outcome  TEXT NOT NULL -- referral_summary.outcome_json
);

INSERT INTO expectation_pending (sign, outcome)
SELECT 1, outcome_json
FROM referral_summary
WHERE finished = 1;

CREATE TRIGGER summary_curve_insert
AFTER INSERT ON referral_summary
WHEN NEW.finished = 1
BEGIN
    INSERT INTO expectation_pending (sign, outcome) VALUES (1, NEW.outcome_json);
END;

CREATE TRIGGER summary_curve_update
AFTER UPDATE ON referral_summary
WHEN (NEW.finished = 1 OR OLD.finished = 1)
    AND NOT (NEW.finished IS OLD.finished AND NEW.outcome_json IS OLD.outcome_json)
BEGIN
    INSERT INTO expectation_pending (sign, outcome)
    SELECT -1, OLD.outcome_json
    WHERE OLD.finished = 1;
    INSERT INTO expectation_pending (sign, outcome)
    SELECT 1, NEW.outcome_json
    WHERE NEW.finished = 1;
END;

CREATE TRIGGER summary_curve_delete
AFTER DELETE ON referral_summary
WHEN OLD.finished = 1
BEGIN
    INSERT INTO expectation_pending (sign, outcome) VALUES (-1, OLD.outcome_json);
END;

CREATE INDEX audit_log_action ON audit_log (action, at);

-- step: 21
-- Records failing the data set's validation (issue 13's data quality):
-- report_referral gains how many problems the data set export's own checks
-- (ids_export.go) find in the referral's records, all of them: its
-- patient's record, the referral's, its contacts' and its scores'. It is
-- written from Go with the other facts (report_facts.go) whenever those
-- are; in this step's transaction Open writes every existing row's facts
-- again, with the count (nothing is lost: the column is new).

ALTER TABLE report_referral ADD COLUMN dataset_problems INTEGER NOT NULL DEFAULT 0;  -- data set validation problems of the referral's records

-- The data quality figure reads it with the referral's ending, team and
-- therapist from an index of its own.
CREATE INDEX report_referral_ended_validation ON report_referral (ended_on, team_id, therapist_id, dataset_problems)
    WHERE ended_on IS NOT NULL;

-- step: 22
-- The weekly review reads only the cases it shows (issue 17). Each summary
-- keeps, judged at write time by measures.Flags, the flags that do not
-- depend on today's date (code -> severity; '{}' for none or an ended
-- referral), the hash of its outcome_json (what a review compares) and the
-- date of the last attended contact; the flags that depend on today
-- (waiting, the attendance gap) are decided in SQL against today's date
-- from received_on, first_treatment_on and last_attended_on. Go fills these
-- for existing open referrals in this step's transaction (store.go).
-- summary_review covers a scope's open cases, so the review reads a team's
-- index entries, not its summaries; referrals_brought finds the cases a
-- therapist asked to bring without reading every referral.

ALTER TABLE referral_summary ADD COLUMN review_flags_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE referral_summary ADD COLUMN outcome_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE referral_summary ADD COLUMN last_attended_on TEXT;

CREATE INDEX summary_review ON referral_summary (
    team_id,
    therapist_id,
    review_flags_json,
    received_on,
    first_treatment_on,
    last_attended_on,
    outcome_hash
) WHERE is_open = 1;

CREATE INDEX referrals_brought ON referrals (id) WHERE bring_to_supervision <> '';

-- step: 23
-- The weekly review's list reads one index (issue 17: from a cold start,
-- reading each listed case's referral, latest review and patient cost
-- 18,000 random page reads for a team's 9,000 open cases). Each summary
-- keeps what the list needs from other tables: its patient's name (the
-- list's order), whether the therapist asked to bring the case
-- (referrals.bring_to_supervision <> ''), and the outcome hash and flag
-- severities of its latest review (by date, then id; '' and '{}' when it
-- has none), which say which flags are quiet. Triggers keep them current
-- on every write of those tables, and fill them when a summary is first
-- inserted; this step fills them for every existing summary. The list's
-- index, summary_review_list, covers a scope's open cases with them and
-- replaces summary_review.

ALTER TABLE referral_summary ADD COLUMN patient_name TEXT NOT NULL DEFAULT '';
ALTER TABLE referral_summary ADD COLUMN brought INTEGER NOT NULL DEFAULT 0;
ALTER TABLE referral_summary ADD COLUMN seen_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE referral_summary ADD COLUMN seen_severities_json TEXT NOT NULL DEFAULT '{}';

UPDATE referral_summary SET
    patient_name = COALESCE((
        SELECT p.name FROM referrals r JOIN patients p ON p.id = r.patient_id
        WHERE r.id = referral_summary.referral_id), ''),
    brought = COALESCE((
        SELECT r.bring_to_supervision <> '' FROM referrals r
        WHERE r.id = referral_summary.referral_id), 0),
    seen_hash = COALESCE((
        SELECT v.outcome_hash FROM reviews v
        WHERE v.referral_id = referral_summary.referral_id
        ORDER BY v.date DESC, v.id DESC LIMIT 1), ''),
    seen_severities_json = COALESCE((
        SELECT v.flag_severities_json FROM reviews v
        WHERE v.referral_id = referral_summary.referral_id
        ORDER BY v.date DESC, v.id DESC LIMIT 1), '{}');

CREATE TRIGGER summary_review_insert
AFTER INSERT ON referral_summary
BEGIN
    UPDATE referral_summary SET
        patient_name = COALESCE((
            SELECT p.name FROM referrals r JOIN patients p ON p.id = r.patient_id
            WHERE r.id = NEW.referral_id), ''),
        brought = COALESCE((
            SELECT r.bring_to_supervision <> '' FROM referrals r
            WHERE r.id = NEW.referral_id), 0),
        seen_hash = COALESCE((
            SELECT v.outcome_hash FROM reviews v
            WHERE v.referral_id = NEW.referral_id
            ORDER BY v.date DESC, v.id DESC LIMIT 1), ''),
        seen_severities_json = COALESCE((
            SELECT v.flag_severities_json FROM reviews v
            WHERE v.referral_id = NEW.referral_id
            ORDER BY v.date DESC, v.id DESC LIMIT 1), '{}')
    WHERE referral_id = NEW.referral_id;
END;

CREATE TRIGGER summary_review_patient_name
AFTER UPDATE OF name ON patients
BEGIN
    UPDATE referral_summary SET patient_name = NEW.name
    WHERE referral_id IN (SELECT id FROM referrals WHERE patient_id = NEW.id);
END;

CREATE TRIGGER summary_review_referral
AFTER UPDATE OF bring_to_supervision, patient_id ON referrals
BEGIN
    UPDATE referral_summary SET
        brought = NEW.bring_to_supervision <> '',
        patient_name = COALESCE((SELECT name FROM patients WHERE id = NEW.patient_id), '')
    WHERE referral_id = NEW.id;
END;

CREATE TRIGGER summary_review_seen_insert
AFTER INSERT ON reviews
BEGIN
    UPDATE referral_summary SET
        seen_hash = COALESCE((
            SELECT v.outcome_hash FROM reviews v
            WHERE v.referral_id = NEW.referral_id
            ORDER BY v.date DESC, v.id DESC LIMIT 1), ''),
        seen_severities_json = COALESCE((
            SELECT v.flag_severities_json FROM reviews v
            WHERE v.referral_id = NEW.referral_id
            ORDER BY v.date DESC, v.id DESC LIMIT 1), '{}')
    WHERE referral_id = NEW.referral_id;
END;

CREATE TRIGGER summary_review_seen_update
AFTER UPDATE OF referral_id, date, outcome_hash, flag_severities_json ON reviews
BEGIN
    UPDATE referral_summary SET
        seen_hash = COALESCE((
            SELECT v.outcome_hash FROM reviews v
            WHERE v.referral_id = referral_summary.referral_id
            ORDER BY v.date DESC, v.id DESC LIMIT 1), ''),
        seen_severities_json = COALESCE((
            SELECT v.flag_severities_json FROM reviews v
            WHERE v.referral_id = referral_summary.referral_id
            ORDER BY v.date DESC, v.id DESC LIMIT 1), '{}')
    WHERE referral_id IN (OLD.referral_id, NEW.referral_id);
END;

CREATE TRIGGER summary_review_seen_delete
AFTER DELETE ON reviews
BEGIN
    UPDATE referral_summary SET
        seen_hash = COALESCE((
            SELECT v.outcome_hash FROM reviews v
            WHERE v.referral_id = OLD.referral_id
            ORDER BY v.date DESC, v.id DESC LIMIT 1), ''),
        seen_severities_json = COALESCE((
            SELECT v.flag_severities_json FROM reviews v
            WHERE v.referral_id = OLD.referral_id
            ORDER BY v.date DESC, v.id DESC LIMIT 1), '{}')
    WHERE referral_id = OLD.referral_id;
END;

DROP INDEX IF EXISTS summary_review;

CREATE INDEX summary_review_list ON referral_summary (
    team_id,
    therapist_id,
    review_flags_json,
    received_on,
    first_treatment_on,
    last_attended_on,
    outcome_hash,
    brought,
    seen_hash,
    seen_severities_json,
    patient_name
) WHERE is_open = 1;

-- step: 24
-- The outcomes by group of a report (issue 13's inequalities) are read from
-- a rollup kept at write time (issue 17): counting them from
-- report_referral sorted every finished course of the period once per
-- dimension (2-3 s of CPU for a national year). report_group_month holds,
-- for each calendar month a finished course ended in, team, therapist,
-- dimension and group, the counts the section adds up; its rows are the
-- finished courses of report_group_course (one row a course and dimension)
-- added up, and a test checks it equals that recount after random writes.
-- Triggers on report_referral keep it in the transaction that writes the
-- row: before a row that counted changes, its old contribution is taken
-- away (and a group left with no course deleted); after, the new one is
-- added. They do nothing for a write that leaves every counted column as it
-- was, or for a course that neither was nor is finished (a save on an open
-- referral). A report reads whole months from it and the days of a partial
-- month at the period's edges from report_referral (report_sections.go).
-- This step fills it from the existing rows.

CREATE VIEW report_group_course AS
    SELECT
        x.referral_id,
        substr(x.ended_on, 1, 7) AS month,
        d.column1 AS dimension,
        CASE d.column1
            WHEN 'ethnic_group' THEN x.ethnic_group
            WHEN 'age_band' THEN x.age_band
            WHEN 'gender_identity' THEN x.gender_identity
            WHEN 'sexual_orientation' THEN x.sexual_orientation
            WHEN 'disability' THEN x.disability
            WHEN 'employment_status' THEN x.employment_status
            WHEN 'long_term_condition' THEN x.long_term_condition
            WHEN 'consultation_medium' THEN x.consultation_medium
        END AS group_key,
        x.team_id,
        x.therapist_id,
        x.phq9_count > 0 AND x.anxiety_count > 0 AND NOT x.at_caseness AS not_at_caseness,
        x.recovered,
        x.reliable_recovery
    FROM report_referral x, (VALUES ('ethnic_group'), ('age_band'), ('gender_identity'), ('sexual_orientation'),
        ('disability'), ('employment_status'), ('long_term_condition'), ('consultation_medium')) d
    WHERE x.finished AND x.ended_on IS NOT NULL;

CREATE TABLE report_group_month (
    month             TEXT NOT NULL,    -- YYYY-MM of ended_on
    dimension         TEXT NOT NULL,    -- internal/dataset's dimension key (report_referral's column)
    group_key         TEXT NOT NULL,
    team_id           INTEGER NOT NULL,
    therapist_id      INTEGER NOT NULL,
    finished          INTEGER NOT NULL, -- finished courses; a row with none is deleted
    not_at_caseness   INTEGER NOT NULL,
    recovered         INTEGER NOT NULL,
    reliable_recovery INTEGER NOT NULL,
    PRIMARY KEY (month, dimension, group_key, team_id, therapist_id)
) WITHOUT ROWID;

INSERT INTO report_group_month
SELECT month, dimension, group_key, team_id, therapist_id, COUNT(*), SUM(not_at_caseness), SUM(recovered), SUM(reliable_recovery)
FROM report_group_course
GROUP BY 1, 2, 3, 4, 5;

CREATE TRIGGER report_group_month_insert AFTER INSERT ON report_referral
WHEN NEW.finished AND NEW.ended_on IS NOT NULL
BEGIN
    INSERT INTO report_group_month
    SELECT month, dimension, group_key, team_id, therapist_id, 1, not_at_caseness, recovered, reliable_recovery
    FROM report_group_course WHERE referral_id = NEW.referral_id
    ON CONFLICT DO UPDATE SET
        finished = finished + excluded.finished,
        not_at_caseness = not_at_caseness + excluded.not_at_caseness,
        recovered = recovered + excluded.recovered,
        reliable_recovery = reliable_recovery + excluded.reliable_recovery;
END;

CREATE TRIGGER report_group_month_delete BEFORE DELETE ON report_referral
WHEN OLD.finished AND OLD.ended_on IS NOT NULL
BEGIN
    INSERT INTO report_group_month
    SELECT month, dimension, group_key, team_id, therapist_id, -1, -not_at_caseness, -recovered, -reliable_recovery
    FROM report_group_course WHERE referral_id = OLD.referral_id
    ON CONFLICT DO UPDATE SET
        finished = finished + excluded.finished,
        not_at_caseness = not_at_caseness + excluded.not_at_caseness,
        recovered = recovered + excluded.recovered,
        reliable_recovery = reliable_recovery + excluded.reliable_recovery;
    DELETE FROM report_group_month
    WHERE finished = 0 AND (month, dimension, group_key, team_id, therapist_id) IN (
        SELECT month, dimension, group_key, team_id, therapist_id FROM report_group_course WHERE referral_id = OLD.referral_id);
END;

-- An update takes the row's old contribution away before it is written and
-- adds the new one after, each only when the row counts, and only when a
-- column the rollup reads changes.
CREATE TRIGGER report_group_month_update_old BEFORE UPDATE OF
    ended_on, finished, team_id, therapist_id, phq9_count, anxiety_count, at_caseness, recovered, reliable_recovery,
    ethnic_group, age_band, gender_identity, sexual_orientation, disability, employment_status, long_term_condition, consultation_medium
    ON report_referral
WHEN OLD.finished AND OLD.ended_on IS NOT NULL AND (
    substr(OLD.ended_on, 1, 7) IS NOT substr(NEW.ended_on, 1, 7) OR NOT NEW.finished
    OR OLD.team_id IS NOT NEW.team_id OR OLD.therapist_id IS NOT NEW.therapist_id
    OR (OLD.phq9_count > 0 AND OLD.anxiety_count > 0 AND NOT OLD.at_caseness) IS NOT (NEW.phq9_count > 0 AND NEW.anxiety_count > 0 AND NOT NEW.at_caseness)
    OR OLD.recovered IS NOT NEW.recovered OR OLD.reliable_recovery IS NOT NEW.reliable_recovery
    OR OLD.ethnic_group IS NOT NEW.ethnic_group OR OLD.age_band IS NOT NEW.age_band
    OR OLD.gender_identity IS NOT NEW.gender_identity OR OLD.sexual_orientation IS NOT NEW.sexual_orientation
    OR OLD.disability IS NOT NEW.disability OR OLD.employment_status IS NOT NEW.employment_status
    OR OLD.long_term_condition IS NOT NEW.long_term_condition OR OLD.consultation_medium IS NOT NEW.consultation_medium)
BEGIN
    INSERT INTO report_group_month
    SELECT month, dimension, group_key, team_id, therapist_id, -1, -not_at_caseness, -recovered, -reliable_recovery
    FROM report_group_course WHERE referral_id = OLD.referral_id
    ON CONFLICT DO UPDATE SET
        finished = finished + excluded.finished,
        not_at_caseness = not_at_caseness + excluded.not_at_caseness,
        recovered = recovered + excluded.recovered,
        reliable_recovery = reliable_recovery + excluded.reliable_recovery;
    DELETE FROM report_group_month
    WHERE finished = 0 AND (month, dimension, group_key, team_id, therapist_id) IN (
        SELECT month, dimension, group_key, team_id, therapist_id FROM report_group_course WHERE referral_id = OLD.referral_id);
END;

CREATE TRIGGER report_group_month_update_new AFTER UPDATE OF
    ended_on, finished, team_id, therapist_id, phq9_count, anxiety_count, at_caseness, recovered, reliable_recovery,
    ethnic_group, age_band, gender_identity, sexual_orientation, disability, employment_status, long_term_condition, consultation_medium
    ON report_referral
WHEN NEW.finished AND NEW.ended_on IS NOT NULL AND (
    substr(OLD.ended_on, 1, 7) IS NOT substr(NEW.ended_on, 1, 7) OR NOT OLD.finished
    OR OLD.team_id IS NOT NEW.team_id OR OLD.therapist_id IS NOT NEW.therapist_id
    OR (OLD.phq9_count > 0 AND OLD.anxiety_count > 0 AND NOT OLD.at_caseness) IS NOT (NEW.phq9_count > 0 AND NEW.anxiety_count > 0 AND NOT NEW.at_caseness)
    OR OLD.recovered IS NOT NEW.recovered OR OLD.reliable_recovery IS NOT NEW.reliable_recovery
    OR OLD.ethnic_group IS NOT NEW.ethnic_group OR OLD.age_band IS NOT NEW.age_band
    OR OLD.gender_identity IS NOT NEW.gender_identity OR OLD.sexual_orientation IS NOT NEW.sexual_orientation
    OR OLD.disability IS NOT NEW.disability OR OLD.employment_status IS NOT NEW.employment_status
    OR OLD.long_term_condition IS NOT NEW.long_term_condition OR OLD.consultation_medium IS NOT NEW.consultation_medium)
BEGIN
    INSERT INTO report_group_month
    SELECT month, dimension, group_key, team_id, therapist_id, 1, not_at_caseness, recovered, reliable_recovery
    FROM report_group_course WHERE referral_id = NEW.referral_id
    ON CONFLICT DO UPDATE SET
        finished = finished + excluded.finished,
        not_at_caseness = not_at_caseness + excluded.not_at_caseness,
        recovered = recovered + excluded.recovered,
        reliable_recovery = reliable_recovery + excluded.reliable_recovery;
END;

-- step: 25
-- The rest of a report's figures counted by the date a referral ended are
-- read from a rollup kept at write time too (issue 17): the outcome counts,
-- the wait to treatment's median, endings by EndCode, stepped care, data
-- quality and validation each walked the period's half a million ended
-- index entries (1.1 s of CPU for a national year's whole-service report).
-- report_ended_month holds, for each calendar month referrals ended in,
-- EndCode, days waited to a first treatment, team and therapist, the sums
-- those figures add up (a test checks it equals a recount of the report
-- rows after random writes). Keyed by month, EndCode and wait first, a
-- year is read in key order and grouped with no sort into a few hundred
-- rows. Triggers keep it in the transaction that writes the row, as step
-- 24's do: before a row that ended changes, its old contribution is taken
-- away (and a key left with no referral deleted); after, the new one is
-- added; nothing happens for a write to an open referral or one that
-- leaves every column read as it was. The 90 days of stepped up within 90
-- days are caseload.StepUpDays (TestEndedRollupEqualsRecount fails if they
-- part). A report reads whole months from it and the days of a partial
-- month, or a period filtered by problem descriptor, from report_referral
-- (report_ended.go). This step fills it from the existing rows.

CREATE TABLE report_ended_month (
    month                  TEXT NOT NULL,    -- YYYY-MM of ended_on
    end_code               TEXT NOT NULL,
    wait_days              INTEGER NOT NULL, -- referral to first treatment; -1 when none
    team_id                INTEGER NOT NULL,
    therapist_id           INTEGER NOT NULL,
    ended                  INTEGER NOT NULL, -- referrals that ended; a row with none is deleted
    finished               INTEGER NOT NULL,
    with_treatment         INTEGER NOT NULL,
    not_at_caseness        INTEGER NOT NULL,
    recovered              INTEGER NOT NULL,
    reliable_improvement   INTEGER NOT NULL,
    reliable_recovery      INTEGER NOT NULL,
    reliable_deterioration INTEGER NOT NULL,
    paired                 INTEGER NOT NULL,
    low_only               INTEGER NOT NULL,
    both                   INTEGER NOT NULL,
    high_only              INTEGER NOT NULL,
    stepped_up             INTEGER NOT NULL,
    stepped_up_within      INTEGER NOT NULL,
    adsm_expected          INTEGER NOT NULL,
    adsm_paired            INTEGER NOT NULL,
    anxiety_one_or_none    INTEGER NOT NULL,
    wsas_complete          INTEGER NOT NULL,
    failing_validation     INTEGER NOT NULL,
    dataset_problems       INTEGER NOT NULL,
    PRIMARY KEY (month, end_code, wait_days, team_id, therapist_id)
) WITHOUT ROWID;

INSERT INTO report_ended_month
SELECT
    substr(x.ended_on, 1, 7),
    x.end_code,
    x.wait_days,
    x.team_id,
    x.therapist_id,
    COUNT(*),
    SUM(x.finished),
    SUM(x.treatment_sessions > 0),
    SUM(x.finished AND x.phq9_count > 0 AND x.anxiety_count > 0 AND NOT x.at_caseness),
    SUM(x.finished AND x.recovered),
    SUM(x.finished AND x.reliable_improvement),
    SUM(x.finished AND x.reliable_recovery),
    SUM(x.finished AND x.reliable_deterioration),
    SUM(x.finished AND x.paired),
    SUM(x.finished AND x.intensity_mix = 'low'),
    SUM(x.finished AND x.intensity_mix = 'both'),
    SUM(x.finished AND x.intensity_mix = 'high'),
    SUM(x.finished AND x.step_up_days >= 0),
    SUM(x.finished AND x.step_up_days BETWEEN 0 AND 90),
    SUM(CASE WHEN x.finished THEN x.adsm_expected ELSE 0 END),
    SUM(CASE WHEN x.finished THEN x.adsm_paired ELSE 0 END),
    SUM(CASE WHEN x.finished THEN x.anxiety_one_or_none ELSE 0 END),
    SUM(CASE WHEN x.finished THEN x.wsas_complete ELSE 0 END),
    SUM(x.dataset_problems > 0),
    SUM(x.dataset_problems)
FROM report_referral x
WHERE x.ended_on IS NOT NULL
GROUP BY 1, 2, 3, 4, 5;

CREATE TRIGGER report_ended_month_insert AFTER INSERT ON report_referral
WHEN NEW.ended_on IS NOT NULL
BEGIN
    INSERT INTO report_ended_month VALUES (
        substr(NEW.ended_on, 1, 7),
        NEW.end_code,
        NEW.wait_days,
        NEW.team_id,
        NEW.therapist_id,
        1,
        NEW.finished,
        NEW.treatment_sessions > 0,
        NEW.finished AND NEW.phq9_count > 0 AND NEW.anxiety_count > 0 AND NOT NEW.at_caseness,
        NEW.finished AND NEW.recovered,
        NEW.finished AND NEW.reliable_improvement,
        NEW.finished AND NEW.reliable_recovery,
        NEW.finished AND NEW.reliable_deterioration,
        NEW.finished AND NEW.paired,
        NEW.finished AND NEW.intensity_mix = 'low',
        NEW.finished AND NEW.intensity_mix = 'both',
        NEW.finished AND NEW.intensity_mix = 'high',
        NEW.finished AND NEW.step_up_days >= 0,
        NEW.finished AND NEW.step_up_days BETWEEN 0 AND 90,
        CASE WHEN NEW.finished THEN NEW.adsm_expected ELSE 0 END,
        CASE WHEN NEW.finished THEN NEW.adsm_paired ELSE 0 END,
        CASE WHEN NEW.finished THEN NEW.anxiety_one_or_none ELSE 0 END,
        CASE WHEN NEW.finished THEN NEW.wsas_complete ELSE 0 END,
        NEW.dataset_problems > 0,
        NEW.dataset_problems)
    ON CONFLICT DO UPDATE SET
        ended = ended + excluded.ended,
        finished = finished + excluded.finished,
        with_treatment = with_treatment + excluded.with_treatment,
        not_at_caseness = not_at_caseness + excluded.not_at_caseness,
        recovered = recovered + excluded.recovered,
        reliable_improvement = reliable_improvement + excluded.reliable_improvement,
        reliable_recovery = reliable_recovery + excluded.reliable_recovery,
        reliable_deterioration = reliable_deterioration + excluded.reliable_deterioration,
        paired = paired + excluded.paired,
        low_only = low_only + excluded.low_only,
        both = both + excluded.both,
        high_only = high_only + excluded.high_only,
        stepped_up = stepped_up + excluded.stepped_up,
        stepped_up_within = stepped_up_within + excluded.stepped_up_within,
        adsm_expected = adsm_expected + excluded.adsm_expected,
        adsm_paired = adsm_paired + excluded.adsm_paired,
        anxiety_one_or_none = anxiety_one_or_none + excluded.anxiety_one_or_none,
        wsas_complete = wsas_complete + excluded.wsas_complete,
        failing_validation = failing_validation + excluded.failing_validation,
        dataset_problems = dataset_problems + excluded.dataset_problems;
END;

CREATE TRIGGER report_ended_month_delete BEFORE DELETE ON report_referral
WHEN OLD.ended_on IS NOT NULL
BEGIN
    INSERT INTO report_ended_month VALUES (
        substr(OLD.ended_on, 1, 7),
        OLD.end_code,
        OLD.wait_days,
        OLD.team_id,
        OLD.therapist_id,
        -1,
        -(OLD.finished),
        -(OLD.treatment_sessions > 0),
        -(OLD.finished AND OLD.phq9_count > 0 AND OLD.anxiety_count > 0 AND NOT OLD.at_caseness),
        -(OLD.finished AND OLD.recovered),
        -(OLD.finished AND OLD.reliable_improvement),
        -(OLD.finished AND OLD.reliable_recovery),
        -(OLD.finished AND OLD.reliable_deterioration),
        -(OLD.finished AND OLD.paired),
        -(OLD.finished AND OLD.intensity_mix = 'low'),
        -(OLD.finished AND OLD.intensity_mix = 'both'),
        -(OLD.finished AND OLD.intensity_mix = 'high'),
        -(OLD.finished AND OLD.step_up_days >= 0),
        -(OLD.finished AND OLD.step_up_days BETWEEN 0 AND 90),
        -(CASE WHEN OLD.finished THEN OLD.adsm_expected ELSE 0 END),
        -(CASE WHEN OLD.finished THEN OLD.adsm_paired ELSE 0 END),
        -(CASE WHEN OLD.finished THEN OLD.anxiety_one_or_none ELSE 0 END),
        -(CASE WHEN OLD.finished THEN OLD.wsas_complete ELSE 0 END),
        -(OLD.dataset_problems > 0),
        -(OLD.dataset_problems))
    ON CONFLICT DO UPDATE SET
        ended = ended + excluded.ended,
        finished = finished + excluded.finished,
        with_treatment = with_treatment + excluded.with_treatment,
        not_at_caseness = not_at_caseness + excluded.not_at_caseness,
        recovered = recovered + excluded.recovered,
        reliable_improvement = reliable_improvement + excluded.reliable_improvement,
        reliable_recovery = reliable_recovery + excluded.reliable_recovery,
        reliable_deterioration = reliable_deterioration + excluded.reliable_deterioration,
        paired = paired + excluded.paired,
        low_only = low_only + excluded.low_only,
        both = both + excluded.both,
        high_only = high_only + excluded.high_only,
        stepped_up = stepped_up + excluded.stepped_up,
        stepped_up_within = stepped_up_within + excluded.stepped_up_within,
        adsm_expected = adsm_expected + excluded.adsm_expected,
        adsm_paired = adsm_paired + excluded.adsm_paired,
        anxiety_one_or_none = anxiety_one_or_none + excluded.anxiety_one_or_none,
        wsas_complete = wsas_complete + excluded.wsas_complete,
        failing_validation = failing_validation + excluded.failing_validation,
        dataset_problems = dataset_problems + excluded.dataset_problems;
    DELETE FROM report_ended_month
    WHERE ended = 0 AND month = substr(OLD.ended_on, 1, 7) AND end_code = OLD.end_code
        AND wait_days = OLD.wait_days AND team_id = OLD.team_id AND therapist_id = OLD.therapist_id;
END;

-- An update takes the row's old contribution away before it is written and
-- adds the new one after, only when a column the rollup reads changes.
CREATE TRIGGER report_ended_month_update_old BEFORE UPDATE OF
    ended_on, team_id, therapist_id, end_code, wait_days, finished, treatment_sessions, phq9_count, anxiety_count,
    at_caseness, recovered, reliable_improvement, reliable_recovery, reliable_deterioration, paired, intensity_mix,
    step_up_days, adsm_expected, adsm_paired, anxiety_one_or_none, wsas_complete, dataset_problems
    ON report_referral
WHEN OLD.ended_on IS NOT NULL AND (
    substr(OLD.ended_on, 1, 7) IS NOT substr(NEW.ended_on, 1, 7)
    OR OLD.team_id IS NOT NEW.team_id OR OLD.therapist_id IS NOT NEW.therapist_id OR OLD.end_code IS NOT NEW.end_code
    OR OLD.wait_days IS NOT NEW.wait_days OR OLD.finished IS NOT NEW.finished OR OLD.treatment_sessions IS NOT NEW.treatment_sessions
    OR OLD.phq9_count IS NOT NEW.phq9_count OR OLD.anxiety_count IS NOT NEW.anxiety_count OR OLD.at_caseness IS NOT NEW.at_caseness
    OR OLD.recovered IS NOT NEW.recovered OR OLD.reliable_improvement IS NOT NEW.reliable_improvement OR OLD.reliable_recovery IS NOT NEW.reliable_recovery
    OR OLD.reliable_deterioration IS NOT NEW.reliable_deterioration OR OLD.paired IS NOT NEW.paired OR OLD.intensity_mix IS NOT NEW.intensity_mix
    OR OLD.step_up_days IS NOT NEW.step_up_days OR OLD.adsm_expected IS NOT NEW.adsm_expected OR OLD.adsm_paired IS NOT NEW.adsm_paired
    OR OLD.anxiety_one_or_none IS NOT NEW.anxiety_one_or_none OR OLD.wsas_complete IS NOT NEW.wsas_complete OR OLD.dataset_problems IS NOT NEW.dataset_problems)
BEGIN
    INSERT INTO report_ended_month VALUES (
        substr(OLD.ended_on, 1, 7),
        OLD.end_code,
        OLD.wait_days,
        OLD.team_id,
        OLD.therapist_id,
        -1,
        -(OLD.finished),
        -(OLD.treatment_sessions > 0),
        -(OLD.finished AND OLD.phq9_count > 0 AND OLD.anxiety_count > 0 AND NOT OLD.at_caseness),
        -(OLD.finished AND OLD.recovered),
        -(OLD.finished AND OLD.reliable_improvement),
        -(OLD.finished AND OLD.reliable_recovery),
        -(OLD.finished AND OLD.reliable_deterioration),
        -(OLD.finished AND OLD.paired),
        -(OLD.finished AND OLD.intensity_mix = 'low'),
        -(OLD.finished AND OLD.intensity_mix = 'both'),
        -(OLD.finished AND OLD.intensity_mix = 'high'),
        -(OLD.finished AND OLD.step_up_days >= 0),
        -(OLD.finished AND OLD.step_up_days BETWEEN 0 AND 90),
        -(CASE WHEN OLD.finished THEN OLD.adsm_expected ELSE 0 END),
        -(CASE WHEN OLD.finished THEN OLD.adsm_paired ELSE 0 END),
        -(CASE WHEN OLD.finished THEN OLD.anxiety_one_or_none ELSE 0 END),
        -(CASE WHEN OLD.finished THEN OLD.wsas_complete ELSE 0 END),
        -(OLD.dataset_problems > 0),
        -(OLD.dataset_problems))
    ON CONFLICT DO UPDATE SET
        ended = ended + excluded.ended,
        finished = finished + excluded.finished,
        with_treatment = with_treatment + excluded.with_treatment,
        not_at_caseness = not_at_caseness + excluded.not_at_caseness,
        recovered = recovered + excluded.recovered,
        reliable_improvement = reliable_improvement + excluded.reliable_improvement,
        reliable_recovery = reliable_recovery + excluded.reliable_recovery,
        reliable_deterioration = reliable_deterioration + excluded.reliable_deterioration,
        paired = paired + excluded.paired,
        low_only = low_only + excluded.low_only,
        both = both + excluded.both,
        high_only = high_only + excluded.high_only,
        stepped_up = stepped_up + excluded.stepped_up,
        stepped_up_within = stepped_up_within + excluded.stepped_up_within,
        adsm_expected = adsm_expected + excluded.adsm_expected,
        adsm_paired = adsm_paired + excluded.adsm_paired,
        anxiety_one_or_none = anxiety_one_or_none + excluded.anxiety_one_or_none,
        wsas_complete = wsas_complete + excluded.wsas_complete,
        failing_validation = failing_validation + excluded.failing_validation,
        dataset_problems = dataset_problems + excluded.dataset_problems;
    DELETE FROM report_ended_month
    WHERE ended = 0 AND month = substr(OLD.ended_on, 1, 7) AND end_code = OLD.end_code
        AND wait_days = OLD.wait_days AND team_id = OLD.team_id AND therapist_id = OLD.therapist_id;
END;

CREATE TRIGGER report_ended_month_update_new AFTER UPDATE OF
    ended_on, team_id, therapist_id, end_code, wait_days, finished, treatment_sessions, phq9_count, anxiety_count,
    at_caseness, recovered, reliable_improvement, reliable_recovery, reliable_deterioration, paired, intensity_mix,
    step_up_days, adsm_expected, adsm_paired, anxiety_one_or_none, wsas_complete, dataset_problems
    ON report_referral
WHEN NEW.ended_on IS NOT NULL AND (
    substr(OLD.ended_on, 1, 7) IS NOT substr(NEW.ended_on, 1, 7)
    OR OLD.team_id IS NOT NEW.team_id OR OLD.therapist_id IS NOT NEW.therapist_id OR OLD.end_code IS NOT NEW.end_code
    OR OLD.wait_days IS NOT NEW.wait_days OR OLD.finished IS NOT NEW.finished OR OLD.treatment_sessions IS NOT NEW.treatment_sessions
    OR OLD.phq9_count IS NOT NEW.phq9_count OR OLD.anxiety_count IS NOT NEW.anxiety_count OR OLD.at_caseness IS NOT NEW.at_caseness
    OR OLD.recovered IS NOT NEW.recovered OR OLD.reliable_improvement IS NOT NEW.reliable_improvement OR OLD.reliable_recovery IS NOT NEW.reliable_recovery
    OR OLD.reliable_deterioration IS NOT NEW.reliable_deterioration OR OLD.paired IS NOT NEW.paired OR OLD.intensity_mix IS NOT NEW.intensity_mix
    OR OLD.step_up_days IS NOT NEW.step_up_days OR OLD.adsm_expected IS NOT NEW.adsm_expected OR OLD.adsm_paired IS NOT NEW.adsm_paired
    OR OLD.anxiety_one_or_none IS NOT NEW.anxiety_one_or_none OR OLD.wsas_complete IS NOT NEW.wsas_complete OR OLD.dataset_problems IS NOT NEW.dataset_problems)
BEGIN
    INSERT INTO report_ended_month VALUES (
        substr(NEW.ended_on, 1, 7),
        NEW.end_code,
        NEW.wait_days,
        NEW.team_id,
        NEW.therapist_id,
        1,
        NEW.finished,
        NEW.treatment_sessions > 0,
        NEW.finished AND NEW.phq9_count > 0 AND NEW.anxiety_count > 0 AND NOT NEW.at_caseness,
        NEW.finished AND NEW.recovered,
        NEW.finished AND NEW.reliable_improvement,
        NEW.finished AND NEW.reliable_recovery,
        NEW.finished AND NEW.reliable_deterioration,
        NEW.finished AND NEW.paired,
        NEW.finished AND NEW.intensity_mix = 'low',
        NEW.finished AND NEW.intensity_mix = 'both',
        NEW.finished AND NEW.intensity_mix = 'high',
        NEW.finished AND NEW.step_up_days >= 0,
        NEW.finished AND NEW.step_up_days BETWEEN 0 AND 90,
        CASE WHEN NEW.finished THEN NEW.adsm_expected ELSE 0 END,
        CASE WHEN NEW.finished THEN NEW.adsm_paired ELSE 0 END,
        CASE WHEN NEW.finished THEN NEW.anxiety_one_or_none ELSE 0 END,
        CASE WHEN NEW.finished THEN NEW.wsas_complete ELSE 0 END,
        NEW.dataset_problems > 0,
        NEW.dataset_problems)
    ON CONFLICT DO UPDATE SET
        ended = ended + excluded.ended,
        finished = finished + excluded.finished,
        with_treatment = with_treatment + excluded.with_treatment,
        not_at_caseness = not_at_caseness + excluded.not_at_caseness,
        recovered = recovered + excluded.recovered,
        reliable_improvement = reliable_improvement + excluded.reliable_improvement,
        reliable_recovery = reliable_recovery + excluded.reliable_recovery,
        reliable_deterioration = reliable_deterioration + excluded.reliable_deterioration,
        paired = paired + excluded.paired,
        low_only = low_only + excluded.low_only,
        both = both + excluded.both,
        high_only = high_only + excluded.high_only,
        stepped_up = stepped_up + excluded.stepped_up,
        stepped_up_within = stepped_up_within + excluded.stepped_up_within,
        adsm_expected = adsm_expected + excluded.adsm_expected,
        adsm_paired = adsm_paired + excluded.adsm_paired,
        anxiety_one_or_none = anxiety_one_or_none + excluded.anxiety_one_or_none,
        wsas_complete = wsas_complete + excluded.wsas_complete,
        failing_validation = failing_validation + excluded.failing_validation,
        dataset_problems = dataset_problems + excluded.dataset_problems;
END;
