package loadtest

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteTable writes r as a table for people.
func (r *Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "storekeep bench: %s, API %s, %d clients, %gs per scenario", r.URL, r.Version, r.Clients, r.DurationSeconds)
	if r.Rate > 0 {
		fmt.Fprintf(w, ", open at %g requests/s", r.Rate)
	}
	fmt.Fprintln(w)
	s := r.Seed
	fmt.Fprintf(w, "seeded %d of %d customers in %.1fs", s.Created, s.Requested, s.Seconds)
	if s.Created < s.Requested {
		fmt.Fprintf(w, " (%d throttled, %d user errors, %d errors)", s.Counts.Throttled, s.Counts.UserErrors, s.Counts.Errors)
	}
	if d := s.Drain; d != nil {
		fmt.Fprintf(w, "; outbox empty %.1fs after", d.WaitedSeconds)
		if d.Left > 0 {
			fmt.Fprintf(w, ", %d rows still pending", d.Left)
		}
	}
	if s.FirstError != "" {
		fmt.Fprintf(w, " (first failure: %s)", s.FirstError)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\trequests\treq/s\tp50\tp90\tp95\tp99\tmax\tok\tuser-errors\tthrottled\terrors\t")
	for _, sc := range r.Scenarios {
		l, c := sc.Latency, sc.Counts
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t\n", sc.Name, sc.Requests, sc.PerSecond,
			msText(l.P50), msText(l.P90), msText(l.P95), msText(l.P99), msText(l.Max), c.OK, c.UserErrors, c.Throttled, c.Errors)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, sc := range r.Scenarios {
		fmt.Fprintf(w, "\n%s:\n", sc.Name)
		if sc.Counts.OK > 0 {
			l := sc.OKLatency
			fmt.Fprintf(w, "  ok only        p50 %s  p90 %s  p95 %s  p99 %s  max %s\n", msText(l.P50), msText(l.P90), msText(l.P95), msText(l.P99), msText(l.Max))
		}
		if l := sc.SentLate; l != nil {
			fmt.Fprintf(w, "  sent late      p50 %s  p90 %s  p95 %s  p99 %s  max %s (the bench's own delay, inside the times above)\n",
				msText(l.P50), msText(l.P90), msText(l.P95), msText(l.P99), msText(l.Max))
		}
		if m := sc.Mail; m != nil {
			l := m.Latency
			fmt.Fprintf(w, "  mail           %d of %d accepted recovers delivered, %d missing, %d stray\n", m.Delivered, m.Accepted, m.Missing, m.Stray)
			if m.Delivered > 0 {
				fmt.Fprintf(w, "  recover→mail   p50 %s  p90 %s  p95 %s  p99 %s  max %s\n", msText(l.P50), msText(l.P90), msText(l.P95), msText(l.P99), msText(l.Max))
			}
		}
		if e := sc.EndToEnd; e != nil {
			fmt.Fprintf(w, "  end to end     %.1f mails/s: %d delivered to the sink in %.1fs (answers %.1f/s)\n",
				e.PerSecond, e.Delivered, e.Seconds, sc.PerSecond)
		}
		if s := sc.Server; s != nil {
			fmt.Fprintf(w, "  server         backlog max %d rows, oldest %.1fs; peak RSS %.1f MiB (%d samples); %d recovers held",
				s.BacklogMaxPending, s.BacklogMaxAgeSeconds, float64(s.PeakRSSBytes)/(1<<20), s.Samples, s.RecoversHeld)
			if s.Error != "" {
				fmt.Fprintf(w, " (%s)", s.Error)
			}
			fmt.Fprintln(w)
		}
		if p := sc.Prep; p != nil {
			c := p.Counts
			fmt.Fprintf(w, "  prep recovers  %d: %d ok, %d user errors, %d throttled, %d errors; %d mails not seen in time\n",
				p.Recovers, c.OK, c.UserErrors, c.Throttled, c.Errors, p.MailTimeouts)
			if p.FirstError != "" {
				fmt.Fprintf(w, "  first prep failure: %s\n", p.FirstError)
			}
			if c.OK == 0 && c.Throttled > 0 {
				fmt.Fprintln(w, "  no reset link could be had: the recover limits are used up (an earlier scenario or run);")
				fmt.Fprintln(w, "  run reset first, or against a freshly started server")
			}
		}
		if d := sc.Drain; d != nil {
			fmt.Fprintf(w, "  outbox drained  after %.1fs, %d rows left", d.WaitedSeconds, d.Left)
			if d.Error != "" {
				fmt.Fprintf(w, " (%s)", d.Error)
			}
			fmt.Fprintln(w)
		}
		if sc.FirstUserError != "" {
			fmt.Fprintf(w, "  first user error: %s\n", sc.FirstUserError)
		}
		if sc.FirstError != "" {
			fmt.Fprintf(w, "  first error: %s\n", sc.FirstError)
		}
	}
	return nil
}

func msText(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.2fs", v/1000)
	}
	return fmt.Sprintf("%.2fms", v)
}
