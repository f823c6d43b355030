package account

// CreateInput is customerCreate's input. Nil pointers are absent fields.
type CreateInput struct {
	Email            string
	Password         string
	FirstName        *string
	LastName         *string
	Phone            *string
	AcceptsMarketing *bool
	// Tags label the customer; customerCreate has none, an import may.
	Tags []string
}

// UpdateInput is customerUpdate's input. Nil pointers leave a field as it is.
type UpdateInput struct {
	Email            *string
	Password         *string
	FirstName        *string
	LastName         *string
	Phone            *string
	AcceptsMarketing *bool
}
