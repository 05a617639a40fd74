package views

import (
	"strconv"
	"strings"
)

func i64(n int64) string { return strconv.FormatInt(n, 10) }

func itoa(n int) string { return strconv.Itoa(n) }

func hasInitial(ss []StatusRow) bool {
	for _, s := range ss {
		if s.Initial {
			return true
		}
	}
	return false
}

func renameValue(v StatusesView, s StatusRow) string {
	if v.RenameID == s.ID {
		return v.RenameName
	}
	return s.Name
}

func invalidIf(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func joinComma(ss []string) string { return strings.Join(ss, ", ") }

// humanAction turns an audit action code such as "link.accepted" into words.
func humanAction(code string) string {
	words := strings.NewReplacer(".", " ", "_", " ").Replace(code)
	if words == "" {
		return ""
	}
	return strings.ToUpper(words[:1]) + words[1:]
}
