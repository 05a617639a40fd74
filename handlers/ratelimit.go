package handlers

import "time"

// Sign-in limits: attempts allowed per window, per email and per client
// address. They are counted in the database (store.ReserveLogin), so every
// instance serving it counts the same attempts, and a restart forgets none.
const (
	loginWindow      = 15 * time.Minute
	loginMaxPerEmail = 5
	loginMaxPerIP    = 20
)
