package ui

import (
	"strconv"
	"strings"
)

// After a change the page a clinician lands on says it was made (issue 16:
// no confirmation after a correction or a review). The redirect names what
// was done, "?done=corrected"; the page turns it into words. Only known
// names are shown, so the address cannot put words on the page.

// doneNotice is the referral page's confirmation for ?done=.
func doneNotice(done string) string {
	switch done {
	case "corrected":
		return "Score corrected. The score it replaces is kept beside it, with your reason."
	case "reviewed":
		return "Supervision review recorded."
	}
	return ""
}

// reviewDone is where to go after recording a review of a referral: back
// to the weekly review or to the referral, saying it was recorded.
func reviewDone(next string, referralID int64) string {
	if next == "/review" {
		return "/review?reviewed=" + strconv.FormatInt(referralID, 10)
	}
	path, frag, _ := strings.Cut(next, "#")
	if frag != "" {
		frag = "#" + frag
	}
	return path + "?done=reviewed" + frag
}

// reviewedNotice is the weekly review's confirmation for ?reviewed=ID,
// naming the patient when the case is on the page.
func reviewedNotice(reviewed string, cases []reviewCaseView) string {
	id, err := strconv.ParseInt(reviewed, 10, 64)
	if err != nil || id <= 0 {
		return ""
	}
	for _, c := range cases {
		if c.ReferralID == id {
			return "Review of " + c.Patient + "'s case recorded."
		}
	}
	return "Review recorded."
}
