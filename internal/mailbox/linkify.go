package mailbox

import (
	"html/template"
	"regexp"
	"strings"
)

var urlPattern = regexp.MustCompile(`https?://[^\s<>"']+`)

// linkify escapes text and turns each http(s) URL in it into a link.
// Punctuation that ends a sentence is left out of the link.
func linkify(text string) template.HTML {
	var b strings.Builder
	last := 0
	for _, loc := range urlPattern.FindAllStringIndex(text, -1) {
		start, end := loc[0], loc[1]
		end = start + len(strings.TrimRight(text[start:end], ".,;:!?)]}"))
		b.WriteString(template.HTMLEscapeString(text[last:start]))
		u := template.HTMLEscapeString(text[start:end])
		b.WriteString(`<a href="` + u + `" target="_blank" rel="noreferrer noopener">` + u + `</a>`)
		last = end
	}
	b.WriteString(template.HTMLEscapeString(text[last:]))
	return template.HTML(b.String())
}
