-- clinic's schema with every step of schema.sql applied (PRAGMA user_version = 25),
-- as SQLite holds it in sqlite_master: each table, then its indexes and triggers.
-- Generated, for reading only (schema.sql is what runs); regenerate with
--   go test ./internal/caseload -run TestSchemaSnapshot -update

-- table api_tokens
CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    token_hash BLOB NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
, expires_at TEXT, last_used_at TEXT, name TEXT NOT NULL DEFAULT '');

-- index api_tokens_user
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- table audit_log
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    user_id   INTEGER,           -- NULL for anonymous
    action    TEXT NOT NULL,     -- "view", "create", "update", "sign_in", "break_glass"...
    entity    TEXT NOT NULL,     -- "patient", "referral", "contact", "user"...
    entity_id INTEGER,
    address   TEXT NOT NULL DEFAULT '',
    detail    TEXT NOT NULL DEFAULT ''
, patient_id INTEGER, token_id INTEGER);

-- index audit_log_action
CREATE INDEX audit_log_action ON audit_log (action, at);

-- index audit_log_at
CREATE INDEX audit_log_at ON audit_log (at);

-- index audit_log_entity
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, at);

-- index audit_log_patient
CREATE INDEX audit_log_patient ON audit_log (patient_id, at) WHERE patient_id IS NOT NULL;

-- index audit_log_user
CREATE INDEX audit_log_user ON audit_log (user_id, at);

-- trigger audit_log_no_delete
CREATE TRIGGER audit_log_no_delete
BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- trigger audit_log_no_update
CREATE TRIGGER audit_log_no_update
BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- table break_glass
CREATE TABLE break_glass (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    reason     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- index break_glass_user
CREATE INDEX break_glass_user ON break_glass (user_id, patient_id, expires_at);

-- trigger break_glass_no_delete
CREATE TRIGGER break_glass_no_delete
BEFORE DELETE ON break_glass
BEGIN
    SELECT RAISE(ABORT, 'break-glass grants are never deleted');
END;

-- trigger break_glass_no_update
CREATE TRIGGER break_glass_no_update
BEFORE UPDATE ON break_glass
BEGIN
    SELECT RAISE(ABORT, 'break-glass grants are never changed');
END;

-- table care_professionals
CREATE TABLE care_professionals (
    local_id      TEXT PRIMARY KEY,
    qualification TEXT NOT NULL DEFAULT '',
    user_id       INTEGER REFERENCES users (id)
) WITHOUT ROWID;

-- table contacts
CREATE TABLE contacts (
    id            INTEGER PRIMARY KEY,
    referral_id   INTEGER NOT NULL REFERENCES referrals (id),
    date          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('assessment', 'treatment', 'follow_up', 'review')),
    attendance    TEXT NOT NULL CHECK (attendance IN ('attended', 'dna', 'cancelled')),
    submission_id TEXT,           -- the form's idempotency key, NULL when none was sent
    recorded_by   INTEGER NOT NULL REFERENCES users (id),
    recorded_at   TEXT NOT NULL
, questionnaire_id INTEGER REFERENCES questionnaires (id), intensity TEXT NOT NULL DEFAULT '', purpose TEXT
    CHECK (purpose IN ('assessment', 'treatment', 'assessment_treatment', 'review', 'review_treatment', 'follow_up')), attendance_outcome TEXT
    CHECK (attendance_outcome IN ('attended', 'attended_late', 'late_not_seen', 'dna', 'cancelled_by_patient', 'cancelled_by_provider')), medium TEXT, duration_minutes INTEGER CHECK (duration_minutes BETWEEN 1 AND 600), therapy_type TEXT, employment_status TEXT, local_id TEXT, care_prof_local_id TEXT);

-- index contacts_care_prof
CREATE INDEX contacts_care_prof ON contacts (care_prof_local_id) WHERE care_prof_local_id IS NOT NULL;

-- index contacts_local_id
CREATE UNIQUE INDEX contacts_local_id ON contacts (local_id) WHERE local_id IS NOT NULL;

