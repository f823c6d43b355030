package server

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"
)

// RequestIDHeader carries the id every response and log line shares.
const RequestIDHeader = "X-Request-Id"

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// withRequestLog gives each request an id and logs one line for it. It logs
// the matched route pattern, never the path, which may hold a token.
func withRequestLog(log *slog.Logger, observe func(string, int, time.Duration), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID()
		w.Header().Set(RequestIDHeader, id)
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		elapsed := time.Since(start)
		if observe != nil {
			observe(route, rec.status, elapsed)
		}
		log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("request_id", id), slog.String("method", loggedMethod(r.Method)),
			slog.String("route", route), slog.Int("status", rec.status),
			slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000))
	})
}

// loggedMethod is a request's method as its log line names it: one of
// HTTP's registered methods, else "other". A method is any token up to
// the size of a request's head, which a client must not copy into every
// line it makes the node write.
func loggedMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m
	}
	return "other"
}

func newRequestID() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// recoverPanics turns a panic into a 500 with no detail for the client.
func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("panic serving request", "route", r.Pattern, "panic", v)
				writeErrors(w, http.StatusInternalServerError, "Internal error. Looks like something went wrong on our end.", "INTERNAL_SERVER_ERROR")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// storedByNoCache marks every answer Cache-Control: no-store unless its
// handler says otherwise, as the stylesheet of the hosted pages does. The
// router's own answers, a redirect to a path's cleaned form and a 404,
// have no handler of storekeep's, and their path may be a mailed link
// with its token: a redirect's Location is the link.
func storedByNoCache(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}
