package ui

import (
	"context"
	"encoding/json"
	"sync"

	"clinic/internal/caseload"
)

// The API's referral, kept encoded (issue 17). GET /api/v1/referrals/:id is
// the API's most frequent read, and reading the referral, its patient and
// every contact and score, then encoding them, was most of its cost. What it
// shows changes only when something is written, so the encoded answer is
// kept under the store's Version and shown again while that is unchanged:
// any write other than the audit log's clears it, and so does another
// process's commit, noticed by the next audited view (caseload/version.go).
// Access is decided afresh on every request, from the user and grant of the
// moment and the referral as kept (its therapist, team and patient change
// only by writes); the view is audited before anything is sent, as before.

// referralCacheBytes bounds the memory the kept answers take: a referral's
// answer is a few kilobytes, so this keeps several thousand (a large
// service's open caseloads); beyond it some are dropped.
const referralCacheBytes = 32 << 20

// keptReferral is an encoded answer and the referral it shows, for the
// access check.
type keptReferral struct {
	version  uint64
	referral caseload.Referral
	body     []byte
}

// referralCache holds keptReferrals of one version by referral id: an
// answer of an older version is never shown again, so a newer one clears
// them.
type referralCache struct {
	mu      sync.Mutex
	version uint64
	byID    map[int64]keptReferral
	bytes   int
}

func newReferralCache() *referralCache {
	return &referralCache{byID: map[int64]keptReferral{}}
}

// get returns the answer kept for id under version v.
func (rc *referralCache) get(id int64, v uint64) (keptReferral, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	k, ok := rc.byID[id]
	return k, ok && k.version == v
}

// put keeps k, unless a newer version is already kept; past the bound it
// drops others first.
func (rc *referralCache) put(id int64, k keptReferral) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	switch {
	case k.version < rc.version:
		return
	case k.version > rc.version:
		clear(rc.byID)
		rc.version, rc.bytes = k.version, 0
	}
	if old, ok := rc.byID[id]; ok {
		rc.bytes -= len(old.body)
		delete(rc.byID, id)
	}
	for other, o := range rc.byID {
		if rc.bytes+len(k.body) <= referralCacheBytes {
			break
		}
		rc.bytes -= len(o.body)
		delete(rc.byID, other)
	}
	rc.byID[id] = k
	rc.bytes += len(k.body)
}

// readReferral reads and encodes the API's referral, keeping it when no
// write was under way as the read began.
func (s *Server) readReferral(ctx context.Context, id int64) (keptReferral, error) {
	v, settled := s.store.Version()
	d, err := s.store.ReferralRecord(ctx, id)
	if err != nil {
		return keptReferral{}, err
	}
	out := newReferralJSON(d.Referral)
	p := newPatientJSON(d.Patient)
	out.Patient = &p
	contacts := make([]contactJSON, 0, len(d.Contacts))
	for _, ct := range d.Contacts {
		contacts = append(contacts, newContactJSON(ct))
	}
	out.Contacts = &contacts
	body, err := json.Marshal(out)
	if err != nil {
		return keptReferral{}, err
	}
	k := keptReferral{version: v, referral: d.Referral, body: append(body, '\n')}
	if settled {
		s.referrals.put(id, k)
	}
	return k, nil
}
