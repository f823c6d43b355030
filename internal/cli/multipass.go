package cli

import (
	"errors"
	"flag"
	"fmt"

	"github.com/storekeep/storekeep/multipass"
)

// multipassFlags set a shop's Multipass secret, given on the command line
// or, to keep it out of process lists and shell history, in a file.
type multipassFlags struct {
	secret, file string
}

func (m *multipassFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&m.secret, "multipass-secret", "", "the shop's Multipass secret, which turns Multipass sign-in on (stored sealed with the server keys)")
	fs.StringVar(&m.file, "multipass-secret-file", "", "a file holding the --multipass-secret value")
}

// value returns the secret given, checked; given is false when neither
// flag was.
func (m *multipassFlags) value() (secret string, given bool, err error) {
	switch {
	case m.secret != "" && m.file != "":
		return "", false, errors.New("give --multipass-secret or --multipass-secret-file, not both")
	case m.file != "":
		if secret, err = secretFile("--multipass-secret-file", m.file); err != nil {
			return "", false, err
		}
	case m.secret == "":
		return "", false, nil
	default:
		secret = m.secret
	}
	if err := multipass.CheckSecret(secret); err != nil {
		return "", false, fmt.Errorf("--multipass-secret: %w", err)
	}
	return secret, true, nil
}
