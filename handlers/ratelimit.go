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

// reserve counts a sign-in attempt against both keys before its password is
// checked, unless either key has used up its attempts. Testing and counting
// are one step under the lock, so simultaneous attempts cannot all pass the
// test before any is counted. It returns the attempt's time (for release),
// or blocked and when the oldest counted attempt leaves the window.
func (l *loginLimiter) reserve(email, ip string) (at time.Time, blocked bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, k := range []struct {
		key   string
		limit int
	}{{"email:" + email, loginMaxPerEmail}, {"ip:" + ip, loginMaxPerIP}} {
		if ts := l.recent(k.key); len(ts) >= k.limit {
			return time.Time{}, true, ts[len(ts)-k.limit].Add(loginWindow).Sub(now)
		}
	}
	l.failures["email:"+email] = append(l.failures["email:"+email], now)
	l.failures["ip:"+ip] = append(l.failures["ip:"+ip], now)
	// Keep the map from growing without bound under a spray of emails.
	if len(l.failures) > 100_000 {
		for k := range l.failures {
			l.recent(k)
		}
	}
	return now, false, 0
}

// release takes back an attempt reserved at at that turned out not to be a
// wrong password (the check itself failed).
func (l *loginLimiter) release(email, ip string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.drop("email:"+email, at)
	l.drop("ip:"+ip, at)
}

// succeed forgets the email's failures after a good sign-in, and the
// attempt reserved at at against the address.
func (l *loginLimiter) succeed(email, ip string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, "email:"+email)
	l.drop("ip:"+ip, at)
}

// drop removes one attempt made at at from key's list.
func (l *loginLimiter) drop(key string, at time.Time) {
	ts := l.failures[key]
	for i := len(ts) - 1; i >= 0; i-- {
		if ts[i].Equal(at) {
			ts = append(ts[:i:i], ts[i+1:]...)
			break
		}
	}
	if len(ts) == 0 {
		delete(l.failures, key)
	} else {
		l.failures[key] = ts
	}
}
