package loadtest

import (
	"context"
	"errors"
	"testing"
)

func TestRunRefusesAnythingButThisMachine(t *testing.T) {
	for _, url := range []string{
		"http://10.0.0.1:8080", "http://example.com", "https://[2001:db8::1]:443", "http://0.0.0.0:8080",
		"http://localhost.example.com", "ftp://127.0.0.1", "http://user:pw@127.0.0.1:8080",
	} {
		cfg := DefaultConfig()
		cfg.URL, cfg.Token = url, "t"
		if rep, err := Run(context.Background(), cfg); err == nil || rep != nil {
			t.Errorf("%s: ran: %v", url, err)
		}
	}
	for _, url := range []string{"http://127.0.0.1:8080", "http://127.9.8.7", "http://[::1]:8080", "http://LOCALHOST:1/"} {
		if _, err := checkURL("--url", url); err != nil {
			t.Errorf("%s: %v", url, err)
		}
	}
	cfg := DefaultConfig()
	cfg.Token, cfg.SMTPListen = "t", "0.0.0.0:2525"
	if _, err := Run(context.Background(), cfg); !errors.Is(err, errNotLoopback) {
		t.Errorf("sink on all interfaces: %v", err)
	}
	if _, err := checkURL("--url", "http://192.168.1.10:8080"); !errors.Is(err, errNotLoopback) {
		t.Errorf("private address: %v", err)
	}
	cfg = DefaultConfig()
	cfg.Token, cfg.AdminURL = "t", "http://10.0.0.1:9090"
	if _, err := Run(context.Background(), cfg); !errors.Is(err, errNotLoopback) {
		t.Errorf("metrics read off this machine: %v", err)
	}
}
