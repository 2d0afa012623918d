package harness

import (
	"strconv"
	"strings"
)

// keyLines maps every key of a TOML document to the line it is written on.
// Keys are dotted paths in which elements of arrays of tables carry their
// index: "models[1].C", "metrics.threshold.top_fraction". BurntSushi/toml
// reports positions only for parse errors, so validation messages get their
// line numbers from this scan.
type keyLines map[string]int

// scanKeyLines reads the document line by line. It understands table headers,
// arrays of tables, dotted keys, one-line inline tables and values that span
// several lines (arrays, multi-line strings); the document has already been
// parsed by the TOML decoder, so it is known to be valid.
func scanKeyLines(doc string) keyLines {
	lines := keyLines{}
	arrayCount := map[string]int{} // array-of-tables path (indexed prefix) -> elements seen
	table := ""
	depth := 0        // open [ or { brackets of a value spanning lines
	inMultiline := "" // `"""` or `'''` while inside a multi-line string
	for i, raw := range strings.Split(doc, "\n") {
		lineNo := i + 1
		line := strings.TrimRight(raw, "\r")
		if inMultiline != "" {
			if strings.Contains(line, inMultiline) {
				inMultiline = ""
			}
			continue
		}
		if depth > 0 {
			depth += bracketBalance(line)
			continue
		}
		trimmed := strings.TrimSpace(stripComment(line))
		if trimmed == "" {
			continue
		}
		if strings.HasPrefix(trimmed, "[[") {
			name := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(trimmed, "[["), "]]"))
			prefix := resolveTablePath(name, arrayCount, true)
			idx := arrayCount[prefix]
			arrayCount[prefix] = idx + 1
			table = prefix + "[" + strconv.Itoa(idx) + "]"
			lines.set(table, lineNo)
			continue
		}
		if strings.HasPrefix(trimmed, "[") {
			name := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(trimmed, "["), "]"))
			table = resolveTablePath(name, arrayCount, false)
			lines.set(table, lineNo)
			continue
		}
		eq := strings.IndexByte(trimmed, '=')
		if eq < 0 {
			continue
		}
		key := joinKey(table, cleanKey(trimmed[:eq]))
		lines.set(key, lineNo)
		value := strings.TrimSpace(trimmed[eq+1:])
		switch {
		case strings.HasPrefix(value, `"""`) || strings.HasPrefix(value, `'''`):
			delim := value[:3]
			if !strings.Contains(value[3:], delim) {
				inMultiline = delim
			}
		case strings.HasPrefix(value, "{"):
			recordInlineTable(lines, key, value, lineNo)
			depth = bracketBalance(value)
		case strings.HasPrefix(value, "["):
			depth = bracketBalance(value)
		}
	}
	return lines
}

func (k keyLines) set(key string, line int) {
	if _, ok := k[key]; !ok {
		k[key] = line
	}
}

// line returns the line of key, or of its nearest enclosing table, or 0.
func (k keyLines) line(key string) int {
	for key != "" {
		if l, ok := k[key]; ok {
			return l
		}
		cut := strings.LastIndexAny(key, ".[")
		if cut < 0 {
			break
		}
		key = key[:cut]
	}
	return 0
}

// resolveTablePath turns a header name such as "models.grid" into an
// indexed path such as "models[1].grid", using the latest element of each
// array of tables on the way. For an array-of-tables header the last segment
// stays unindexed: the caller appends the new element's index.
func resolveTablePath(name string, arrayCount map[string]int, isArray bool) string {
	parts := splitDotted(name)
	path := ""
	for i, p := range parts {
		path = joinKey(path, p)
		last := i == len(parts)-1
		if last && isArray {
			break
		}
		if n, ok := arrayCount[path]; ok && n > 0 {
			path += "[" + strconv.Itoa(n-1) + "]"
		}
	}
	return path
}

func recordInlineTable(lines keyLines, prefix, value string, lineNo int) {
	inner := strings.TrimSpace(value)
	if !strings.HasPrefix(inner, "{") {
		return
	}
	end := strings.LastIndexByte(inner, '}')
	if end < 0 {
		return
	}
	inner = inner[1:end]
	for _, part := range splitTopLevel(inner) {
		eq := strings.IndexByte(part, '=')
		if eq < 0 {
			continue
		}
		key := joinKey(prefix, cleanKey(part[:eq]))
		lines.set(key, lineNo)
		recordInlineTable(lines, key, strings.TrimSpace(part[eq+1:]), lineNo)
	}
}

// outsideStrings calls fn with the index and byte of every character of s
// that lies outside a TOML string (basic strings with backslash escapes,
// literal strings without), stopping when fn returns false.
func outsideStrings(s string, fn func(i int, c byte) bool) {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		default:
			if !fn(i, c) {
				return
			}
		}
	}
}

// splitTopLevel splits s at commas that are not nested in brackets or strings.
func splitTopLevel(s string) []string {
	var parts []string
	depth, start := 0, 0
	outsideStrings(s, func(i int, c byte) bool {
		switch {
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
		case c == ',' && depth == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
		return true
	})
	return append(parts, s[start:])
}

// bracketBalance counts opening minus closing brackets outside strings and
// before a comment.
func bracketBalance(s string) int {
	n := 0
	outsideStrings(s, func(_ int, c byte) bool {
		switch c {
		case '#':
			return false
		case '[', '{':
			n++
		case ']', '}':
			n--
		}
		return true
	})
	return n
}

// stripComment removes a trailing comment outside strings.
func stripComment(s string) string {
	end := len(s)
	outsideStrings(s, func(i int, c byte) bool {
		if c == '#' {
			end = i
			return false
		}
		return true
	})
	return s[:end]
}

func cleanKey(k string) string {
	parts := splitDotted(strings.TrimSpace(k))
	return strings.Join(parts, ".")
}

func splitDotted(k string) []string {
	var parts []string
	for _, p := range splitOutsideQuotes(k, '.') {
		p = strings.TrimSpace(p)
		if len(p) >= 2 && (p[0] == '"' || p[0] == '\'') && p[len(p)-1] == p[0] {
			p = p[1 : len(p)-1]
		}
		parts = append(parts, p)
	}
	return parts
}

func splitOutsideQuotes(s string, sep byte) []string {
	var parts []string
	var quote byte
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

func joinKey(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}
