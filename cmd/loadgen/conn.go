package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// A client's own connection (issue 17). The load runs on the machine that
// serves it, so every CPU cycle the tool spends is one the server does not
// get. net/http's Client hands each request to a connection's reader and
// writer goroutines and back, several switches between goroutines a
// request, which on 2 cores cost about 0.12 ms of CPU a request: at 4,000
// requests a second, close to half a core. A client that needs no cookies
// (the API's token requests and the trivial page) instead writes its
// request on a keep-alive connection of its own and reads the answer on the
// same goroutine, with net/http's own Request.Write and ReadResponse: the
// same bytes on the wire, less of the machine. The browser kinds (caseload,
// review) keep their signed-in http.Clients and their cookie jars.

// conn is one client's keep-alive connection to the server, dialled when
// first needed and again after the server closes it.
type conn struct {
	addr string // host:port
	nc   net.Conn
	br   *bufio.Reader
	bw   *bufio.Writer
}

func newConn(base string) (*conn, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	return &conn{addr: u.Host}, nil
}

// do sends req and reads the whole answer, which must have status want; it
// answers the size of the body. A request is never sent twice: one that
// fails on a connection is a failure, and the connection is dialled anew for
// the next one.
func (c *conn) do(req *http.Request, want int) (int, error) {
	if c.nc == nil {
		nc, err := net.DialTimeout("tcp", c.addr, 10*time.Second)
		if err != nil {
			return 0, err
		}
		c.nc, c.br, c.bw = nc, bufio.NewReaderSize(nc, 16<<10), bufio.NewWriterSize(nc, 4<<10)
	}
	size, keep, err := c.roundTrip(req, want)
	if !keep {
		_ = c.nc.Close()
		c.nc = nil
	}
	return size, err
}

// roundTrip is do on a dialled connection; keep says whether the connection
// can take another request.
func (c *conn) roundTrip(req *http.Request, want int) (size int, keep bool, err error) {
	if deadline, ok := req.Context().Deadline(); ok {
		_ = c.nc.SetDeadline(deadline)
	} else {
		_ = c.nc.SetDeadline(time.Now().Add(time.Minute))
	}
	if err := req.Write(c.bw); err != nil {
		return 0, false, err
	}
	if err := c.bw.Flush(); err != nil {
		return 0, false, err
	}
	resp, err := http.ReadResponse(c.br, req)
	if err != nil {
		return 0, false, err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, false, err
	}
	keep = !resp.Close
	if resp.StatusCode != want {
		return 0, keep, fmt.Errorf("%s %s: %d, want %d", req.Method, req.URL.Path, resp.StatusCode, want)
	}
	return int(n), keep, nil
}

func (c *conn) close() {
	if c.nc != nil {
		_ = c.nc.Close()
		c.nc = nil
	}
}
