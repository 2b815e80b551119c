package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"regexp"

	"github.com/coordapi/coord"
)

// The demo permission page: where link_account sends test users. It is not
// part of the API (a browser page, not JSON), so it lives beside it. GET
// shows Allow / Deny; the form POSTs back with the same signed token, which
// is what protects it (no cookie to ride on: the token binds the user, the
// partner, the system, the redirect URI and the state, and expires).

// linkPagePath is where the page is served.
const linkPagePath = "/demo/link"

// linkPageFromAPI is linkPagePath relative to link_account's URL
// (/v1/users/user/current/link_account): a relative redirect keeps any path
// prefix a reverse proxy put in front of the server.
const linkPageFromAPI = "../../../.." + linkPagePath

const linkPageStyle = `body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}` +
	`button{font-size:1rem;padding:.5rem 1.5rem;margin-right:.5rem}.note{color:#666;font-size:.9rem}`

var linkPageTemplate = template.Must(template.New("link").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Link your {{.System}} account</title>
<style>` + linkPageStyle + `</style>
</head>
<body>
<main>
<h1>Link your {{.System}} account?</h1>
<p><strong>{{.Partner}}</strong> would like to link your <strong>{{.System}}</strong> account.</p>
<form method="post">
<input type="hidden" name="t" value="{{.Token}}">
<button type="submit" name="choice" value="allow" id="allow">Allow</button>
<button type="submit" name="choice" value="deny" id="deny">Deny</button>
</form>
<p class="note">A demo page for sandbox (test) users: no real account is involved. It expires in 10 minutes.</p>
</main>
</body>
</html>
`))

// linkPageStyleHash lets the CSP allow exactly the page's one inline style.
var linkPageStyleHash = func() string {
	sum := sha256.Sum256([]byte(linkPageStyle))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

// cspOrigin is what an origin may look like to be written into the CSP;
// anything else is left out rather than risk injecting a directive.
var cspOrigin = regexp.MustCompile(`^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$`)

// linkPageHandler serves the demo permission page.
type linkPageHandler struct {
	svc     *coord.Service
	catalog *coord.Catalog
	tokens  linkTokens
}

func (h linkPageHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Frame-Options", "DENY")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer") // the URL carries the token
	hdr.Set("Content-Security-Policy", "default-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		h.show(w, r)
	case http.MethodPost:
		h.choose(w, r)
	default:
		hdr.Set("Allow", "GET, HEAD, POST")
		h.fail(w, r, coord.Errorf(EMethodNotAllowed, "use GET or POST"))
	}
}

// show renders the Allow / Deny form.
func (h linkPageHandler) show(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("t")
	req, err := h.tokens.verify(tok)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	partner, system := req.PartnerID, req.SystemID
	if p, ok := h.catalog.Partner(req.PartnerID); ok && p.Name != "" {
		partner = p.Name
	}
	if s, ok := h.catalog.System(req.SystemID); ok && s.Name != "" {
		system = s.Name
	}
	// The POST answers with a redirect to redirect_uri, and form-action
	// governs redirects after a submission too: allow that one origin.
	formAction := "'self'"
	if u, err := url.Parse(req.RedirectURI); err == nil && cspOrigin.MatchString(u.Scheme+"://"+u.Host) {
		formAction += " " + u.Scheme + "://" + u.Host
	}
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src "+linkPageStyleHash+
		"; base-uri 'none'; frame-ancestors 'none'; form-action "+formAction)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	err = linkPageTemplate.Execute(w, struct{ Partner, System, Token string }{partner, system, tok})
	if err != nil {
		LoggerFrom(r.Context()).ErrorContext(r.Context(), "render the demo permission page", "error", err)
	}
}

// choose applies Allow or Deny and sends the browser to redirect_uri.
func (h linkPageHandler) choose(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			h.fail(w, r, coord.Errorf(EPayloadTooLarge, "the form is too large"))
			return
		}
		h.fail(w, r, coord.Errorf(coord.EInvalid, "the form could not be parsed"))
		return
	}
	var allow bool
	switch r.PostForm.Get("choice") {
	case "allow":
		allow = true
	case "deny":
	default:
		h.fail(w, r, coord.Errorf(coord.EInvalid, "choice must be allow or deny"))
		return
	}
	req, err := h.tokens.verify(r.PostForm.Get("t"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	target, err := h.svc.FinishDemoLink(r.Context(), req, allow)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, target, http.StatusFound)
}

// fail answers in the API's Error shape, as JSON (never HTML, so nothing
// echoed can run as script).
func (h linkPageHandler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, body := problem(err)
	logServerFault(r.Context(), "demo permission page failed", status, err)
	writeJSON(w, status, body)
}
