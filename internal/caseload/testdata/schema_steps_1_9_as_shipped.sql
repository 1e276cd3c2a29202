-- Test data: schema.sql's steps 1 to 9 exactly as they shipped (up to commit
-- b1fa652), before issue 10 rewrote steps 7 and 8 so that schema.sql names no
-- Go field. Databases in use were built by these steps, with triggers that
-- kept report_referral from outcome_json; the tests build such a database
-- and check that opening it with today's schema.sql loses nothing.

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
-- columns, kept from its summary's outcome_json by triggers in the same
-- statement that writes the summary, so that a year's report reads narrow
-- rows instead of extracting them from every outcome's JSON.

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

CREATE TRIGGER summary_report_insert
AFTER INSERT ON referral_summary
BEGIN
    -- Not INSERT OR REPLACE: the summary's own upsert would override the
    -- REPLACE (a trigger's conflict clause yields to the outer statement's).
    DELETE FROM report_outcome WHERE referral_id = NEW.referral_id;
    INSERT INTO report_outcome
    SELECT
        NEW.referral_id,
        COALESCE(json_extract(NEW.outcome_json, '$.AtCaseness'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.Recovered'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.ReliableImprovement'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.ReliableRecovery'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.ReliableDeterioration'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.NoReliableChange'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.Paired'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.WaitDays'), -1),
        COALESCE(json_extract(NEW.outcome_json, '$.Anxiety'), ''),
        COALESCE(json_extract(NEW.outcome_json, '$.PHQ9.Count'), 0),
        json_extract(NEW.outcome_json, '$.PHQ9.First'),
        json_extract(NEW.outcome_json, '$.PHQ9.Last'),
        COALESCE(json_extract(NEW.outcome_json, '$.PHQ9.Paired'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.AnxietyM.Count'), 0),
        json_extract(NEW.outcome_json, '$.AnxietyM.First'),
        json_extract(NEW.outcome_json, '$.AnxietyM.Last'),
        COALESCE(json_extract(NEW.outcome_json, '$.AnxietyM.Paired'), 0);
END;

CREATE TRIGGER summary_report_update
AFTER UPDATE OF outcome_json ON referral_summary
BEGIN
    -- Not INSERT OR REPLACE: the summary's own upsert would override the
    -- REPLACE (a trigger's conflict clause yields to the outer statement's).
    DELETE FROM report_outcome WHERE referral_id = NEW.referral_id;
    INSERT INTO report_outcome
    SELECT
        NEW.referral_id,
        COALESCE(json_extract(NEW.outcome_json, '$.AtCaseness'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.Recovered'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.ReliableImprovement'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.ReliableRecovery'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.ReliableDeterioration'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.NoReliableChange'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.Paired'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.WaitDays'), -1),
        COALESCE(json_extract(NEW.outcome_json, '$.Anxiety'), ''),
        COALESCE(json_extract(NEW.outcome_json, '$.PHQ9.Count'), 0),
        json_extract(NEW.outcome_json, '$.PHQ9.First'),
        json_extract(NEW.outcome_json, '$.PHQ9.Last'),
        COALESCE(json_extract(NEW.outcome_json, '$.PHQ9.Paired'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.AnxietyM.Count'), 0),
        json_extract(NEW.outcome_json, '$.AnxietyM.First'),
        json_extract(NEW.outcome_json, '$.AnxietyM.Last'),
        COALESCE(json_extract(NEW.outcome_json, '$.AnxietyM.Paired'), 0);
END;

INSERT INTO report_outcome
SELECT
    referral_id,
    COALESCE(json_extract(outcome_json, '$.AtCaseness'), 0),
    COALESCE(json_extract(outcome_json, '$.Recovered'), 0),
    COALESCE(json_extract(outcome_json, '$.ReliableImprovement'), 0),
    COALESCE(json_extract(outcome_json, '$.ReliableRecovery'), 0),
    COALESCE(json_extract(outcome_json, '$.ReliableDeterioration'), 0),
    COALESCE(json_extract(outcome_json, '$.NoReliableChange'), 0),
    COALESCE(json_extract(outcome_json, '$.Paired'), 0),
    COALESCE(json_extract(outcome_json, '$.WaitDays'), -1),
    COALESCE(json_extract(outcome_json, '$.Anxiety'), ''),
    COALESCE(json_extract(outcome_json, '$.PHQ9.Count'), 0),
    json_extract(outcome_json, '$.PHQ9.First'),
    json_extract(outcome_json, '$.PHQ9.Last'),
    COALESCE(json_extract(outcome_json, '$.PHQ9.Paired'), 0),
    COALESCE(json_extract(outcome_json, '$.AnxietyM.Count'), 0),
    json_extract(outcome_json, '$.AnxietyM.First'),
    json_extract(outcome_json, '$.AnxietyM.Last'),
    COALESCE(json_extract(outcome_json, '$.AnxietyM.Paired'), 0)
FROM referral_summary;

-- step: 8
-- Outcome reports, faster: report_outcome (step 7) still sent every report
-- through the wide summary rows for their dates and teams. report_referral
-- holds everything a report reads of a referral's summary, narrow and
-- indexed by the three dates a period is matched on, kept by the same
-- triggers; a year's report then reads a few megabytes instead of the
-- summaries' outcome JSON.

DROP TRIGGER summary_report_insert;
DROP TRIGGER summary_report_update;
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

CREATE TRIGGER summary_report_insert
AFTER INSERT ON referral_summary
BEGIN
    -- Not INSERT OR REPLACE: the summary's own upsert would override the
    -- REPLACE (a trigger's conflict clause yields to the outer statement's).
    DELETE FROM report_referral WHERE referral_id = NEW.referral_id;
    INSERT INTO report_referral (
        referral_id,
        team_id,
        therapist_id,
        received_on,
        first_treatment_on,
        ended_on,
        is_open,
        finished,
        treatment_sessions,
        at_caseness,
        recovered,
        reliable_improvement,
        reliable_recovery,
        reliable_deterioration,
        no_reliable_change,
        paired,
        wait_days,
        anxiety,
        phq9_count,
        phq9_first,
        phq9_last,
        phq9_paired,
        anxiety_count,
        anxiety_first,
        anxiety_last,
        anxiety_paired
    )
    SELECT
        NEW.referral_id,
        NEW.team_id,
        NEW.therapist_id,
        NEW.received_on,
        NEW.first_treatment_on,
        NEW.ended_on,
        NEW.is_open,
        NEW.finished,
        NEW.treatment_sessions,
        COALESCE(json_extract(NEW.outcome_json, '$.AtCaseness'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.Recovered'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.ReliableImprovement'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.ReliableRecovery'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.ReliableDeterioration'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.NoReliableChange'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.Paired'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.WaitDays'), -1),
        COALESCE(json_extract(NEW.outcome_json, '$.Anxiety'), ''),
        COALESCE(json_extract(NEW.outcome_json, '$.PHQ9.Count'), 0),
        json_extract(NEW.outcome_json, '$.PHQ9.First'),
        json_extract(NEW.outcome_json, '$.PHQ9.Last'),
        COALESCE(json_extract(NEW.outcome_json, '$.PHQ9.Paired'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.AnxietyM.Count'), 0),
        json_extract(NEW.outcome_json, '$.AnxietyM.First'),
        json_extract(NEW.outcome_json, '$.AnxietyM.Last'),
        COALESCE(json_extract(NEW.outcome_json, '$.AnxietyM.Paired'), 0);
END;

CREATE TRIGGER summary_report_update
AFTER UPDATE ON referral_summary
BEGIN
    -- Not INSERT OR REPLACE: the summary's own upsert would override the
    -- REPLACE (a trigger's conflict clause yields to the outer statement's).
    DELETE FROM report_referral WHERE referral_id = NEW.referral_id;
    INSERT INTO report_referral (
        referral_id,
        team_id,
        therapist_id,
        received_on,
        first_treatment_on,
        ended_on,
        is_open,
        finished,
        treatment_sessions,
        at_caseness,
        recovered,
        reliable_improvement,
        reliable_recovery,
        reliable_deterioration,
        no_reliable_change,
        paired,
        wait_days,
        anxiety,
        phq9_count,
        phq9_first,
        phq9_last,
        phq9_paired,
        anxiety_count,
        anxiety_first,
        anxiety_last,
        anxiety_paired
    )
    SELECT
        NEW.referral_id,
        NEW.team_id,
        NEW.therapist_id,
        NEW.received_on,
        NEW.first_treatment_on,
        NEW.ended_on,
        NEW.is_open,
        NEW.finished,
        NEW.treatment_sessions,
        COALESCE(json_extract(NEW.outcome_json, '$.AtCaseness'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.Recovered'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.ReliableImprovement'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.ReliableRecovery'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.ReliableDeterioration'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.NoReliableChange'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.Paired'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.WaitDays'), -1),
        COALESCE(json_extract(NEW.outcome_json, '$.Anxiety'), ''),
        COALESCE(json_extract(NEW.outcome_json, '$.PHQ9.Count'), 0),
        json_extract(NEW.outcome_json, '$.PHQ9.First'),
        json_extract(NEW.outcome_json, '$.PHQ9.Last'),
        COALESCE(json_extract(NEW.outcome_json, '$.PHQ9.Paired'), 0),
        COALESCE(json_extract(NEW.outcome_json, '$.AnxietyM.Count'), 0),
        json_extract(NEW.outcome_json, '$.AnxietyM.First'),
        json_extract(NEW.outcome_json, '$.AnxietyM.Last'),
        COALESCE(json_extract(NEW.outcome_json, '$.AnxietyM.Paired'), 0);
END;

INSERT INTO report_referral (
        referral_id,
        team_id,
        therapist_id,
        received_on,
        first_treatment_on,
        ended_on,
        is_open,
        finished,
        treatment_sessions,
        at_caseness,
        recovered,
        reliable_improvement,
        reliable_recovery,
        reliable_deterioration,
        no_reliable_change,
        paired,
        wait_days,
        anxiety,
        phq9_count,
        phq9_first,
        phq9_last,
        phq9_paired,
        anxiety_count,
        anxiety_first,
        anxiety_last,
        anxiety_paired
)
SELECT
        referral_id,
        team_id,
        therapist_id,
        received_on,
        first_treatment_on,
        ended_on,
        is_open,
        finished,
        treatment_sessions,
        COALESCE(json_extract(outcome_json, '$.AtCaseness'), 0),
        COALESCE(json_extract(outcome_json, '$.Recovered'), 0),
        COALESCE(json_extract(outcome_json, '$.ReliableImprovement'), 0),
        COALESCE(json_extract(outcome_json, '$.ReliableRecovery'), 0),
        COALESCE(json_extract(outcome_json, '$.ReliableDeterioration'), 0),
        COALESCE(json_extract(outcome_json, '$.NoReliableChange'), 0),
        COALESCE(json_extract(outcome_json, '$.Paired'), 0),
        COALESCE(json_extract(outcome_json, '$.WaitDays'), -1),
        COALESCE(json_extract(outcome_json, '$.Anxiety'), ''),
        COALESCE(json_extract(outcome_json, '$.PHQ9.Count'), 0),
        json_extract(outcome_json, '$.PHQ9.First'),
        json_extract(outcome_json, '$.PHQ9.Last'),
        COALESCE(json_extract(outcome_json, '$.PHQ9.Paired'), 0),
        COALESCE(json_extract(outcome_json, '$.AnxietyM.Count'), 0),
        json_extract(outcome_json, '$.AnxietyM.First'),
        json_extract(outcome_json, '$.AnxietyM.Last'),
        COALESCE(json_extract(outcome_json, '$.AnxietyM.Paired'), 0)
FROM referral_summary;

-- step: 9
-- Outcome reports read report_referral by scanning it in rowid order: the
-- table is narrow, and a scan of 100,000 referrals takes tens of
-- milliseconds, less than matching a period's three dates through three
-- indexes and sorting the result. The date indexes of step 8 go.

DROP INDEX report_referral_received;
DROP INDEX report_referral_first_treatment;
DROP INDEX report_referral_ended;
