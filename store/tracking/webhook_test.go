package tracking

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeEasyPostWebhooks answers /v2/webhooks as EasyPost documents it: the
// list, create and update, basic auth with the API key as user.
type fakeEasyPostWebhooks struct {
	srv      *httptest.Server
	mu       sync.Mutex
	hooks    map[string]map[string]string // id -> url, webhook_secret
	requests []string                     // "METHOD path"
}

func newFakeEasyPostWebhooks(t *testing.T) *fakeEasyPostWebhooks {
	f := &fakeEasyPostWebhooks{hooks: map[string]map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.requests = append(f.requests, r.Method+" "+r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		if user, pass, ok := r.BasicAuth(); !ok || user != testEasyPostKey || pass != "" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":{"code":"APIKEY.INACTIVE","message":"This api key is no longer active.","errors":[]}}`)
			return
		}
		var body struct {
			Webhook map[string]string `json:"webhook"`
		}
		if r.Method != http.MethodGet {
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				t.Errorf("%s %s: %v", r.Method, r.URL.Path, err)
			}
		}
		answer := func(id string) {
			json.NewEncoder(w).Encode(map[string]any{"id": id, "object": "Webhook", "mode": "test", "url": f.hooks[id]["url"], "disabled_at": nil})
		}
		switch id, _ := strings.CutPrefix(r.URL.Path, "/v2/webhooks/"); {
		case r.Method == http.MethodGet && r.URL.Path == "/v2/webhooks":
			var list []map[string]any
			for id, h := range f.hooks {
				list = append(list, map[string]any{"id": id, "object": "Webhook", "url": h["url"], "disabled_at": nil})
			}
			json.NewEncoder(w).Encode(map[string]any{"webhooks": list})
		case r.Method == http.MethodPost && r.URL.Path == "/v2/webhooks":
			id := "hook_" + strings.Repeat("0", 31) + string(rune('a'+len(f.hooks)))
			f.hooks[id] = body.Webhook
			w.WriteHeader(http.StatusCreated)
			answer(id)
		case r.Method == http.MethodPatch && f.hooks[id] != nil:
			f.hooks[id]["webhook_secret"] = body.Webhook["webhook_secret"]
			answer(id)
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"error":{"code":"NOT_FOUND","message":"The requested resource could not be found.","errors":[]}}`)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func TestEasyPostRegisterWebhook(t *testing.T) {
	f := newFakeEasyPostWebhooks(t)
	ctx := context.Background()
	p, _ := New(Config{Kind: EasyPost, APIKey: testEasyPostKey, BaseURL: f.srv.URL + "/v2", HTTP: f.srv.Client()})
	reg, ok := p.(WebhookRegistrar)
	if !ok {
		t.Fatal("EasyPost cannot register webhooks")
	}
	const hook = "https://dropline.example.com/api/v1/webhooks/tracking/tok"
	// Another webhook of the account's is left alone.
	f.hooks["hook_other"] = map[string]string{"url": "https://shop.example.com/easypost", "webhook_secret": "theirs"}
	ref, created, err := reg.RegisterWebhook(ctx, hook, "secret-1")
	if err != nil || !created || !strings.HasPrefix(ref, "hook_") {
		t.Fatalf("first: %q %v %v", ref, created, err)
	}
	if h := f.hooks[ref]; h["url"] != hook || h["webhook_secret"] != "secret-1" {
		t.Errorf("created %v", h)
	}
	// Again, with a new secret: the same webhook, its secret updated.
	again, created, err := reg.RegisterWebhook(ctx, hook, "secret-2")
	if err != nil || created || again != ref {
		t.Fatalf("again: %q %v %v", again, created, err)
	}
	if len(f.hooks) != 2 || f.hooks[ref]["webhook_secret"] != "secret-2" || f.hooks["hook_other"]["webhook_secret"] != "theirs" {
		t.Errorf("webhooks %v", f.hooks)
	}
	want := []string{"GET /v2/webhooks", "POST /v2/webhooks", "GET /v2/webhooks", "PATCH /v2/webhooks/" + ref}
	if strings.Join(f.requests, ", ") != strings.Join(want, ", ") {
		t.Errorf("requests %v, want %v", f.requests, want)
	}
	bad, _ := New(Config{Kind: EasyPost, APIKey: "EZTKwrong", BaseURL: f.srv.URL + "/v2", HTTP: f.srv.Client()})
	_, _, err = bad.(WebhookRegistrar).RegisterWebhook(ctx, hook, "s")
	var te *Error
	if !errors.As(err, &te) || te.Status != 401 || !strings.Contains(te.Message, "no longer active") || strings.Contains(err.Error(), "EZTKwrong") {
		t.Errorf("wrong key: %v", err)
	}
	// AfterShip's Tracking API has no webhook endpoint: the admin adds it by hand.
	if as, _ := New(Config{Kind: AfterShip}); as != nil {
		if _, ok := as.(WebhookRegistrar); ok {
			t.Error("AfterShip claims to register webhooks")
		}
	}
}
