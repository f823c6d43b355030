package mail

import (
	"cmp"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
	texttemplate "text/template"
	"unicode"

	"golang.org/x/text/language"

	"github.com/storekeep/storekeep"
)

//go:embed templates
var embedded embed.FS

// builtin holds every embedded template file, read once.
var builtin = func() builtinSource {
	files := builtinSource{}
	err := fs.WalkDir(embedded, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := embedded.ReadFile(path)
		files[strings.TrimPrefix(path, "templates/")] = string(b)
		return err
	})
	if err != nil {
		panic(err)
	}
	return files
}()

// builtinOnly is where a renderer without override directory looks.
var builtinOnly = []source{builtin}

// source is one place templates are looked for.
type source interface {
	// read returns the text of the file name, or ok false when it has none.
	read(name string) (text string, ok bool, err error)
	// has reports whether the file name exists.
	has(name string) (bool, error)
}

type builtinSource map[string]string

func (b builtinSource) read(name string) (string, bool, error) {
	text, ok := b[name]
	return text, ok, nil
}

func (b builtinSource) has(name string) (bool, error) {
	_, ok := b[name]
	return ok, nil
}

// dirSource is an override directory, read at each use.
type dirSource struct{ fsys fs.FS }

func (d dirSource) read(name string) (string, bool, error) {
	b, err := fs.ReadFile(d.fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	return string(b), err == nil, err
}

func (d dirSource) has(name string) (bool, error) {
	_, err := fs.Stat(d.fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// Renderer turns queued mail into messages from text and HTML templates:
// the embedded ones, or files in an override directory that win over them
// file by file.
type Renderer struct {
	// DefaultLocale is tried when the mail's own locale has no template,
	// before "en". Set it before the first Render.
	DefaultLocale string
	// DefaultStorefrontURL is .StorefrontURL for shops without one
	// (https://<domain> when empty).
	DefaultStorefrontURL string
	dir                  fs.FS
	texts                parsedCache[*texttemplate.Template]
	htmls                parsedCache[*htmltemplate.Template]
	locales              boundedCache[[3]string, []string]
}

// parsedKey names a parsed template by its name and the text it was
// parsed from: its own and, for HTML, that of each layout.html in force.
type parsedKey struct {
	name, src string
	layouts   [maxSources]string
}

// maxSources is the most places a template is looked for: the shop's
// directory, the override directory and the embedded templates.
const maxSources = 3

// parsedCache keeps parsed templates by their name and source text, so
// that each is parsed once however many mails use it, and an edited file
// is parsed anew at its next render.
type parsedCache[T any] struct{ boundedCache[parsedKey, T] }

// boundedCache is a map safe for concurrent use that starts over when it
// holds maxCached entries, as it may after many edits of an override
// directory.
type boundedCache[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]V
}

// maxCached bounds a cache.
const maxCached = 256

func (c *boundedCache[K, V]) get(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok
}

func (c *boundedCache[K, V]) put(key K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCached {
		c.m = make(map[K]V)
	}
	c.m[key] = v
}

// TemplateData is what a template sees as dot. Text templates produce the
// subject (on one line) and the plain-text part; the HTML template, given
// the layout's "layout", "button" and "fallback" templates and the function
// link(url, label), produces the HTML part.
type TemplateData struct {
	// ShopName is the mail's Data.ShopName, else the shop's name, else its
	// domain.
	ShopName      string
	ShopDomain    string
	StorefrontURL string
	// URL is the reset or activation link.
	URL string
	// FirstName, Email and ExpiresHours come from the mail's Data.
	FirstName    string
	Email        string
	ExpiresHours string
	// Locale is the locale whose templates were chosen, such as "fr".
	Locale string
	// Subject is the rendered subject, set for the body templates.
	Subject string
	// Data is the mail's data by its JSON keys, such as new_email.
	Data map[string]string
}

// NewRenderer returns a Renderer. When dir is not empty it holds templates
// in the embedded layout, <locale>/<template>.subject.txt,
// <locale>/<template>.txt, <locale>/<template>.html and layout.html (whose
// definitions replace those of the same name); files under
// shops/<shop domain>/ in the same layout win for that shop alone. Files
// are read at each render, so edits apply at once; a template is parsed
// again only when its text changed. NewRenderer fails if dir
// is not a directory.
func NewRenderer(dir string) (*Renderer, error) {
	r := &Renderer{}
	if dir != "" {
		info, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("mail: template directory: %w", err)
		}
		if !info.IsDir() {
			return nil, fmt.Errorf("mail: template directory %s is not a directory", dir)
		}
		r.dir = os.DirFS(dir)
	}
	return r, nil
}

// Render builds the message for m on behalf of shop. It is sent from the
// shop's MailFrom, else from (the server's sender), and replies go to the
// shop's ReplyTo when set; either address may carry a display name, and
// without one the mail is from the shop's name. Locales are tried in this
// order: m.Locale as given (fr-CA), its language (fr), the shop's Locale
// and its language, the default locale, then en. An unknown template, or
// a reset or activation mail without a url, is a permanent error; a shop
// address that does not parse is a temporary one, cured by fixing it.
func (r *Renderer) Render(shop storekeep.Shop, m storekeep.Mail, from string) (Message, error) {
	sender, err := senderOf(shop, from)
	if err != nil {
		return Message{}, err
	}
	srcs := r.sources(shop)
	name := string(m.Template)
	locale, err := r.pickLocale(srcs, name, [3]string{m.Locale, shop.Locale, r.DefaultLocale})
	if err != nil {
		return Message{}, err
	}
	if locale == "" {
		return Message{}, Permanent(fmt.Errorf("mail: no template %q", name))
	}
	if (m.Template == storekeep.TemplateReset || m.Template == storekeep.TemplateActivation ||
		m.Template == storekeep.TemplateOrdersWaiting) && m.Data.URL == "" {
		return Message{}, Permanent(fmt.Errorf("mail: %s mail %d has no url", name, m.ID))
	}

	if err := checkLink(m.Data.URL); err != nil {
		return Message{}, Permanent(fmt.Errorf("mail: %s mail %d: %w", name, m.ID, err))
	}
	line := storekeep.OneLine
	values := map[string]string{
		"url":           line(m.Data.URL),
		"shop_name":     line(m.Data.ShopName),
		"first_name":    line(m.Data.FirstName),
		"email":         line(m.Data.Email),
		"expires_hours": line(m.Data.ExpiresHours),
		"new_email":     line(m.Data.NewEmail),
	}
	data := TemplateData{
		ShopName:      cmp.Or(values["shop_name"], line(shop.Name), shop.Domain),
		ShopDomain:    shop.Domain,
		StorefrontURL: shop.LinkBase(r.DefaultStorefrontURL),
		URL:           values["url"],
		FirstName:     values["first_name"],
		Email:         values["email"],
		ExpiresHours:  values["expires_hours"],
		Locale:        locale,
		Data:          values,
	}
	base := locale + "/" + name
	subject, err := r.execText(srcs, base+".subject.txt", &data)
	if err != nil {
		return Message{}, err
	}
	data.Subject = strings.Join(strings.Fields(subject), " ")
	text, err := r.execText(srcs, base+".txt", &data)
	if err != nil {
		return Message{}, err
	}
	html, err := r.execHTML(srcs, base+".html", &data)
	if err != nil {
		return Message{}, err
	}
	return Message{
		ShopID:      shop.ID,
		FromName:    cmp.Or(sender.fromName, data.ShopName),
		From:        sender.from,
		To:          m.To,
		ReplyTo:     sender.replyTo,
		ReplyToName: sender.replyToName,
		Subject:     data.Subject,
		Text:        tidyText(text),
		HTML:        html,
		MessageID:   strings.Trim(m.MessageID, "<>"),
		Headers: map[string]string{
			"Auto-Submitted":   "auto-generated",
			"Content-Language": locale,
		},
	}, nil
}

// sources lists where templates are looked for, first match wins.
func (r *Renderer) sources(shop storekeep.Shop) []source {
	if r.dir == nil {
		return builtinOnly
	}
	srcs := make([]source, 0, maxSources)
	domain := strings.ToLower(shop.Domain)
	if domain != "" && fs.ValidPath(domain) && !strings.Contains(domain, "/") {
		if sub, err := fs.Sub(r.dir, "shops/"+domain); err == nil {
			srcs = append(srcs, dirSource{sub})
		}
	}
	return append(srcs, dirSource{r.dir}, builtin)
}

// pickLocale returns the first candidate locale that has the template's
// text part in some source, or "" when none has.
func (r *Renderer) pickLocale(srcs []source, name string, locales [3]string) (string, error) {
	candidates, ok := r.locales.get(locales)
	if !ok {
		candidates = localeCandidates(locales[:]...)
		r.locales.put(locales, candidates)
	}
	for _, locale := range candidates {
		for _, src := range srcs {
			ok, err := src.has(locale + "/" + name + ".txt")
			if err != nil {
				return "", fmt.Errorf("mail: template %s/%s.txt: %w", locale, name, err)
			}
			if ok {
				return locale, nil
			}
		}
	}
	return "", nil
}

// localeCandidates expands each locale into itself and its language, in
// canonical BCP 47 form, then adds en.
func localeCandidates(locales ...string) []string {
	var out []string
	add := func(s string) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, l := range locales {
		if l == "" {
			continue
		}
		tag, err := language.Parse(l)
		if err != nil {
			continue
		}
		add(tag.String())
		if b, conf := tag.Base(); conf != language.No {
			add(b.String())
		}
	}
	add("en")
	return out
}

func readFirst(srcs []source, name string) (string, bool, error) {
	for _, src := range srcs {
		text, ok, err := src.read(name)
		if err != nil {
			return "", false, fmt.Errorf("mail: template %s: %w", name, err)
		}
		if ok {
			return text, true, nil
		}
	}
	return "", false, nil
}

func (r *Renderer) execText(srcs []source, name string, data *TemplateData) (string, error) {
	src, ok, err := readFirst(srcs, name)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("mail: template %s is missing", name)
	}
	key := parsedKey{name: name, src: src}
	t, ok := r.texts.get(key)
	if !ok {
		t, err = texttemplate.New(name).Parse(src)
		if err != nil {
			return "", fmt.Errorf("mail: %w", err)
		}
		r.texts.put(key, t)
	}
	var out strings.Builder
	out.Grow(len(src) + 256)
	if err := t.Execute(&out, data); err != nil {
		return "", fmt.Errorf("mail: %w", err)
	}
	return out.String(), nil
}

