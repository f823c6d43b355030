package cli

import (
	"fmt"
	"io"
	"log/slog"
)

// logFlags choose the log format and level.
type logFlags struct {
	format string
	level  string
}

func (l *logFlags) define(fs interface {
	StringVar(p *string, name, value, usage string)
}) {
	fs.StringVar(&l.format, "log-format", "json", "log format: json or text")
	fs.StringVar(&l.level, "log-level", "info", "log level: debug, info, warn or error")
}

func (l *logFlags) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(l.level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch l.format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be json or text, not %q", l.format)
}
