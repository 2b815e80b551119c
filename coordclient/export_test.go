package coordclient

// ExportWrap exposes wrap to the external tests.
var ExportWrap = wrap

// ExportNextOptions exposes nextOptions to the external tests.
var ExportNextOptions = nextOptions
