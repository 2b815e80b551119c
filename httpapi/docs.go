package httpapi

import (
	"embed"
	"io/fs"
	"net/http"
	"sync"
)

// docsUI is Redoc's standalone bundle at the version in docsui/VERSION,
// with its licences (make docs-assets fetches them from npm), so that /docs
// renders with no internet access.
//
//go:embed docsui
var docsUI embed.FS

// docsPage loads the embedded Redoc, which renders openapi.json. Both URLs
// are relative to /docs, so the page works under any path prefix; the
// <redoc> element starts Redoc without an inline script, which the CSP
// forbids.
const docsPage = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Coord Users API</title>
</head>
<body>
<redoc spec-url="openapi.json"></redoc>
<script src="docs/assets/redoc.standalone.js"></script>
</body>
</html>
`

// docsCSP allows only this origin, plus what Redoc needs: inline styles (it
// injects them) and a blob: worker (its search index).
const docsCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src blob:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func serveDocsPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", docsCSP)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write([]byte(docsPage))
}

// docsAssets serves docsui/ under /docs/assets/.
func docsAssets() http.Handler {
	sub, err := fs.Sub(docsUI, "docsui")
	if err != nil {
		panic(err) // the embed pattern above guarantees the directory
	}
	files := http.StripPrefix("/docs/assets/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	})
}

// specs is built once, on first use.
var specs = sync.OnceValues(newServedSpecs)

// serveSpec answers one of the served spec documents.
func serveSpec(pick func(servedSpecs) []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := specs()
		if err != nil {
			status, body := problem(err)
			writeJSON(w, status, body)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(pick(s))
	}
}