-- index contacts_referral_date
CREATE INDEX contacts_referral_date ON contacts (referral_id, date, id);

-- index contacts_submission
CREATE UNIQUE INDEX contacts_submission ON contacts (referral_id, submission_id)
    WHERE submission_id IS NOT NULL;

-- table covers
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

-- index covers_colleague
CREATE INDEX covers_colleague ON covers (colleague_id, to_on);

-- index covers_therapist
CREATE INDEX covers_therapist ON covers (therapist_id, to_on);

-- table expectation_cell
CREATE TABLE expectation_cell (
    instrument TEXT NOT NULL,
    first      INTEGER NOT NULL,
    session    INTEGER NOT NULL,
    value      INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (instrument, first, session, value)
) WITHOUT ROWID;

-- table expectation_length
CREATE TABLE expectation_length (
    instrument TEXT NOT NULL,
    sessions   INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (instrument, sessions)
) WITHOUT ROWID;

-- table expectation_pending
CREATE TABLE expectation_pending (
    id       INTEGER PRIMARY KEY,
    sign     INTEGER NOT NULL CHECK (sign IN (-1, 1)),
    outcome  TEXT NOT NULL -- referral_summary.outcome_json
);

-- table expectation_tail
CREATE TABLE expectation_tail (
    instrument TEXT NOT NULL,
    first      INTEGER NOT NULL,
    session    INTEGER NOT NULL,
    value      INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (instrument, first, session, value)
) WITHOUT ROWID;

-- table finished_generation
CREATE TABLE finished_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);

-- table invitation_failures
CREATE TABLE invitation_failures (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    address TEXT NOT NULL
);

-- index invitation_failures_address
CREATE INDEX invitation_failures_address ON invitation_failures (address, at);

-- index invitation_failures_at
CREATE INDEX invitation_failures_at ON invitation_failures (at);

-- table invitations
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

-- index invitations_referral
CREATE INDEX invitations_referral ON invitations (referral_id);

-- index invitations_user
CREATE INDEX invitations_user ON invitations (user_id) WHERE user_id IS NOT NULL;

-- table password_resets
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

-- index password_resets_user
CREATE INDEX password_resets_user ON password_resets (user_id);

-- table patient_demographics
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

-- index patient_demographics_patient
CREATE INDEX patient_demographics_patient ON patient_demographics (patient_id, id);

-- trigger patient_demographics_never_rewritten
CREATE TRIGGER patient_demographics_never_rewritten
BEFORE UPDATE ON patient_demographics
BEGIN
    SELECT RAISE(ABORT, 'demographics are never changed in place: add a row');
END;

-- table patient_local_ids
CREATE TABLE patient_local_ids (
    local_id   TEXT PRIMARY KEY,
    patient_id INTEGER NOT NULL UNIQUE REFERENCES patients (id)
) WITHOUT ROWID;

-- table patients
CREATE TABLE patients (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    nhs_number    TEXT NOT NULL DEFAULT '', -- ten digits, or empty
    created_by    INTEGER,                  -- users.id; no FK: users refers to patients
    created_at    TEXT NOT NULL
);

-- index patients_date_of_birth
CREATE INDEX patients_date_of_birth ON patients (date_of_birth);

-- index patients_nhs_number
CREATE INDEX patients_nhs_number ON patients (nhs_number) WHERE nhs_number <> '';

-- trigger summary_review_patient_name
CREATE TRIGGER summary_review_patient_name
AFTER UPDATE OF name ON patients
BEGIN
    UPDATE referral_summary SET patient_name = NEW.name
    WHERE referral_id IN (SELECT id FROM referrals WHERE patient_id = NEW.id);
END;

-- table questionnaires
CREATE TABLE questionnaires (
    id           INTEGER PRIMARY KEY,
    referral_id  INTEGER NOT NULL REFERENCES referrals (id),
    submitted_by INTEGER NOT NULL REFERENCES users (id),
    submitted_at TEXT NOT NULL,
    answers_json TEXT NOT NULL, -- {"phq9": [..], "gad7": [..]}
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'discarded')),
    contact_id   INTEGER REFERENCES contacts (id)
);

