package coordclient

import (
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
)

// module is the SDK's Go module, whose version names it in User-Agent.
const module = "github.com/coordapi/coord"

// Version is the SDK's version as the Go toolchain recorded it: the
// module's version in the importing program, "devel" in its own tree.
func Version() string { return version() }

var version = sync.OnceValue(func() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if info.Main.Path == module && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	for _, dep := range info.Deps {
		if dep.Path == module {
			if dep.Replace != nil && dep.Replace.Version != "" {
				return dep.Replace.Version
			}
			return dep.Version
		}
	}
	return "devel"
})

// userAgent is the User-Agent of every request: the caller's product
// first, if given, then the SDK and the Go version.
func userAgent(product string) string {
	ua := "coordclient-go/" + Version() + " " + runtime.Version()
	if product = strings.TrimSpace(product); product != "" {
		ua = product + " " + ua
	}
	return ua
}