// execHTML renders the HTML part, or "" when the template has none.
func (r *Renderer) execHTML(srcs []source, name string, data *TemplateData) (string, error) {
	src, ok, err := readFirst(srcs, name)
	if err != nil || !ok {
		return "", err
	}
	// Every layout.html is parsed, embedded first, so that an override may
	// redefine "layout" alone and keep the embedded "button".
	key := parsedKey{name: name, src: src}
	layouts := key.layouts[:0]
	for i := len(srcs) - 1; i >= 0; i-- {
		layout, ok, err := srcs[i].read("layout.html")
		if err != nil {
			return "", fmt.Errorf("mail: template layout.html: %w", err)
		}
		if ok {
			layouts = append(layouts, layout)
		}
	}
	t, cached := r.htmls.get(key)
	if !cached {
		t = htmltemplate.New(name).Funcs(htmltemplate.FuncMap{"link": link})
		for _, layout := range layouts {
			if _, err := t.New("layout.html").Parse(layout); err != nil {
				return "", fmt.Errorf("mail: %w", err)
			}
		}
		if _, err := t.Parse(src); err != nil {
			return "", fmt.Errorf("mail: %w", err)
		}
		r.htmls.put(key, t)
	}
	size := len(src) + 256
	for _, layout := range layouts {
		size += len(layout)
	}
	var out strings.Builder
	out.Grow(size)
	if err := t.Execute(&out, data); err != nil {
		return "", fmt.Errorf("mail: %w", err)
	}
	return trimLines(out.String()), nil
}

