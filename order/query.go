package order

import (
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/storekeep/storekeep"
)

// MaxQueryLength bounds Customer.orders' query argument, in bytes.
const MaxQueryLength = 1000

// parseQuery reads the search syntax of Customer.orders' query for the
// filters storefronts use: financial_status:<status>,
// fulfillment_status:<status> and processed_at with :, :>, :>=, :< or :<=
// and a date (2024-01-31) or an RFC 3339 time (one outside the years
// orders are kept in selects as its nearest kept time would), quoted or
// not: Shopify's syntax quotes dates, processed_at:>'2024-01-31'. Terms are
// separated by spaces or AND; other terms are ignored, as Shopify ignores
// what it does not index. A query with one of these filters that also
// holds OR, NOT, a negated term or parentheses is refused: read as AND,
// it would select other orders than it asks for (NOT
// financial_status:paid the paid ones). So is a control character other
// than white space (NUL among them, which no stored status holds and
// PostgreSQL cannot take as text).
func parseQuery(q string) (storekeep.OrderFilter, error) {
	var f storekeep.OrderFilter
	if len(q) > MaxQueryLength {
		return f, badArgument("query is longer than 1000 bytes")
	}
	if strings.ContainsFunc(q, func(r rune) bool { return unicode.IsControl(r) && !unicode.IsSpace(r) }) {
		return f, badArgument("query holds a control character")
	}
	terms := strings.Fields(q)
	combined := slices.ContainsFunc(terms, func(t string) bool {
		return t == "OR" || t == "NOT" || strings.HasPrefix(t, "-") || strings.ContainsAny(t, "()")
	})
	for _, term := range terms {
		key, value, ok := strings.Cut(strings.TrimLeft(term, "-("), ":")
		if !ok || !filterKeys[strings.ToLower(key)] {
			continue
		}
		if combined {
			return f, badArgument("query: financial_status, fulfillment_status and processed_at combine with AND alone, " +
				"without OR, NOT, - or parentheses")
		}
		value = strings.Trim(value, `"'`)
		switch strings.ToLower(key) {
		case "financial_status":
			f.FinancialStatus = strings.ToUpper(value)
		case "fulfillment_status":
			f.FulfillmentStatus = fulfillmentStatus(strings.ToLower(value))
		case "processed_at":
			if err := processedAt(&f, value); err != nil {
				return f, err
			}
		}
	}
	return f, nil
}

// filterKeys are the terms parseQuery reads.
var filterKeys = map[string]bool{"financial_status": true, "fulfillment_status": true, "processed_at": true}

func processedAt(f *storekeep.OrderFilter, value string) error {
	op := ""
	for _, p := range []string{">=", "<=", ">", "<"} {
		if rest, ok := strings.CutPrefix(value, p); ok {
			op, value = p, strings.Trim(rest, `"'`)
			break
		}
	}
	t, day, ok := parseWhen(value)
	if !ok {
		return badArgument("processed_at: " + value + " is not a date or time")
	}
	end := t.Add(time.Nanosecond)
	if day {
		end = t.AddDate(0, 0, 1)
	}
	t, end = clamp(t), clamp(end)
	switch op {
	case ">=":
		f.ProcessedFrom = t
	case ">":
		f.ProcessedFrom = end
	case "<":
		f.ProcessedTo = t
	case "<=":
		f.ProcessedTo = end
	default:
		f.ProcessedFrom, f.ProcessedTo = t, end
	}
	return nil
}

// clamp brings t into the years orders are kept in, so that a bound
// beyond them selects all orders or none, as the bound itself would.
func clamp(t time.Time) time.Time {
	if t.Before(firstTime) {
		return firstTime
	}
	if t.After(endTime) {
		return endTime
	}
	return t
}

func parseWhen(s string) (t time.Time, day bool, ok bool) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true, true
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), false, true
	}
	return time.Time{}, false, false
}
