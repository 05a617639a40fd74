package handlers

import (
	"reflect"
	"testing"
)

// The session's values survive the JSON round trip as the types gorilla's
// sessions hand back: strings, and flash messages as a list.
func TestSessionValuesRoundTrip(t *testing.T) {
	in := map[any]any{"csrf": "tok", "sid": "s3cret", "_flash": []any{"Saved.", "<b>x</b>"}}
	b, err := jsonValues{}.Serialize(in)
	if err != nil {
		t.Fatal(err)
	}
	out := map[any]any{}
	if err := (jsonValues{}).Deserialize(b, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip: got %#v, want %#v", out, in)
	}
	for _, bad := range []map[any]any{{1: "x"}, {"n": 3}, {"f": []any{"ok", 2}}} {
		if _, err := (jsonValues{}).Serialize(bad); err == nil {
			t.Errorf("%v: serialised, want an error", bad)
		}
	}
	if err := (jsonValues{}).Deserialize([]byte("{not json"), &out); err == nil {
		t.Error("bad JSON: want an error")
	}
}
