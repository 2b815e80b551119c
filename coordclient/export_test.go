package coordclient

// ExportWrap exposes wrap to the external tests.
var ExportWrap = wrap
