package handlers_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var paramRE = regexp.MustCompile(`:([A-Za-z]+)`)

func TestAPIAccountAndErrors(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	call := func(auth string) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodGet, env.srv.URL+"/api/v1/account", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		p := c.do(req)
		var body map[string]any
		if err := json.Unmarshal([]byte(p.body), &body); err != nil {
			t.Fatalf("body is not JSON: %q", p.body)
		}
		return p.status, body
	}
	status, body := call("Bearer " + w.tokenA)
	if status != http.StatusOK || body["public_id"] != w.merchantA.PublicID || body["kind"] != "merchant" {
		t.Fatalf("GET /api/v1/account: %d %v", status, body)
	}
	for _, auth := range []string{"", "Bearer ", "Bearer dl_nope", "Basic abc"} {
		status, body := call(auth)
		if status != http.StatusUnauthorized {
			t.Errorf("auth %q: status %d, want 401", auth, status)
		}
		e, _ := body["error"].(map[string]any)
		if e == nil || e["code"] == "" || e["message"] == "" {
			t.Errorf("auth %q: error body %v, want {error: {code, message}}", auth, body)
		}
	}
}

func TestOpenAPIDocument(t *testing.T) {
	env := newEnv(t)
	p := env.client().get("/api/v1/openapi.json")
	var doc map[string]any
	if err := json.Unmarshal([]byte(p.body), &doc); err != nil || p.status != http.StatusOK {
		t.Fatalf("openapi.json: %d, %v", p.status, err)
	}
	if v, _ := doc["openapi"].(string); len(v) < 2 || v[:2] != "3." {
		t.Fatalf("openapi version %q, want 3.x", v)
	}
	paths, _ := doc["paths"].(map[string]any)
	// Every API route is documented.
	for _, r := range env.echo.Routes() {
		if strings.HasPrefix(r.Path, "/api/v1/") && r.Path != "/api/v1/openapi.json" && !strings.Contains(r.Path, "*") {
			// Echo's :param is OpenAPI's {param}.
			docPath := paramRE.ReplaceAllString(strings.TrimPrefix(r.Path, "/api/v1"), "{$1}")
			if _, ok := paths[docPath]; !ok {
				t.Errorf("route %s %s is not in the OpenAPI document", r.Method, r.Path)
			}
		}
	}
}
