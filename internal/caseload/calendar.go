package caseload

import "time"

// England is the clinic's calendar, Europe/London: the zone of every
// calendar date the store keeps and of Today, for the HTTP layer to show
// instants in, so that the two never disagree about the date.
func England() *time.Location { return london }