-- index questionnaires_referral
CREATE INDEX questionnaires_referral ON questionnaires (referral_id, status);

-- table referral_dataset
CREATE TABLE referral_dataset (
    referral_id        INTEGER PRIMARY KEY REFERENCES referrals (id),
    source_of_referral TEXT NOT NULL DEFAULT '', -- SourceOfReferralIAPT
    ltc_pathway        INTEGER NOT NULL DEFAULT 0, -- IAPTLTCServiceInd
    end_code           TEXT NOT NULL DEFAULT '', -- EndCode, set when the referral ends
    local_id           TEXT                      -- ServiceRequestId of the system it was imported from
);

-- index referral_dataset_local_id
CREATE UNIQUE INDEX referral_dataset_local_id ON referral_dataset (local_id) WHERE local_id IS NOT NULL;

-- table referral_moves
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

-- index referral_moves_referral
CREATE INDEX referral_moves_referral ON referral_moves (referral_id, id);

-- table referral_summary
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
, review_flags_json TEXT NOT NULL DEFAULT '{}', outcome_hash TEXT NOT NULL DEFAULT '', last_attended_on TEXT, patient_name TEXT NOT NULL DEFAULT '', brought INTEGER NOT NULL DEFAULT 0, seen_hash TEXT NOT NULL DEFAULT '', seen_severities_json TEXT NOT NULL DEFAULT '{}');

-- index summary_ended
CREATE INDEX summary_ended ON referral_summary (ended_on) WHERE ended_on IS NOT NULL;

-- index summary_first_treatment
CREATE INDEX summary_first_treatment ON referral_summary (first_treatment_on) WHERE first_treatment_on IS NOT NULL;

-- index summary_open_team
CREATE INDEX summary_open_team ON referral_summary (team_id, therapist_id) WHERE is_open = 1;

-- index summary_open_therapist
CREATE INDEX summary_open_therapist ON referral_summary (therapist_id) WHERE is_open = 1;

-- index summary_received
CREATE INDEX summary_received ON referral_summary (received_on);

-- index summary_review_list
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

-- index summary_team_ended
CREATE INDEX summary_team_ended ON referral_summary (team_id, ended_on) WHERE ended_on IS NOT NULL;

-- trigger summary_curve_delete
CREATE TRIGGER summary_curve_delete
AFTER DELETE ON referral_summary
WHEN OLD.finished = 1
BEGIN
    INSERT INTO expectation_pending (sign, outcome) VALUES (-1, OLD.outcome_json);
END;

-- trigger summary_curve_insert
CREATE TRIGGER summary_curve_insert
AFTER INSERT ON referral_summary
WHEN NEW.finished = 1
BEGIN
    INSERT INTO expectation_pending (sign, outcome) VALUES (1, NEW.outcome_json);
END;

-- trigger summary_curve_update
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

-- trigger summary_finished_insert
CREATE TRIGGER summary_finished_insert
AFTER INSERT ON referral_summary
WHEN NEW.finished = 1
BEGIN
    UPDATE finished_generation SET n = n + 1 WHERE id = 1;
END;

-- trigger summary_finished_update
CREATE TRIGGER summary_finished_update
AFTER UPDATE ON referral_summary
WHEN NEW.finished = 1 OR OLD.finished = 1
BEGIN
    UPDATE finished_generation SET n = n + 1 WHERE id = 1;
END;

-- trigger summary_review_insert
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

-- table referrals
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
, allocated INTEGER NOT NULL DEFAULT 1);

-- index referrals_brought
CREATE INDEX referrals_brought ON referrals (id) WHERE bring_to_supervision <> '';

-- index referrals_patient
CREATE INDEX referrals_patient ON referrals (patient_id);

-- index referrals_team
CREATE INDEX referrals_team ON referrals (team_id, patient_id);

-- index referrals_therapist
CREATE INDEX referrals_therapist ON referrals (therapist_id);

-- index referrals_waiting
CREATE INDEX referrals_waiting ON referrals (team_id, received_on) WHERE allocated = 0;

