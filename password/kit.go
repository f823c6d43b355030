package password

// Kit is a Hasher with the Policy new passwords are judged by: what the
// account and recovery services take to hash, verify and judge passwords.
type Kit struct {
	*Hasher
	Policy
}