// linkArgs is what the layout's "button" and "fallback" templates take.
type linkArgs struct{ URL, Label string }

func link(url, label string) linkArgs { return linkArgs{URL: url, Label: label} }

// tidyText trims trailing spaces and runs of blank lines that optional
// template sections leave behind.
func tidyText(s string) string {
	var out strings.Builder
	out.Grow(len(s) + 1)
	blank := false
	for line := range strings.Lines(strings.ReplaceAll(s, "\r\n", "\n")) {
		line = strings.TrimRight(line, " \t\n")
		if line == "" {
			blank = true
			continue
		}
		if out.Len() > 0 {
			out.WriteByte('\n')
			if blank {
				out.WriteByte('\n')
			}
		}
		out.WriteString(line)
		blank = false
	}
	out.WriteByte('\n')
	return trimLines(out.String())
}

// trimLines returns s without leading and trailing white space, ended by
// one line feed: a slice of s when a line feed follows its last text, as
// it does after a template's last line, and a copy only when none does.
func trimLines(s string) string {
	start := len(s) - len(strings.TrimLeftFunc(s, unicode.IsSpace))
	end := start + len(strings.TrimRightFunc(s[start:], unicode.IsSpace))
	if end < len(s) && s[end] == '\n' {
		return s[start : end+1]
	}
	return s[start:end] + "\n"
}
