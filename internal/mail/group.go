package mail

import (
	"context"
	"fmt"
	"slices"

	gosmtp "github.com/wneessen/go-mail/smtp"
)

// maxGroup is the most messages one write to the server carries.
const maxGroup = 16

// groups reports whether the server takes several transactions in one
// write: PIPELINING, and CHUNKING, so that each message goes as a BDAT
// chunk rather than after a reply to DATA.
func groups(c *gosmtp.Client) bool {
	chunking, _ := c.Extension("CHUNKING")
	return chunking && pipelines(c)
}

// groupResult is what came of a group of transactions sent in one write.
type groupResult struct {
	// errs holds each message's error, nil for one the server took.
	errs []error
	// fresh is the first message of which the server began nothing: it
	// answered that message's RSET or MAIL FROM with 421, or, for the
	// first message, the connection was found closed there; it and those
	// after it can go again over a new connection at once. It is
	// len(errs) when there is none.
	fresh int
	// keep says the session is in a known state and the connection can
	// carry the next group.
	keep bool
}

// sendGroup sends raws, messages whose lines end in CRLF, each from and to
// its envelope, in one write: each message's MAIL, RCPT and BDAT with the
// message itself, as sendPipelined sends one, each after the first
// preceded by RSET, so that a transaction the server refused cannot leave
// its recipients to the next even where the server does not forget them
// as RFC 3030 says it must: a reset link goes to its own customer alone.
// The replies are read after, in order, and each
// message's error is the first of its transaction's. Once a reply cannot
// be read, or the server says 421, the rest are not read: those messages
// share that error. A refused RSET leaves the session in a state not
// known, so it ends the group as well.
func sendGroup(c *gosmtp.Client, envs []envelope, raws [][]byte) groupResult {
	w := c.Text.W
	params := mailParams(c)
	for i, env := range envs {
		if i > 0 {
			w.WriteString("RSET\r\n")
		}
		fmt.Fprintf(w, "MAIL FROM:<%s>%s\r\nRCPT TO:<%s>\r\nBDAT %d LAST\r\n", env.from.Address, params,
			env.to.Address, len(raws[i]))
		w.Write(raws[i])
	}
	res := groupResult{errs: make([]error, len(envs)), fresh: len(envs)}
	if err := w.Flush(); err != nil {
		failed := &txError{step: stepMail, unsettled: true, err: err}
		for i := range res.errs {
			res.errs[i] = failed
		}
		return res
	}
	for i := range envs {
		var steps []error
		if i > 0 {
			if err := reply(c, stepReset, 250); err != nil {
				err.(*txError).unsettled = true
				steps = append(steps, err)
			}
		}
		steps = append(steps, reply(c, stepMail, 250), reply(c, stepRcpt, 250), reply(c, stepData, 250))
		first := firstFailure(steps)
		if first == nil {
			continue
		}
		res.errs[i] = first
		if first.unsettled {
			if refusedBeforeBeginning(first) || i == 0 && beganNothing(first) {
				res.fresh = i
			}
			for j := i + 1; j < len(envs); j++ {
				res.errs[j] = first
			}
			return res
		}
	}
	res.keep = res.errs[len(envs)-1] == nil || c.Reset() == nil
	return res
}

// beganNothing reports whether err ended a transaction before the server
// took any of it: at RSET or MAIL FROM, with the connection closed or the
// server's 421. A connection found closed proves that only for a group's
// first transaction: a reset can take with it the replies to those the
// server had already taken.
func beganNothing(err *txError) bool {
	return refusedBeforeBeginning(err) || (err.step == stepReset || err.step == stepMail) && err.code == 0 &&
		closedBeforeReply(err.err)
}

// refusedBeforeBeginning reports whether the server answered a
// transaction's RSET or MAIL FROM with 421, closing before it took any of
// it.
func refusedBeforeBeginning(err *txError) bool {
	return (err.step == stepReset || err.step == stepMail) && err.code == 421
}

// SendGroup delivers ms and returns each one's error, as Send would give
// it. Where the server takes PIPELINING and CHUNKING, up to maxGroup
// messages go in one write and their replies come back together
// (sendGroup): one round trip for the group. Elsewhere they go one after
// the other. Messages the server began nothing of before the session
// ended go again over a new connection at once, as Send does for a
// connection found gone; the others keep their errors.
func (s *SMTPSender) SendGroup(ctx context.Context, ms []Message) []error {
	errs := make([]error, len(ms))
	envs := make([]envelope, len(ms))
	var todo []int
	for i, m := range ms {
		env, err := parseEnvelope(m)
		if err != nil {
			errs[i] = Permanent(err)
			continue
		}
		envs[i], todo = env, append(todo, i)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idle != nil {
		s.idle.Stop()
	}
	defer s.armIdle()
	for part := range slices.Chunk(todo, maxGroup) {
		s.sendPartLocked(ctx, ms, envs, part, errs)
	}
	return errs
}

// sendPartLocked sends ms[i] for each i of part, at most maxGroup, and
// sets errs[i].
func (s *SMTPSender) sendPartLocked(ctx context.Context, ms []Message, envs []envelope, part []int, errs []error) {
	for len(part) > 0 {
		if err := ctx.Err(); err != nil {
			for _, i := range part {
				errs[i] = err
			}
			return
		}
		reused := s.conn != nil
		if len(part) > 1 && !reused {
			if err := s.dialLocked(ctx); err != nil {
				for _, i := range part {
					errs[i] = err
				}
				return
			}
		}
		if len(part) == 1 || !groups(s.conn) {
			for _, i := range part {
				errs[i] = s.sendOneLocked(ctx, ms[i], envs[i])
			}
			return
		}
		got, fresh := s.transactGroupLocked(ctx, ms, envs, part)
		for k, i := range part {
			errs[i] = classify(got[k])
		}
		if fresh == len(part) || fresh == 0 && !reused {
			return
		}
		part = part[fresh:]
	}
}

// transactGroupLocked sends the messages of part as one group over the
// connection and returns their errors, in part's order, and the first of
// which the server began nothing (len(part) when none).
func (s *SMTPSender) transactGroupLocked(ctx context.Context, ms []Message, envs []envelope, part []int) ([]error, int) {
	errs := make([]error, len(part))
	defer s.keepRaw()
	var ready []int
	var ends []int
	for k, i := range part {
		msg, err := s.composeLocked(ms[i], envs[i])
		if err == nil {
			err = s.appendRaw(msg)
		}
		if err != nil {
			errs[k] = err
			continue
		}
		ready, ends = append(ready, k), append(ends, s.raw.Len())
	}
	if len(ready) == 0 {
		return errs, len(part)
	}
	groupEnvs, raws := make([]envelope, len(ready)), make([][]byte, len(ready))
	start := 0
	for j, k := range ready {
		groupEnvs[j], raws[j], start = envs[part[k]], s.raw.Bytes()[start:ends[j]], ends[j]
	}
	if err := s.conn.UpdateDeadline(s.cfg.timeout); err != nil {
		s.dropLocked(false)
		for _, k := range ready {
			errs[k] = err
		}
		return errs, len(part)
	}
	conn := s.netConn
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	res := sendGroup(s.conn, groupEnvs, raws)
	interrupted := !stop()
	if interrupted || !res.keep {
		s.dropLocked(false)
	}
	fresh := len(part)
	for j, k := range ready {
		errs[k] = res.errs[j]
		if interrupted && errs[k] != nil {
			errs[k] = s.interrupted(ctx)
		}
		if j == res.fresh && !interrupted {
			fresh = k
		}
	}
	return errs, fresh
}