-- trigger summary_review_referral
CREATE TRIGGER summary_review_referral
AFTER UPDATE OF bring_to_supervision, patient_id ON referrals
BEGIN
    UPDATE referral_summary SET
        brought = NEW.bring_to_supervision <> '',
        patient_name = COALESCE((SELECT name FROM patients WHERE id = NEW.patient_id), '')
    WHERE referral_id = NEW.id;
END;

-- table report_ended_month
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

-- view report_group_course
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

-- table report_group_month
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

-- table report_referral
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
, first_assessment_on TEXT, assessment_days INTEGER NOT NULL DEFAULT -1, second_treatment_on TEXT, first_second_days INTEGER NOT NULL DEFAULT -1, last_contact_on TEXT, end_code TEXT NOT NULL DEFAULT '', intensity_mix TEXT NOT NULL DEFAULT '', step_up_days INTEGER NOT NULL DEFAULT -1, ethnic_group TEXT NOT NULL DEFAULT 'not_stated', age_band TEXT NOT NULL DEFAULT 'not_stated', gender_identity TEXT NOT NULL DEFAULT 'not_stated', sexual_orientation TEXT NOT NULL DEFAULT 'not_stated', disability TEXT NOT NULL DEFAULT 'not_stated', employment_status TEXT NOT NULL DEFAULT 'not_stated', long_term_condition TEXT NOT NULL DEFAULT 'not_stated', consultation_medium TEXT NOT NULL DEFAULT 'not_stated', adsm_expected INTEGER NOT NULL DEFAULT 0, adsm_paired INTEGER NOT NULL DEFAULT 0, anxiety_one_or_none INTEGER NOT NULL DEFAULT 0, wsas_complete INTEGER NOT NULL DEFAULT 0, dataset_problems INTEGER NOT NULL DEFAULT 0);

-- index report_referral_ended
CREATE INDEX report_referral_ended ON report_referral (ended_on, team_id, therapist_id,
    finished, at_caseness, recovered, reliable_improvement, reliable_recovery, reliable_deterioration, paired, wait_days,
    phq9_count, anxiety_count)
    WHERE ended_on IS NOT NULL;

-- index report_referral_ended_facts
CREATE INDEX report_referral_ended_facts ON report_referral (ended_on, team_id, therapist_id,
    finished, end_code, treatment_sessions, intensity_mix, step_up_days,
    at_caseness, recovered, reliable_recovery, phq9_count, anxiety_count,
    adsm_expected, adsm_paired, anxiety_one_or_none, wsas_complete,
    ethnic_group, age_band, gender_identity, sexual_orientation, disability,
    employment_status, long_term_condition, consultation_medium)
    WHERE ended_on IS NOT NULL;

-- index report_referral_ended_validation
CREATE INDEX report_referral_ended_validation ON report_referral (ended_on, team_id, therapist_id, dataset_problems)
    WHERE ended_on IS NOT NULL;

-- index report_referral_first_assessment
CREATE INDEX report_referral_first_assessment ON report_referral (first_assessment_on, team_id, therapist_id, assessment_days)
    WHERE first_assessment_on IS NOT NULL;

-- index report_referral_first_treatment
CREATE INDEX report_referral_first_treatment ON report_referral (first_treatment_on, team_id, therapist_id) WHERE first_treatment_on IS NOT NULL;

-- index report_referral_received
CREATE INDEX report_referral_received ON report_referral (received_on, team_id, therapist_id);

-- index report_referral_received_open
CREATE INDEX report_referral_received_open ON report_referral (received_on, team_id, therapist_id,
    first_treatment_on, ended_on, last_contact_on);

-- index report_referral_second_treatment
CREATE INDEX report_referral_second_treatment ON report_referral (second_treatment_on, team_id, therapist_id, first_second_days)
    WHERE second_treatment_on IS NOT NULL;

-- trigger report_ended_month_delete
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

-- trigger report_ended_month_insert
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

-- trigger report_ended_month_update_new
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

-- trigger report_ended_month_update_old
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

-- trigger report_group_month_delete
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

