package accountpage

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"net/http"

	"github.com/storekeep/storekeep"
)

//go:embed templates/page.html
var templates embed.FS

//go:embed assets/page.css
var stylesheet []byte

var pageTemplate = template.Must(template.ParseFS(templates, "templates/page.html"))

// stylesheetURL carries the stylesheet's digest, so that it can be cached.
var stylesheetURL = func() string {
	sum := sha256.Sum256(stylesheet)
	return AssetsPath + "page.css?v=" + hex.EncodeToString(sum[:6])
}()

// What a page shows.
const (
	stateForm    = "form"
	stateDone    = "done"
	stateInvalid = "invalid"
	stateExpired = "expired"
	stateError   = "error"
)

// view is what the template sees.
type view struct {
	State      string
	Title      string
	Intro      string
	Button     string
	Done       string
	DoneText   string
	ShopName   string
	Storefront string
	Action     string
	CSRFField  string
	CSRF       string
	Errors     []string
	Message    string
	Stylesheet string
}

func (h *handler) page(f flow, shop storekeep.Shop, state string) view {
	return view{
		State:      state,
		Title:      f.title,
		Intro:      f.intro,
		Button:     f.button,
		Done:       f.done,
		DoneText:   f.doneText,
		ShopName:   shop.Name,
		Storefront: h.storefront(shop),
		Stylesheet: stylesheetURL,
		CSRFField:  csrfField,
	}
}

func (h *handler) form(f flow, shop storekeep.Shop, r *http.Request, token string) view {
	v := h.page(f, shop, stateForm)
	v.Action = r.URL.EscapedPath()
	v.CSRF = token
	return v
}

func (h *handler) render(w http.ResponseWriter, status int, v view) {
	var buf bytes.Buffer
	if err := pageTemplate.ExecuteTemplate(&buf, "page.html", v); err != nil {
		h.cfg.Logger.Error("account page template", "err", err)
		http.Error(w, internalMessage, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

func serveAsset(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("file") != "page.css" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(stylesheet)
}
