package ui

import (
	"errors"
	"net/netip"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
)

// Throttling by client address (issue 15, 11). An IPv4 address is one
// client; an IPv6 client is normally given a whole /64 and can pick any
// address in it, so failures are counted against the /64.

// throttleKey is the key a client's failures are counted under: the IPv4
// address, or the IPv6 /64 network ("2001:db8:1:2::/64").
func throttleKey(address string) string {
	ip, err := netip.ParseAddr(address)
	if err != nil {
		return address
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.String()
	}
	p, err := ip.Prefix(64)
	if err != nil {
		return address
	}
	return p.String()
}

// When password hashing is busy (every slot taken, see internal/password),
// the client is asked to come back shortly.
const (
	retryAfterBusy = "5"
	busyMessage    = "clinic is busy just now. Wait a few seconds and try again."
)

// authenticate checks a sign-in under the throttle: the attempt is counted
// before the password is checked (caseload.ErrThrottled when paused), then
// withdrawn if it did not fail, so that a burst of guesses cannot all be
// checked before their failures are counted. Errors: caseload.ErrThrottled,
// caseload.ErrBadCredentials, password.ErrBusy.
func (s *Server) authenticate(c echo.Context, email, pw string) (caseload.User, error) {
	ctx := c.Request().Context()
	attempt, err := s.store.ReserveSignIn(ctx, email, throttleKey(c.RealIP()))
	if err != nil {
		return caseload.User{}, err
	}
	u, err := s.store.Authenticate(ctx, email, pw)
	if errors.Is(err, caseload.ErrBadCredentials) {
		if ferr := s.store.SignInFailed(ctx, email); ferr != nil {
			return caseload.User{}, ferr
		}
		return caseload.User{}, err
	}
	if rerr := s.store.ReleaseSignIn(ctx, attempt); rerr != nil {
		return caseload.User{}, rerr
	}
	return u, err
}