-- trigger report_group_month_insert
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

-- trigger report_group_month_update_new
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

-- trigger report_group_month_update_old
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

-- table reviews
CREATE TABLE reviews (
    id              INTEGER PRIMARY KEY,
    referral_id     INTEGER NOT NULL REFERENCES referrals (id),
    supervisor_id   INTEGER NOT NULL REFERENCES users (id),
    date            TEXT NOT NULL,
    decision        TEXT NOT NULL CHECK (decision IN ('continue', 'step_up', 'step_down', 'discharge', 'refer_on', 'risk_plan_agreed')),
    note            TEXT NOT NULL DEFAULT '',
    flag_codes_json TEXT NOT NULL DEFAULT '[]', -- the flags in force when recorded
    created_at      TEXT NOT NULL
, outcome_hash TEXT NOT NULL DEFAULT '', flag_severities_json TEXT NOT NULL DEFAULT '{}');

-- index reviews_referral
CREATE INDEX reviews_referral ON reviews (referral_id, date);

-- trigger summary_review_seen_delete
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

-- trigger summary_review_seen_insert
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

-- trigger summary_review_seen_update
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

-- table risk_alerts
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

-- index risk_alerts_open
CREATE INDEX risk_alerts_open ON risk_alerts (referral_id) WHERE acknowledged_at IS NULL;

-- index risk_alerts_referral
CREATE INDEX risk_alerts_referral ON risk_alerts (referral_id, opened_at);

-- trigger risk_alerts_acknowledged_once
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

-- trigger risk_alerts_no_delete
CREATE TRIGGER risk_alerts_no_delete
BEFORE DELETE ON risk_alerts
BEGIN
    SELECT RAISE(ABORT, 'risk alerts are never deleted');
END;

-- table scores
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

-- index scores_contact
CREATE INDEX scores_contact ON scores (contact_id);

-- index scores_current
CREATE UNIQUE INDEX scores_current ON scores (contact_id, instrument) WHERE superseded_at IS NULL;

-- trigger scores_never_deleted
CREATE TRIGGER scores_never_deleted
BEFORE DELETE ON scores
BEGIN
    SELECT RAISE(ABORT, 'scores are never deleted: supersede them');
END;

-- trigger scores_never_rewritten
CREATE TRIGGER scores_never_rewritten
BEFORE UPDATE OF contact_id, instrument, items_json, total, prorated, source, recorded_by, recorded_at, replaces ON scores
BEGIN
    SELECT RAISE(ABORT, 'scores are never changed in place: supersede them');
END;

-- table sessions
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   BLOB NOT NULL UNIQUE, -- SHA-256 of the random id the cookie carries
    user_id      INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    address      TEXT NOT NULL DEFAULT '',
    ended_at     TEXT                  -- signed out, timed out, or the account disabled
);

-- index sessions_user
CREATE INDEX sessions_user ON sessions (user_id) WHERE ended_at IS NULL;

-- table settings
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;

-- table sign_in_failures
CREATE TABLE sign_in_failures (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    email   TEXT NOT NULL COLLATE NOCASE,
    address TEXT NOT NULL
);

-- index sign_in_failures_address
CREATE INDEX sign_in_failures_address ON sign_in_failures (address, at);

-- index sign_in_failures_email
CREATE INDEX sign_in_failures_email ON sign_in_failures (email, at);

-- table staff_qualifications
CREATE TABLE staff_qualifications (
    user_id       INTEGER PRIMARY KEY REFERENCES users (id),
    qualification TEXT NOT NULL, -- QualAttainLevelIAPT
    set_by        INTEGER REFERENCES users (id),
    set_at        TEXT NOT NULL
);

-- table team_supervisors
CREATE TABLE team_supervisors (
    team_id INTEGER NOT NULL REFERENCES teams (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (team_id, user_id)
) WITHOUT ROWID;

-- index team_supervisors_user
CREATE INDEX team_supervisors_user ON team_supervisors (user_id);

-- table teams
CREATE TABLE teams (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at TEXT NOT NULL
);

-- table users
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
