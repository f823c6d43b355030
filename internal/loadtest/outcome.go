package loadtest

// outcome is how one request ended.
type outcome int

const (
	// outcomeOK is a success with every expected field present.
	outcomeOK outcome = iota
	// outcomeUserError is an answer with customerUserErrors.
	outcomeUserError
	// outcomeThrottled is a THROTTLED answer, top-level or as a user error.
	outcomeThrottled
	// outcomeError is anything else: transport failures, non-200 statuses,
	// undecodable bodies, other top-level errors, missing payloads.
	outcomeError
	numOutcomes
)

// result is one request's outcome and, for errors and user errors, why.
type result struct {
	outcome outcome
	detail  string
}
