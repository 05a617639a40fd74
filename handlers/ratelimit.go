package handlers

import (
	"sync"
	"time"
)

// Sign-in limits: failed attempts allowed per window, per email and per client IP.
const (
	loginWindow      = 15 * time.Minute
	loginMaxPerEmail = 5
	loginMaxPerIP    = 20
)

// loginLimiter counts failed sign-in attempts in a sliding window. It is kept
// in memory: a restart forgets the counts, which only makes it more lenient.
type loginLimiter struct {
	mu       sync.Mutex
	now      func() time.Time
	failures map[string][]time.Time
}

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{now: now, failures: map[string][]time.Time{}}
}

// recent drops attempts older than the window and returns what is left.
func (l *loginLimiter) recent(key string) []time.Time {
	cutoff := l.now().Add(-loginWindow)
	ts := l.failures[key]
	i := 0
	for i < len(ts) && ts[i].Before(cutoff) {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.failures, key)
	} else {
		l.failures[key] = ts
	}
	return ts
}

// blocked reports whether either key has used up its attempts, and when the
// oldest counted attempt leaves the window.
func (l *loginLimiter) blocked(email, ip string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	check := func(key string, limit int) (bool, time.Duration) {
		ts := l.recent(key)
		if len(ts) < limit {
			return false, 0
		}
		return true, ts[len(ts)-limit].Add(loginWindow).Sub(l.now())
	}
	if b, wait := check("email:"+email, loginMaxPerEmail); b {
		return b, wait
	}
	return check("ip:"+ip, loginMaxPerIP)
}

// fail records a failed attempt against both keys.
func (l *loginLimiter) fail(email, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.failures["email:"+email] = append(l.recent("email:"+email), now)
	l.failures["ip:"+ip] = append(l.recent("ip:"+ip), now)
	// Keep the map from growing without bound under a spray of emails.
	if len(l.failures) > 100_000 {
		for k := range l.failures {
			l.recent(k)
		}
	}
}

// succeed forgets the email's failures after a good sign-in.
func (l *loginLimiter) succeed(email string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, "email:"+email)
}
